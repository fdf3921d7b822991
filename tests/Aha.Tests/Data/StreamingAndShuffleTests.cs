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
    public void EpochOrder_IsAFreshPermutationPerEpoch_AndThePromptSourceFollowsIt()
    {
        var e0 = DataShuffle.EpochOrder(50, seed: 3, epoch: 0);
        var e1 = DataShuffle.EpochOrder(50, seed: 3, epoch: 1);
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.Equal(Enumerable.Range(0, 50), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.Equal(e1, DataShuffle.EpochOrder(50, seed: 3, epoch: 1));
        Assert.NotEqual(e1, DataShuffle.EpochOrder(50, seed: 4, epoch: 1));

        var items = Enumerable.Range(0, 50).Select(i => new PromptItem($"id{i}", $"p{i}", null)).ToList();
        var source = new Aha.Training.OnPolicy.ShuffledPromptSource(items, seed: 3) { Position = 50 };   // the start of epoch 1
        Assert.Equal(e1.Take(5).Select(i => $"p{i}"), Enumerable.Range(0, 5).Select(_ => source.Next().Prompt));
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
