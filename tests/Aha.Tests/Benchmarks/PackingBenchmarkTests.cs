using Aha.Benchmarks;

namespace Aha.Tests.Benchmarks;

public sealed class PackingBenchmarkTests
{
    [Fact]
    public void Figures_FollowFromTheMedianSteps()
    {
        var config = TinyModels.Qwen2();
        var r = PackingBenchmark.Run(config, sequences: 6, minLength: 2, maxLength: 9, capacity: 12, warmupSteps: 0, steps: 1);
        Assert.Equal(6, r.Sequences);
        Assert.InRange(r.UsefulTokens, 6 * 2, 6 * 9);
        Assert.True(r.PackedSlots >= r.UsefulTokens && r.PaddedSlots >= r.UsefulTokens);
        Assert.True(r.PackedRows >= (r.UsefulTokens + 11) / 12);
        Assert.Equal(r.UsefulTokens / r.PaddedSeconds, r.PaddedUsefulTokensPerSecond, 6);
        Assert.Equal(r.UsefulTokens / r.PackedSeconds, r.PackedUsefulTokensPerSecond, 6);
        Assert.Equal(r.PaddedSeconds / r.PackedSeconds, r.Speedup, 9);
    }
}
