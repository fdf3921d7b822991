using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

public sealed class CharAlphabetTests
{
    [Fact]
    public void Of_SortsDistinctCharacters_WithoutTheAtomicTags()
    {
        // "<think>12+3</think> é" without its tags: 1 2 + 3 space é; "<x>" adds < x >; the always-set adds a
        var alphabet = CharAlphabet.Of(["<think>12+3</think> é", "<x>3"], ["<think>", "</think>"], always: "a");
        Assert.Equal(" +123<>axé", alphabet);
    }

    [Fact]
    public void Of_DoesNotDependOnTheOrderOfTheTexts()
    {
        Assert.Equal(CharAlphabet.Of(["zy", "ab🙂"], []), CharAlphabet.Of(["ab🙂", "zy"], []));
        Assert.Equal("abyz🙂", CharAlphabet.Of(["zy", "ab🙂"], []));
    }

    [Fact]
    public void Of_RemovesALongerTagWhole_WhenAShorterOneIsInsideIt()
    {
        // "<a>" inside "<a>b>": removing "<a>" first would leave "b>"; longest first leaves nothing
        Assert.Equal("c", CharAlphabet.Of(["<a>b>c"], ["<a>", "<a>b>"]));
    }
}
