using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

/// <summary>
/// Every family's real tokenizer.json against Hugging Face's own ids and decoding (see <see cref="HfFamilyFixtures"/>):
/// byte-level BPE with one or three Split passes, SentencePiece-style BPE with byte fallback, characters outside
/// the BMP, added tokens.
/// </summary>
public sealed class HfFamilyTokenizerTests
{
    [Theory]
    [MemberData(nameof(HfFamilyFixtures.AllCases), MemberType = typeof(HfFamilyFixtures))]
    public void Encode_MatchesHuggingFaceIds(string family, int index)
    {
        var c = HfFamilyFixtures.Cases(family)[index];
        var actual = HfFamilyFixtures.Tokenizer(family).Encode(c.Text);
        Assert.True(c.Ids.SequenceEqual(actual),
            $"{family} text {Escape(c.Text)}\nexpected [{string.Join(",", c.Ids)}]\nactual   [{string.Join(",", actual)}]");
    }

    [Theory]
    [MemberData(nameof(HfFamilyFixtures.AllCases), MemberType = typeof(HfFamilyFixtures))]
    public void Decode_MatchesHuggingFaceText(string family, int index)
    {
        var c = HfFamilyFixtures.Cases(family)[index];
        Assert.Equal(c.Decoded, HfFamilyFixtures.Tokenizer(family).Decode(c.Ids));
    }

    [Theory]
    [InlineData("llama3_1", "x𝟚y 𝟙𝟚𝟛𝟜")]
    [InlineData("deepseek_v3", "𝟙𝟚𝟛𝟜𝟝 𝔘𝔫𝔦")]
    [InlineData("gemma3", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 𠮷")]
    [InlineData("llama2", "rare 𪚥 and 𝟚")]
    public void DecodeOfEncode_RoundTripsSupplementaryPlaneText(string family, string text)
    {
        var tok = HfFamilyFixtures.Tokenizer(family);
        var decoded = tok.Decode(tok.Encode(text));
        // Llama 2's decoder strips the one leading space its normalizer's Prepend("▁") added.
        Assert.Equal(text, decoded);
    }

    // The lone half is passed as a number: xUnit would turn it into U+FFFD when it serializes the theory's data.
    [Theory]
    [InlineData("qwen3", "ab", 0xD800, "cd")]        // NFC normalizer: .NET's Normalize would throw from inside it
    [InlineData("llama3_1", "", 0xDC00, "x")]        // no normalizer: the byte-level step would write U+FFFD's bytes
    [InlineData("gemma3", "ok 😀 ", 0xD83D, "")]     // a high half at the end, after a valid pair
    public void LoneSurrogate_IsRefusedWithItsIndex(string family, string before, int half, string after)
    {
        var text = before + (char)half + after;
        var e = Assert.Throws<ArgumentException>(() => HfFamilyFixtures.Tokenizer(family).Encode(text));
        Assert.StartsWith($"invalid UTF-16 (lone surrogate) at index {before.Length}", e.Message);
    }

    [Fact]
    public void CodePointRegex_CountsAMathDigitAsOneDigit()
    {
        // Llama 3's \p{N}{1,3} on "𝟙𝟚𝟛𝟜" (four digits U+1D7D9..U+1D7DC, two UTF-16 units each): by code point that
        // is 3 + 1 digits → UTF-16 spans (0, 6) and (6, 2). A plain .NET Regex matches nothing (surrogate halves are Cs).
        var regex = new System.Text.RegularExpressions.Regex(@"\p{N}{1,3}");
        Assert.Empty(regex.Matches("𝟙𝟚𝟛𝟜"));
        Assert.Equal([(0, 6), (6, 2)], new Aha.Tokenization.Pipeline.CodePointRegex(regex).Matches("𝟙𝟚𝟛𝟜"));
        // Letters too: "a𝔘b" is one \p{L}+ run (1 + 2 + 1 units).
        Assert.Equal([(0, 4)], new Aha.Tokenization.Pipeline.CodePointRegex(new(@"\p{L}+")).Matches("a𝔘b"));
    }

    [Fact]
    public void Gemma3_SkipSpecialTokens_DropsControlTokensOnly()
    {
        var tok = HfFamilyFixtures.Tokenizer("gemma3");
        var ids = tok.Encode("<bos><start_of_turn>user\nHi<end_of_turn>");
        Assert.Equal("user\nHi", tok.Decode(ids, skipSpecialTokens: true));
        Assert.Equal(2, tok.BosTokenId);
    }

    private static string Escape(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
