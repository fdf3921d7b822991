using Aha.Data;
using Aha.Generation;
using Aha.Rewards;
using Aha.Training.OnPolicy;

namespace Aha.Tests.Training.OnPolicy;

public sealed class StalenessTests
{
    static RolloutSample Sample(long? version) =>
        new(new PromptItem("p", "ab", null), [1, 2], new Completion([1, 2], [3], [-0.5f], FinishReason.Eos) { WeightVersion = version },
            "x", new SampleReward(0, true, []), 0);

    static RolloutGroup Group(params long?[] versions) => new(versions.Select(Sample).ToList());

    [Fact]
    public void DropStale_KeepsGroupsWithinK_AndDropsAWholeGroupForOneStaleSample()
    {
        // step 5, k = 2: versions 3, 4, 5 are 2, 1, 0 steps old (kept); version 2 is 3 old (its whole group goes)
        var groups = new[] { Group(5, 5), Group(3, 4), Group(4, 2), Group(null, null) };
        var (kept, dropped) = Staleness.DropStale(groups, step: 5, maxStaleness: 2, launch: 3);
        Assert.Equal(1, dropped);
        Assert.Equal([groups[0], groups[1], groups[3]], kept);
    }

    [Fact]
    public void UnstampedSamples_TakeTheVersionTheBatchWasLaunchedWith()
    {
        // the local engine stamps nothing: the version is the one the batch was launched with (4), 6 − 4 = 2 > 1
        var (kept, dropped) = Staleness.DropStale([Group(null, null)], step: 6, maxStaleness: 1, launch: 4);
        Assert.Empty(kept);
        Assert.Equal(1, dropped);
        Assert.Equal(4, Staleness.Version(Sample(null), launch: 4));
        Assert.Equal(6, Staleness.Version(Sample(6), launch: 4));
    }
}
