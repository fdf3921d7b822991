using System.Text;
using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

public sealed class Qwen3TokenizerTests(Qwen3Fixture fixture) : IClassFixture<Qwen3Fixture>
{
    private readonly ITokenizer _tok = fixture.Tokenizer;

    [Fact]
    public void Reference_CoversAtLeastTwelveStrings()
    {
        Assert.True(Qwen3Fixture.ReferenceCases.Count >= 12, $"only {Qwen3Fixture.ReferenceCases.Count} reference strings");
    }

    [Theory]
    [MemberData(nameof(Qwen3Fixture.CaseIndices), MemberType = typeof(Qwen3Fixture))]
    public void Encode_MatchesIndependentReferenceIds(int index)
    {
        var (text, expected) = Qwen3Fixture.ReferenceCases[index];
        var actual = _tok.Encode(text);
        Assert.True(expected.SequenceEqual(actual),
            $"text {Escape(text)}\nexpected [{string.Join(",", expected)}]\nactual   [{string.Join(",", actual)}]");
    }

    [Theory]
    [MemberData(nameof(Qwen3Fixture.CaseIndices), MemberType = typeof(Qwen3Fixture))]
    public void DecodeOfEncode_IsNfcOfText(int index)
    {
        var text = Qwen3Fixture.ReferenceCases[index].Text;
        Assert.Equal(text.Normalize(NormalizationForm.FormC), _tok.Decode(_tok.Encode(text)));
    }

    [Fact]
    public void Encode_AppliesNfc_DecomposedAndComposedGiveSameIds()
    {
        // "é" written as e + U+0301 (combining acute) must tokenize like the precomposed U+00E9.
        Assert.Equal(_tok.Encode("caf\u00e9"), _tok.Encode("cafe\u0301"));
    }

    [Theory]
    [InlineData("<|im_start|>")]
    [InlineData("<|im_end|>")]
    [InlineData("<think>")]
    [InlineData("</think>")]
    [InlineData("<|endoftext|>")]
    public void AddedToken_IsOneAtomicId_AloneAndInsideText(string token)
    {
        var id = Qwen3Fixture.AddedTokenIdFromFile(token);
        Assert.Equal([id], _tok.Encode(token));
        Assert.Equal(id, _tok.TokenToId(token));

        // Glued to letters on both sides it still splits out as the one id.
        var glued = _tok.Encode("abc" + token + "xyz");
        Assert.Single(glued, x => x == id);
        Assert.Equal("abc" + token + "xyz", _tok.Decode(glued));
    }

    [Fact]
    public void NearMissOfAddedToken_IsOrdinaryText()
    {
        var id = Qwen3Fixture.AddedTokenIdFromFile("<|im_end|>");
        var ids = _tok.Encode("<|im_end|");
        Assert.DoesNotContain(id, ids);
        Assert.True(ids.Count > 1);
    }

    [Fact]
    public void SpecialRoles_ComeFromTokenizerConfig()
    {
        // tokenizer_config.json: eos_token "<|im_end|>", pad_token "<|endoftext|>", bos_token null.
        Assert.Equal(Qwen3Fixture.AddedTokenIdFromFile("<|im_end|>"), _tok.EosTokenId);
        Assert.Equal(Qwen3Fixture.AddedTokenIdFromFile("<|endoftext|>"), _tok.PadTokenId);
        Assert.Null(_tok.BosTokenId);
    }

    [Fact]
    public void VocabSize_CountsBaseVocabAndAddedTokens()
    {
        // model.vocab has ids 0..151642 and added_tokens 151643..151668 (26 tokens): 151643 + 26 = 151669.
        Assert.Equal(151669, _tok.VocabSize);
    }

    [Fact]
    public void IsSpecial_FollowsTheFilesSpecialFlag()
    {
        Assert.True(_tok.IsSpecial(Qwen3Fixture.AddedTokenIdFromFile("<|im_end|>")));
        Assert.False(_tok.IsSpecial(Qwen3Fixture.AddedTokenIdFromFile("<think>"))); // "special": false in the file
        Assert.False(_tok.IsSpecial(_tok.Encode("Hello")[0]));
    }

    [Fact]
    public void Decode_SkipSpecialTokens_DropsControlTokensButKeepsThink()
    {
        var ids = _tok.Encode("<|im_start|>assistant\n<think>hm</think>42<|im_end|><|endoftext|>");
        Assert.Equal("assistant\n<think>hm</think>42", _tok.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Decode_UnknownId_IsAClearError()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _tok.Decode([1, 999_999]));
        Assert.Contains("999999", e.Message);
    }

    [Fact]
    public void TokenToId_UsesByteLevelSpelling()
    {
        // GPT-2 byte alphabet: space (0x20) is written 'Ġ' (U+0120); "Hello, world!" encodes as
        // [Hello][,][Ġworld][!] in the reference, so "Ġworld" is the id of " world".
        var ids = _tok.Encode("Hello, world!");
        Assert.Equal(ids[2], _tok.TokenToId("\u0120world"));
        Assert.Null(_tok.TokenToId("no such token here"));
    }

    [Fact]
    public void ChatTemplateRendering_TokenizesLikeTheReference()
    {
        // One reference case is exactly this conversation; its ids come from Hugging Face tokenizers.
        var text = ChatTemplate.Default.Render(
            [ChatMessage.System("You are a helpful assistant."), ChatMessage.User("What is 2+2?")], addGenerationPrompt: true);
        var (_, referenceIds) = Qwen3Fixture.ReferenceCases.Single(c => c.Text == text);
        Assert.Equal(referenceIds, _tok.Encode(text));
    }

    private static string Escape(string s) =>
        string.Concat(s.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));
}
