namespace Aha.Tokenization;

/// <summary>
/// Text ↔ token ids. Implementations: byte-level BPE from a Hugging Face tokenizer.json, and a
/// character-level tokenizer for synthetic tasks. Encode adds no BOS/EOS; special/added tokens
/// written in the text (e.g. "&lt;|im_start|&gt;", "&lt;think&gt;") are matched atomically.
/// </summary>
public interface ITokenizer
{
    /// <summary>Size of the id space (largest id + 1), added tokens included.</summary>
    int VocabSize { get; }

    /// <summary>End-of-sequence id used to stop generation, if the tokenizer defines one.</summary>
    int? EosTokenId { get; }

    /// <summary>Id used for padding batches (never trained on; masked out).</summary>
    int PadTokenId { get; }

    IReadOnlyList<int> Encode(string text);

    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of an exact token string (vocabulary or added token), or null.</summary>
    int? TokenToId(string token);
}
