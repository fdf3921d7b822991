using Aha.Data;

namespace Aha.Tests.Data;

public sealed class StreamingAndShuffleTests
{
    [Fact]
    public void Shuffle_IsDeterministicBySeed_AndAPermutation()
    {
        var items = Enumerable.Range(0, 1000).ToList();
        var a = DataShuffle.Shuffle(items, 1);
        Assert.Equal(a, DataShuffle.Shuffle(items, 1));
        Assert.NotEqual(a, DataShuffle.Shuffle(items, 2));
        Assert.NotEqual(items, a);
        Assert.Equal(items, a.Order());
    }

    [Fact]
    public void Split_IsDisjointCompleteAndSized()
    {
        var (train, eval) = DataShuffle.Split(Enumerable.Range(0, 1000), 0.1, seed: 9);
        Assert.Equal(100, eval.Count);   // round(1000 · 0.1)
        Assert.Equal(900, train.Count);
        Assert.Empty(train.Intersect(eval));
        Assert.Equal(Enumerable.Range(0, 1000), train.Concat(eval).Order());
        Assert.Equal(eval, DataShuffle.Split(Enumerable.Range(0, 1000), 0.1, seed: 9).Eval);
    }

    [Fact]
    public void SeededRandom_SequenceIsFixed()
    {
        // SplitMix64 reference value for seed 0 (first output of the published generator): 0xE220A8397B1DCDAF.
        Assert.Equal(0xE220A8397B1DCDAFUL, new SeededRandom(0).NextUInt64());
    }
}
