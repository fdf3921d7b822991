using System.Text;

namespace Aha.Tokenization;

/// <summary>The alphabet a <see cref="CharTokenizer"/> is built over, from the texts it must encode.</summary>
public static class CharAlphabet
{
    /// <summary>
    /// Every character (Unicode scalar value) of <paramref name="always"/> and of <paramref name="texts"/> once, in
    /// ascending code-point order, after taking <paramref name="atomicTokens"/> (tags such as &lt;think&gt; that get
    /// their own id) out of each text. Sorted rather than first-seen, so the ids do not depend on the order of the data.
    /// </summary>
    public static string Of(IEnumerable<string> texts, IEnumerable<string> atomicTokens, string always = "")
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(atomicTokens);
        var tokens = atomicTokens.Where(t => t.Length > 0).OrderByDescending(t => t.Length).ToArray(); // longest first: a tag containing another goes whole
        var runes = new SortedSet<Rune>(always.EnumerateRunes());
        foreach (var text in texts)
        {
            var plain = tokens.Aggregate(text, (t, token) => t.Replace(token, "", StringComparison.Ordinal));
            runes.UnionWith(plain.EnumerateRunes());
        }
        return string.Concat(runes.Select(r => r.ToString()));
    }
}
