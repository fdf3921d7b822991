using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

/// <summary>A hand-written byte-level BPE tokenizer.json small enough to derive every id by hand.</summary>
public sealed class TinyBpeTests : IDisposable
{
    // Byte-level alphabet: ' ' is written 'Ġ' (U+0120). Merge ranks: "h e" = 0, "Ġ t" = 1, "Ġt he" = 2.
    // Merges mix both tokenizer.json spellings: "a b" strings and ["a", "b"] pairs.
    // "the" (id 10) is in the vocabulary but unreachable by merges: only ignore_merges can produce it.
    internal static string Json(bool ignoreMerges = false, string normalizer = "{\"type\":\"NFC\"}") => $$"""
        {
          "version": "1.0",
          "added_tokens": [
            {"id": 8, "content": "<|im_end|>", "special": true},
            {"id": 9, "content": "<think>", "special": false}
          ],
          "normalizer": {{normalizer}},
          "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
          ]},
          "decoder": {"type": "ByteLevel"},
          "model": {
            "type": "BPE", "ignore_merges": {{(ignoreMerges ? "true" : "false")}},
            "vocab": {"t": 0, "h": 1, "e": 2, "\u0120": 3, "he": 4, "\u0120t": 5, "\u0120the": 6, "a": 7, "the": 10},
            "merges": ["h e", ["\u0120", "t"], "\u0120t he"]
          }
        }
        """;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Encode_AppliesMergesByRank()
    {
        var tok = TokenizerLoader.Load(_dir.File("tokenizer.json", Json()));
        // "the" → t h e → (h e, rank 0) → t he = [0, 4].
        // " the" → Ġ t h e → (h e) Ġ t he → (Ġ t) Ġt he → (Ġt he) Ġthe = [6].
        Assert.Equal([0, 4, 6], tok.Encode("the the"));
        Assert.Equal("the the", tok.Decode([0, 4, 6]));
    }

    [Fact]
    public void AddedTokens_SplitOutBeforeTheRegex()
    {
        var tok = TokenizerLoader.Load(_dir.File("tokenizer.json", Json()));
        // "the<think>a<|im_end|>" → [t, he] <think> [a] <|im_end|>
        Assert.Equal([0, 4, 9, 7, 8], tok.Encode("the<think>a<|im_end|>"));
        Assert.Equal("the<think>a", tok.Decode([0, 4, 9, 7, 8], skipSpecialTokens: true));
    }

    [Fact]
    public void IgnoreMerges_UsesWholeWordFromVocabulary()
    {
        var tok = TokenizerLoader.Load(_dir.File("tokenizer.json", Json(ignoreMerges: true)));
        // Llama-3 semantics: "the" is a vocabulary entry, so it is id 10 although no merge builds it;
        // " the" is also an entry ("Ġthe" = 6). Added tokens still split out first.
        Assert.Equal([10, 6, 9], tok.Encode("the the<think>"));
    }

    [Fact]
    public void Roles_WithoutConfig_FallBackToImEnd_AndPadFallsBackToEos()
    {
        var tok = TokenizerLoader.Load(_dir.File("tokenizer.json", Json()));
        Assert.Equal(8, tok.EosTokenId);  // <|im_end|> is the first EOS fallback present
        Assert.Equal(8, tok.PadTokenId);  // no <|endoftext|>/<|end_of_text|>/<pad>: pad = eos
        Assert.Null(tok.BosTokenId);      // no <|begin_of_text|>/<s>/<bos>
        Assert.Equal(11, tok.VocabSize);  // largest id 10, + 1
    }

    [Fact]
    public void Roles_FromConfig_AcceptStringAndObjectForms()
    {
        _dir.File("tokenizer.json", Json());
        _dir.File("tokenizer_config.json", """{"bos_token": null, "eos_token": {"content": "<think>"}, "pad_token": "a"}""");
        var tok = TokenizerLoader.Load(_dir.Path);
        Assert.Equal(9, tok.EosTokenId);
        Assert.Equal(7, tok.PadTokenId);
        Assert.Null(tok.BosTokenId);
    }

    [Fact]
    public void NoNormalizer_LeavesDecomposedTextAlone()
    {
        var nfc = TokenizerLoader.Load(_dir.File("nfc.json", Json()));
        var raw = TokenizerLoader.Load(_dir.File("raw.json", Json(normalizer: "null")));
        Assert.True(((HfBpeTokenizer)nfc).AppliesNfc);
        Assert.False(((HfBpeTokenizer)raw).AppliesNfc);
    }
}
