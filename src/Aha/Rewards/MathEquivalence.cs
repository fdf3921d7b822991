using System.Text.RegularExpressions;

namespace Aha.Rewards;

/// <summary>
/// Decides whether two answers are the same mathematical value: integers, decimals, fractions ("3/4" = "0.75"),
/// negative numbers, LaTeX \frac{a}{b} (nested allowed, plus the \frac12 shorthand), scientific notation, and a
/// number followed by a unit ("18 dollars", "50%", "90^\circ") compare by exact rational value; anything else falls
/// back to exact string comparison of the normalised text with whitespace removed.
/// </summary>
public static class MathEquivalence
{
    /// <summary>Numbers with more digits than this are compared as strings (guards against huge allocations).</summary>
    public const int MaxDigits = 4096;

    public static bool AreEquivalent(string predicted, string truth)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        var p = AnswerExtractor.Normalize(predicted);
        var t = AnswerExtractor.Normalize(truth);
        if (TryParseValue(p, out var pv) && TryParseValue(t, out var tv))
            return pv == tv;
        return string.Equals(RemoveWhitespace(p), RemoveWhitespace(t), StringComparison.Ordinal);
    }

    /// <summary>
    /// The exact value of a normalised answer, if it is a number, fraction or \frac, possibly with a unit after it.
    /// </summary>
    public static bool TryParseValue(string normalized, out BigRational value)
    {
        value = BigRational.Zero;
        if (normalized.Length == 0 || normalized.Length > MaxDigits + 64) return false;
        var compact = RemoveWhitespace(normalized);
        if (TryParseExact(compact, 0, out value)) return true;

        // "x = 5", "5 cm", "18 dollars", "50%", "90^\circ".
        var m = WithUnit.Match(normalized);
        if (!m.Success) return false;
        var unit = m.Groups["unit"].Value.Trim();
        if (unit.Length > 0 && !IsUnit(unit)) return false;
        return TryParseExact(RemoveWhitespace(m.Groups["num"].Value), 0, out value);
    }

    private static readonly Regex WithUnit = new(
        @"^(?:[A-Za-z]\s*=\s*)?(?<num>[-+]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:\s*/\s*\d+)?)\s*(?<unit>(?:\\?%|\^\s*\{?\\circ\}?|\\circ|°|[A-Za-z][A-Za-z .]*(?:\^\d)?)?)$",
        RegexOptions.CultureInvariant);

    private static readonly HashSet<string> NotUnits = new(StringComparer.OrdinalIgnoreCase)
    {
        "pi", "i", "e", "sqrt", "log", "ln", "sin", "cos", "tan", "exp",
    };

    private static bool IsUnit(string unit)
    {
        if (unit.Contains('%') || unit.Contains("circ", StringComparison.Ordinal) || unit.Contains('°')) return true;
        var word = unit.TrimEnd('.').Trim();
        // A single letter is a variable ("5x"), not a unit.
        return word.Length >= 2 && !NotUnits.Contains(word) && word.All(c => char.IsAsciiLetter(c) || c is ' ' or '.' or '^' or (>= '0' and <= '9'));
    }

    private static bool TryParseExact(string s, int depth, out BigRational value)
    {
        value = BigRational.Zero;
        if (s.Length == 0 || depth > 8) return false;
        bool negative = false;
        if (s[0] == '-' || s[0] == '+')
        {
            negative = s[0] == '-';
            s = s[1..];
            if (s.Length == 0 || s[0] == '-' || s[0] == '+') return false;
        }
        if (s.StartsWith("\\frac", StringComparison.Ordinal))
        {
            if (!TryParseFrac(s, depth, out value)) return false;
        }
        else if (s.StartsWith('(') && s.EndsWith(')') && s.Length > 2)
        {
            if (!TryParseExact(s[1..^1], depth + 1, out value)) return false;
        }
        else if (s.IndexOf('/') is var slash and > 0)
        {
            if (slash + 1 >= s.Length || s[slash + 1] is '-' or '+' ||
                !BigRational.TryParseDecimal(s.AsSpan(0, slash), out var num, MaxDigits) ||
                !BigRational.TryParseDecimal(s.AsSpan(slash + 1), out var den, MaxDigits) ||
                den.IsZero)
                return false;
            value = num / den;
        }
        else if (s[0] is '-' or '+' || !BigRational.TryParseDecimal(s, out value, MaxDigits))
        {
            return false;
        }
        if (negative) value = -value;
        return true;
    }

    /// <summary>"\frac{a}{b}" (a, b themselves parseable) or "\frac12" (two single digits).</summary>
    private static bool TryParseFrac(string s, int depth, out BigRational value)
    {
        value = BigRational.Zero;
        int i = "\\frac".Length;
        if (!TryTakeGroup(s, ref i, out var a) || !TryTakeGroup(s, ref i, out var b) || i != s.Length) return false;
        if (!TryParseExact(a, depth + 1, out var num) || !TryParseExact(b, depth + 1, out var den) || den.IsZero)
            return false;
        value = num / den;
        return true;
    }

    private static bool TryTakeGroup(string s, ref int i, out string group)
    {
        group = "";
        if (i >= s.Length) return false;
        if (s[i] == '{')
        {
            if (AnswerExtractor.MatchBrace(s, i) is not int end) return false;
            group = s.Substring(i + 1, end - i - 1);
            i = end + 1;
            return true;
        }
        if (BigRational.IsAsciiDigit(s[i]))
        {
            group = s[i].ToString();
            i++;
            return true;
        }
        return false;
    }

    private static string RemoveWhitespace(string s) =>
        s.Any(char.IsWhiteSpace) ? string.Concat(s.Where(c => !char.IsWhiteSpace(c))) : s;
}
