namespace Aha.Templates;

/// <summary>
/// JavaScript's string white space and trimming (<c>String.prototype.trim</c>), which @huggingface/jinja uses for
/// <c>trim</c>, <c>strip()</c> and the <c>-</c> markers. It differs from .NET's char.IsWhiteSpace: U+FEFF counts,
/// U+0085 does not.
/// </summary>
internal static class JsString
{
    public static bool IsWhitespace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00A0' or '\u1680' or '\u2028' or '\u2029' or '\u202F'
            or '\u205F' or '\u3000' or '\uFEFF' => true,
        >= '\u2000' and <= '\u200A' => true,
        _ => false,
    };

    public static string Trim(string s) => TrimEnd(TrimStart(s));

    public static string TrimStart(string s)
    {
        var i = 0;
        while (i < s.Length && IsWhitespace(s[i]))
            i++;
        return s[i..];
    }

    public static string TrimEnd(string s)
    {
        var j = s.Length;
        while (j > 0 && IsWhitespace(s[j - 1]))
            j--;
        return s[..j];
    }
}
