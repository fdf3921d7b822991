using Aha.Tokenization;

namespace Aha.Generation;

/// <summary>What a reader sees of a completion: its text, and that text piece by piece for streaming.</summary>
public static class CompletionText
{
    /// <summary>The completion decoded without special tokens, cut before the first stop string it ended on (vLLM's default output).</summary>
    public static string Visible(Completion c, IReadOnlyList<string> stopStrings, ITokenizer tokenizer)
    {
        var text = tokenizer.Decode(c.TokenIds, skipSpecialTokens: true);
        if (c.FinishReason != FinishReason.StopString) return text;
        int cut = stopStrings.Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(text.Length).Min();
        return text[..cut];
    }

    /// <summary>
    /// The successive pieces of <paramref name="text"/> (from <see cref="Visible"/>) as tokens <paramref name="ids"/>
    /// reveal them: each token's prefix is decoded whole, so a character split over several byte-level tokens comes
    /// out once complete. The pieces concatenate to <paramref name="text"/>.
    /// </summary>
    public static IEnumerable<string> Deltas(ITokenizer tokenizer, IReadOnlyList<int> ids, string text)
    {
        int sent = 0;
        for (int t = 1; t <= ids.Count && sent < text.Length; t++)
        {
            var prefix = tokenizer.Decode(ids.Take(t), skipSpecialTokens: true);
            int upTo = Math.Min(prefix.Length, text.Length);
            if (upTo <= sent || prefix.EndsWith('\uFFFD')) continue;
            yield return text[sent..upTo];
            sent = upTo;
        }
        if (sent < text.Length) yield return text[sent..];
    }
}
