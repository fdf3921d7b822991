using System.Text.Json;
using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

public sealed class CharTokenizerTests : IDisposable
{
    private const string Digits = "0123456789+-*/=";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_DefaultLayout_SpecialsFirstThenAlphabet()
    {
        var tok = CharTokenizer.Create(Digits);
        // Ids: <pad>0 <eos>1 <|im_start|>2 <|im_end|>3 <think>4 </think>5 <answer>6 </answer>7, then '0'=8 … '9'=17,
        // '+'=18, '-'=19, '*'=20, '/'=21, '='=22.
        Assert.Equal(23, tok.VocabSize);
        Assert.Equal(0, tok.PadTokenId);
        Assert.Equal(1, tok.EosTokenId);
        Assert.Null(tok.BosTokenId);
        Assert.Equal([4, 9, 18, 10, 5, 6, 11, 7], tok.Encode("<think>1+2</think><answer>3</answer>"));
    }

    [Fact]
    public void Decode_SkipSpecial_DropsControlTokensButKeepsAnswerTags()
    {
        var tok = CharTokenizer.Create(Digits);
        var ids = tok.Encode("<|im_start|><answer>7</answer><|im_end|><eos><pad>");
        Assert.Equal("<answer>7</answer>", tok.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|im_start|><answer>7</answer><|im_end|><eos><pad>", tok.Decode(ids));
    }

    [Fact]
    public void Encode_CharacterOutsideAlphabet_NamesCharAndIndex()
    {
        var tok = CharTokenizer.Create(Digits);
        var e = Assert.Throws<ArgumentException>(() => tok.Encode("12x"));
        Assert.Equal("text", e.ParamName);
        Assert.Contains("'x'", e.Message);
        Assert.Contains("index 2", e.Message);
    }

    // The half is passed as a number: xUnit would turn a lone surrogate into U+FFFD when it serializes the theory's data.
    // Same message and index as the BPE tokenizers (HfFamilyTokenizerTests.LoneSurrogate_IsRefusedWithItsIndex): one rule.
    [Theory]
    [InlineData("1+", 0xD800, "2")]      // a high half followed by a plain character
    [InlineData("", 0xDC00, "1")]        // a low half first
    [InlineData("1😀2", 0xD83D, "")]     // a high half at the end, after a valid pair
    [InlineData("x", 0xD800, "")]        // checked before the alphabet: 'x' is not in it, the surrogate is reported
    public void Encode_LoneSurrogate_IsRefusedWithItsIndex(string before, int half, string after)
    {
        var tok = CharTokenizer.Create(Digits + "😀");
        var e = Assert.Throws<ArgumentException>(() => tok.Encode(before + (char)half + after));
        Assert.StartsWith($"invalid UTF-16 (lone surrogate) at index {before.Length}", e.Message);
    }

    [Fact]
    public void Encode_PartialTagIsPlainCharacters()
    {
        var tok = CharTokenizer.Create("<>/thinkasw");
        // "<think" lacks '>' so it is not the atomic token: 6 characters.
        Assert.Equal(6, tok.Encode("<think").Count);
        Assert.Single(tok.Encode("<think>"));
    }

    [Fact]
    public void SaveThenLoad_RoundTripsIdsRolesAndSpecialFlags()
    {
        var original = CharTokenizer.Create(Digits + " abcé🙂\n");
        var path = original.Save(_dir.Path);
        Assert.Equal(Path.Combine(_dir.Path, "tokenizer.json"), path);

        var loaded = TokenizerLoader.Load(path);
        Assert.IsType<CharTokenizer>(loaded);
        Assert.Equal(original.VocabSize, loaded.VocabSize);
        Assert.Equal(original.EosTokenId, loaded.EosTokenId);
        Assert.Equal(original.PadTokenId, loaded.PadTokenId);
        Assert.Equal(original.BosTokenId, loaded.BosTokenId);
        for (var id = 0; id < original.VocabSize; id++)
        {
            Assert.Equal(original.Decode([id]), loaded.Decode([id]));
            Assert.Equal(original.IsSpecial(id), loaded.IsSpecial(id));
        }
        const string text = "<|im_start|><think>1 + 2 = 3 é🙂\n</think><answer>3</answer><|im_end|>";
        Assert.Equal(original.Encode(text), loaded.Encode(text));
        Assert.Equal(text, loaded.Decode(loaded.Encode(text)));
    }

    [Fact]
    public void Save_WritesHuggingFaceShapedWordLevelFile()
    {
        var tok = CharTokenizer.Create("ab", specialTokens: ["<pad>", "<eos>"], addedTokens: ["<think>"]);
        tok.Save(_dir.Path);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, "tokenizer.json")));
        var root = doc.RootElement;
        Assert.Equal("WordLevel", root.GetProperty("model").GetProperty("type").GetString());
        var vocab = root.GetProperty("model").GetProperty("vocab");
        Assert.Equal(0, vocab.GetProperty("<pad>").GetInt32());
        Assert.Equal(2, vocab.GetProperty("<think>").GetInt32());
        Assert.Equal(4, vocab.GetProperty("b").GetInt32());
        var added = root.GetProperty("added_tokens").EnumerateArray().ToList();
        Assert.Equal(["<pad>", "<eos>", "<think>"], added.Select(a => a.GetProperty("content").GetString()));
        Assert.Equal([true, true, false], added.Select(a => a.GetProperty("special").GetBoolean()));
        Assert.Equal("Fuse", root.GetProperty("decoder").GetProperty("type").GetString());

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, "tokenizer_config.json")));
        Assert.Equal("<eos>", config.RootElement.GetProperty("eos_token").GetString());
        Assert.Equal("<pad>", config.RootElement.GetProperty("pad_token").GetString());
    }

    [Fact]
    public void Load_WithoutConfig_PrefersEosAndPadTokens()
    {
        CharTokenizer.Create(Digits).Save(_dir.Path);
        File.Delete(Path.Combine(_dir.Path, "tokenizer_config.json"));
        var tok = TokenizerLoader.Load(_dir.Path);
        // <eos> (1) is preferred over <|im_end|> (3), which the BPE fallback list would pick first.
        Assert.Equal(1, tok.EosTokenId);
        Assert.Equal(0, tok.PadTokenId);
    }

    [Fact]
    public void Create_WithoutEosToken_HasNoEos()
    {
        var tok = CharTokenizer.Create("ab", specialTokens: ["<pad>"], addedTokens: []);
        Assert.Null(tok.EosTokenId);
        tok.Save(_dir.Path);
        Assert.Null(TokenizerLoader.Load(_dir.Path).EosTokenId);
    }

    [Fact]
    public void Create_DuplicateSpecialToken_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => CharTokenizer.Create("ab", specialTokens: ["<pad>", "<pad>"]));
        Assert.Equal("specialTokens", e.ParamName);
    }
}
