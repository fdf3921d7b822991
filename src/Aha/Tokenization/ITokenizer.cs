namespace Aha.Tokenization;

/// <summary>
/// Text ↔ token ids. Implementations: <see cref="HfBpeTokenizer"/> (byte-level BPE from a Hugging Face
/// tokenizer.json) and <see cref="CharTokenizer"/> (character level, for synthetic tasks); load either with
/// <see cref="TokenizerLoader.Load"/>. Encode adds no BOS/EOS; special/added tokens written in the text
/// (e.g. "&lt;|im_start|&gt;", "&lt;think&gt;") are matched atomically.
/// </summary>
public interface ITokenizer
{
    /// <summary>Size of the id space (largest id + 1), added tokens included.</summary>
    int VocabSize { get; }

    /// <summary>Beginning-of-sequence id, if the tokenizer defines one (Qwen: none; Llama-3: &lt;|begin_of_text|&gt;).</summary>
    int? BosTokenId { get; }

    /// <summary>End-of-sequence id used to stop generation, if the tokenizer defines one.</summary>
    int? EosTokenId { get; }

    /// <summary>Id used for padding batches (never trained on; masked out).</summary>
    int PadTokenId { get; }

    IReadOnlyList<int> Encode(string text);

    /// <summary>Ids → text. <paramref name="skipSpecialTokens"/> drops ids for which <see cref="IsSpecial"/> is true.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of an exact token string (vocabulary or added token), or null.</summary>
    int? TokenToId(string token);

    /// <summary>True for control tokens (added tokens marked <c>"special": true</c>, e.g. &lt;|im_end|&gt;, &lt;pad&gt;).</summary>
    bool IsSpecial(int id);
}
