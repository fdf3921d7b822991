using System.Text;
using System.Text.RegularExpressions;

namespace Aha.Rewards;

/// <summary>Where an answer was found in a completion.</summary>
[Flags]
public enum AnswerSources
{
    None = 0,
    /// <summary>The last complete <c>&lt;answer&gt;…&lt;/answer&gt;</c>.</summary>
    AnswerTag = 1,
    /// <summary>The last <c>\boxed{…}</c> (or <c>\fbox{…}</c>) with balanced, possibly nested, braces.</summary>
    Boxed = 2,
    /// <summary>GSM8K's final line <c>#### 72</c>.</summary>
    Hashes = 4,
    /// <summary>"the answer is …" (case-insensitive; the last occurrence, up to the end of its sentence).</summary>
    AnswerIs = 8,
    All = AnswerTag | Boxed | Hashes | AnswerIs,
}

/// <summary>An answer found in a completion: the normalised text, the raw text and where it came from.</summary>
public sealed record ExtractedAnswer(string Text, string Raw, AnswerSources Source);

/// <summary>
/// Pulls the final answer out of a completion. Sources are tried in order: &lt;answer&gt; tag (last one),
/// \boxed{} (last balanced one), "#### n", "the answer is …". The result is normalised (see <see cref="Normalize"/>).
/// Linear time in the completion length, no backtracking regular expressions on the whole completion.
/// </summary>
public static class AnswerExtractor
{
    public const string AnswerOpen = "<answer>";
    public const string AnswerClose = "</answer>";

    /// <summary>The answer found by the first source (in the order above) that is enabled and present, or null.</summary>
    public static ExtractedAnswer? Extract(string completion, AnswerSources sources = AnswerSources.All)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (sources.HasFlag(AnswerSources.AnswerTag) && LastAnswerTag(completion) is { } tag)
            return new ExtractedAnswer(Normalize(tag), tag, AnswerSources.AnswerTag);
        if (sources.HasFlag(AnswerSources.Boxed) && LastBoxed(completion) is { } boxed)
            return new ExtractedAnswer(Normalize(boxed), boxed, AnswerSources.Boxed);
        if (sources.HasFlag(AnswerSources.Hashes) && AfterHashes(completion) is { } hashes)
            return new ExtractedAnswer(Normalize(hashes), hashes, AnswerSources.Hashes);
        if (sources.HasFlag(AnswerSources.AnswerIs) && AfterAnswerIs(completion) is { } said)
            return new ExtractedAnswer(Normalize(said), said, AnswerSources.AnswerIs);
        return null;
    }

    /// <summary>
    /// A reference answer as stored in data: if it still carries a "#### n" line or a \boxed{}, that part is taken;
    /// the result is normalised like an extracted answer.
    /// </summary>
    public static string NormalizeGroundTruth(string truth)
    {
        ArgumentNullException.ThrowIfNull(truth);
        if (AfterHashes(truth) is { } hashes) return Normalize(hashes);
        return Normalize(truth);
    }

    /// <summary>Content of the last complete &lt;answer&gt;…&lt;/answer&gt; pair, or null.</summary>
    public static string? LastAnswerTag(string text)
    {
        int close = text.LastIndexOf(AnswerClose, StringComparison.Ordinal);
        if (close < 0) return null;
        int open = text.LastIndexOf(AnswerOpen, close, StringComparison.Ordinal);
        if (open < 0) return null;
        return text.Substring(open + AnswerOpen.Length, close - open - AnswerOpen.Length).Trim();
    }

    /// <summary>Content of the last \boxed{…} / \fbox{…} whose braces balance (escaped \{ \} ignored), or null.</summary>
    public static string? LastBoxed(string text) => LastBoxed(text, out _);

    /// <summary>
    /// <see cref="LastBoxed(string)"/>, also counting the characters the scan examined. One backward pass: every
    /// unescaped '}' is pushed, every '{' pops its partner, so when a \boxed is reached the brace after it already
    /// knows its match. A completion of many unclosed "\boxed{" costs one pass, not one pass per \boxed.
    /// </summary>
    internal static string? LastBoxed(string text, out long examined)
    {
        examined = 0;
        var closes = new Stack<int>();
        int lastOpen = -1, lastOpenMatch = -1; // the leftmost '{' seen so far and its '}' (-1: unbalanced)
        for (int at = text.Length - 1; at >= 0; at--)
        {
            examined++;
            char c = text[at];
            bool escaped = at > 0 && text[at - 1] == '\\';
            if (c == '}' && !escaped) closes.Push(at);
            else if (c == '{' && !escaped)
            {
                lastOpen = at;
                lastOpenMatch = closes.Count > 0 ? closes.Pop() : -1;
            }
            else if (c == '\\' && BoxedContent(text, at, lastOpen, lastOpenMatch, ref examined) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>
    /// The answer of a \boxed / \fbox starting at <paramref name="at"/>, given the nearest '{' to its right and that
    /// brace's match; null when <paramref name="at"/> starts neither or its braces do not balance.
    /// </summary>
    private static string? BoxedContent(string text, int at, int nextOpen, int nextOpenMatch, ref long examined)
    {
        var rest = text.AsSpan(at);
        int nameLength = rest.StartsWith("\\boxed", StringComparison.Ordinal) ? "\\boxed".Length
            : rest.StartsWith("\\fbox", StringComparison.Ordinal) ? "\\fbox".Length : 0;
        if (nameLength == 0) return null;
        int i = at + nameLength;
        // Spaces after one name end at the next non-space, so over all names each space is examined once.
        while (i < text.Length && text[i] == ' ') { i++; examined++; }
        if (i < text.Length && text[i] == '{')
            return i == nextOpen && nextOpenMatch > i ? text.Substring(i + 1, nextOpenMatch - i - 1).Trim() : null;
        if (i > at + nameLength && i < text.Length)
        {
            // "\boxed 5": the next token up to whitespace or '$'. Examined once: a token found is the answer.
            int j = i;
            while (j < text.Length && !char.IsWhiteSpace(text[j]) && text[j] != '$') { j++; examined++; }
            if (j > i) return text[i..j];
        }
        return null;
    }

    /// <summary>Index of the '}' that closes the '{' at <paramref name="open"/>, or null when unbalanced.</summary>
    internal static int? MatchBrace(string text, int open)
    {
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && (text[i + 1] == '{' || text[i + 1] == '}'))
            {
                i++;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return null;
    }

    /// <summary>The rest of the line after the last "####", or null.</summary>
    public static string? AfterHashes(string text)
    {
        int at = text.LastIndexOf("####", StringComparison.Ordinal);
        if (at < 0) return null;
        int start = at + 4;
        int end = text.IndexOf('\n', start);
        var rest = (end < 0 ? text[start..] : text[start..end]).Trim();
        return rest.Length == 0 ? null : rest;
    }

    /// <summary>What follows the last "the answer is" / "answer is" up to the end of that sentence or line, or null.</summary>
    public static string? AfterAnswerIs(string text)
    {
        int at = text.LastIndexOf("answer is", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return null;
        int start = at + "answer is".Length;
        while (start < text.Length && (text[start] == ':' || char.IsWhiteSpace(text[start]) && text[start] != '\n'))
            start++;
        int end = text.IndexOf('\n', start);
        var line = end < 0 ? text[start..] : text[start..end];
        // A sentence ends at ". " (a decimal point is never followed by a space).
        int stop = line.IndexOf(". ", StringComparison.Ordinal);
        if (stop >= 0) line = line[..stop];
        line = line.Trim();
        return line.Length == 0 ? null : line;
    }

    private static readonly Regex ThousandsComma = new(@"(?<=\d),(?=\d{3}(?!\d))", RegexOptions.CultureInvariant);
    private static readonly Regex TextMacro = new(@"\\(?:text|textbf|mathrm|mbox|mathbf)\{([^{}]*)\}", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    private static readonly Regex Spaces = new(@"\s+", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>
    /// Canonical answer text: unwraps \boxed{}, strips '$' (and "\$"), LaTeX spacing and sizing (\left \right \! \, \;),
    /// \text{…}-style wrappers, commas used as thousands separators ("1,000" → "1000"), a trailing period, unicode
    /// minus (U+2212 → '-'); \dfrac and \tfrac become \frac; runs of whitespace become one space.
    /// </summary>
    public static string Normalize(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var s = answer.Trim();
        if (s.Contains("\\boxed", StringComparison.Ordinal) || s.Contains("\\fbox", StringComparison.Ordinal))
            s = LastBoxed(s) ?? s;
        var b = new StringBuilder(s)
            .Replace("\\$", "").Replace("$", "")
            .Replace("\\left", "").Replace("\\right", "")
            .Replace("\\!", "").Replace("\\,", " ").Replace("\\;", " ").Replace("\\ ", " ")
            .Replace("\\displaystyle", "")
            .Replace("\\dfrac", "\\frac").Replace("\\tfrac", "\\frac")
            .Replace('\u2212', '-');
        s = b.ToString();
        if (s.Length <= 100_000)
        {
            s = TextMacro.Replace(s, "$1");
            s = ThousandsComma.Replace(s, "");
            s = Spaces.Replace(s, " ");
        }
        s = s.Trim();
        // One cut for all trailing periods (each with the spaces before it): slicing per period would copy per period.
        int end = s.Length;
        while (end > 0 && s[end - 1] == '.')
        {
            end--;
            while (end > 0 && char.IsWhiteSpace(s[end - 1])) end--;
        }
        return s[..end];
    }
}
