namespace Aha.Tokenization;

/// <summary>
/// An entry of tokenizer.json's <c>added_tokens</c>: a string matched atomically in the input before any
/// splitting. <paramref name="Special"/> marks control tokens (skipped by <c>Decode(skipSpecialTokens: true)</c>);
/// Qwen's &lt;think&gt; is added but not special.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special)
{
    /// <summary>HF <c>lstrip</c>: the match also swallows white space before it.</summary>
    public bool LStrip { get; init; }

    /// <summary>HF <c>rstrip</c>: the match also swallows white space after it.</summary>
    public bool RStrip { get; init; }
}
