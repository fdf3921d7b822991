using System.Globalization;
using System.Text.RegularExpressions;

namespace Aha.Tokenization.Pipeline;

/// <summary>
/// A regex that matches by Unicode code point, as Rust's (and Oniguruma's) do in Hugging Face <c>tokenizers</c>.
/// .NET regexes see UTF-16 code units, so a character outside the Basic Multilingual Plane (𝟚, 𝔘, 𠮷, 😀) is two
/// surrogate halves that <c>\p{N}</c> / <c>\p{L}</c> never match. Before matching, each such character is replaced by
/// one BMP stand-in of the same general category (𝟚, a decimal digit, becomes U+0660 ARABIC-INDIC DIGIT ZERO), and
/// the match offsets are mapped back. This is exact for the patterns tokenizers use: they test characters only by
/// category, by <c>\s</c> (no supplementary character is white space) and by ASCII or CJK-BMP literals and ranges,
/// none of which contains a stand-in.
/// </summary>
internal sealed class CodePointRegex
{
    private readonly Regex _regex;

    public CodePointRegex(Regex regex) => _regex = regex;

    /// <summary>The pattern as written in tokenizer.json.</summary>
    public string Pattern => _regex.ToString();

    /// <summary>Non-empty matches, left to right, as (start, length) in <paramref name="text"/>'s UTF-16 indices.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        var result = new List<(int, int)>();
        if (!HasSurrogates(text))
        {
            for (var m = _regex.Match(text); m.Success; m = m.NextMatch())
                if (m.Length > 0)
                    result.Add((m.Index, m.Length));
            return result;
        }

        // stand-in string + map from its indices to the original's (one extra entry for the end).
        var chars = new char[text.Length];
        var origin = new int[text.Length + 1];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            origin[n] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                chars[n++] = StandIn(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1])));
                i++;
            }
            else
            {
                chars[n++] = text[i];
            }
        }
        origin[n] = text.Length;
        var substituted = new string(chars, 0, n);
        for (var m = _regex.Match(substituted); m.Success; m = m.NextMatch())
            if (m.Length > 0)
                result.Add((origin[m.Index], origin[m.Index + m.Length] - origin[m.Index]));
        return result;
    }

    private static bool HasSurrogates(string text)
    {
        foreach (var c in text)
            if (char.IsSurrogate(c))
                return true;
        return false;
    }

    /// <summary>A BMP character of <paramref name="category"/>: non-ASCII, outside the CJK / kana ranges patterns name.</summary>
    private static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u0100',          // Ā
        UnicodeCategory.LowercaseLetter => '\u0101',          // ā
        UnicodeCategory.TitlecaseLetter => '\u01C5',          // ǅ
        UnicodeCategory.ModifierLetter => '\u02B0',           // ʰ
        UnicodeCategory.OtherLetter => '\u01BB',              // ƻ
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',       // ٠
        UnicodeCategory.LetterNumber => '\u2160',             // Ⅰ
        UnicodeCategory.OtherNumber => '\u00B2',              // ²
        UnicodeCategory.SpaceSeparator => '\u3000',
        UnicodeCategory.LineSeparator => '\u2028',
        UnicodeCategory.ParagraphSeparator => '\u2029',
        UnicodeCategory.Control => '\u0080',
        UnicodeCategory.Format => '\u00AD',
        UnicodeCategory.PrivateUse => '\uE000',
        UnicodeCategory.ConnectorPunctuation => '\u203F',     // ‿
        UnicodeCategory.DashPunctuation => '\u2010',          // ‐
        UnicodeCategory.OpenPunctuation => '\u2045',          // ⁅
        UnicodeCategory.ClosePunctuation => '\u2046',         // ⁆
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',  // «
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',    // »
        UnicodeCategory.OtherPunctuation => '\u00A1',         // ¡
        UnicodeCategory.MathSymbol => '\u00AC',               // ¬
        UnicodeCategory.CurrencySymbol => '\u00A2',           // ¢
        UnicodeCategory.ModifierSymbol => '\u00A8',           // ¨
        UnicodeCategory.OtherSymbol => '\u00A6',              // ¦
        _ => '\u0378',                                        // unassigned
    };
}
