using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

/// <summary>Bad tokenizer files fail with one error naming the file and the field.</summary>
public sealed class TokenizerErrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private TokenizerFormatException LoadFails(string json, string fileName = "tokenizer.json")
    {
        var path = _dir.File(fileName, json);
        var e = Assert.Throws<TokenizerFormatException>(() => TokenizerLoader.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void MissingFile_NamesThePath()
    {
        var path = Path.Combine(_dir.Path, "nope.json");
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void FolderWithoutTokenizerJson_NamesTheExpectedFile()
    {
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(_dir.Path));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Equal(Path.Combine(_dir.Path, "tokenizer.json"), e.FileName);
    }

    [Fact]
    public void InvalidJson_GivesLine()
    {
        var e = LoadFails("{\n  \"model\": {,\n}");
        Assert.Equal("$", e.Field);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void MissingModel_IsNamed()
    {
        Assert.Equal("model", LoadFails("""{"added_tokens": []}""").Field);
    }

    [Fact]
    public void UnknownModelType_ListsSupportedTypes()
    {
        var e = LoadFails("""{"model": {"type": "Unigram", "vocab": []}}""");
        Assert.Equal("model.type", e.Field);
        Assert.Contains("\"Unigram\"", e.Message);
        Assert.Contains("\"BPE\"", e.Message);
    }

    [Fact]
    public void MissingVocab_IsNamed()
    {
        var json = TinyBpeTests.Json().Replace("\"vocab\":", "\"vocabulary\":");
        Assert.Equal("model.vocab", LoadFails(json).Field);
    }

    [Fact]
    public void BadMergeEntry_NamesItsIndex()
    {
        var json = TinyBpeTests.Json().Replace("[\"\\u0120\", \"t\"]", "42");
        var e = LoadFails(json);
        Assert.Equal("model.merges[1]", e.Field);
        Assert.Contains("42", e.Message);
    }

    [Fact]
    public void AddedTokenWithoutId_NamesTheEntry()
    {
        var json = TinyBpeTests.Json().Replace("{\"id\": 9, ", "{");
        Assert.Equal("added_tokens[1].id", LoadFails(json).Field);
    }

    [Fact]
    public void UnsupportedNormalizer_IsNamed()
    {
        var e = LoadFails(TinyBpeTests.Json(normalizer: """{"type": "Precompiled", "precompiled_charsmap": "AAAA"}"""));
        Assert.Equal("normalizer.type", e.Field);
        Assert.Contains("Precompiled", e.Message);
    }

    [Fact]
    public void RegexThatDotNetRejects_NamesThePatternField()
    {
        var json = TinyBpeTests.Json().Replace("(?i:'s", "(?<bad");
        var e = LoadFails(json);
        Assert.Equal("pre_tokenizer.pretokenizers[0].pattern.Regex", e.Field);
    }

    [Fact]
    public void ByteFallbackTogetherWithByteLevel_IsRejected()
    {
        var json = TinyBpeTests.Json().Replace("\"ignore_merges\"", "\"byte_fallback\": true, \"ignore_merges\"");
        Assert.Equal("model.byte_fallback", LoadFails(json).Field);
    }

    [Fact]
    public void ConfigNamingUnknownEosToken_NamesConfigFileAndField()
    {
        var tokenizer = _dir.File("tokenizer.json", TinyBpeTests.Json());
        var config = _dir.File("tokenizer_config.json", """{"eos_token": "<|nope|>"}""");
        var e = Assert.Throws<TokenizerFormatException>(() => TokenizerLoader.Load(tokenizer));
        Assert.Equal(config, e.FilePath);
        Assert.Equal("eos_token", e.Field);
        Assert.Contains("<|nope|>", e.Message);
    }

    [Fact]
    public void WordLevelWithMultiCharacterVocabEntry_IsRejected()
    {
        var e = LoadFails("""{"added_tokens": [], "model": {"type": "WordLevel", "vocab": {"a": 0, "ab": 1}, "unk_token": "<unk>"}}""");
        Assert.Equal("model.vocab[\"ab\"]", e.Field);
        Assert.Contains("single character", e.Message);
    }
}
