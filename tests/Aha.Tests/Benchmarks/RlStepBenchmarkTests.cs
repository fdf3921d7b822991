using Aha.Benchmarks;
using Aha.Tests.Training.OnPolicy;
using Aha.Tracking;
using M = Aha.Tracking.MetricNames;

namespace Aha.Tests.Benchmarks;

public sealed class RlStepBenchmarkTests
{
    [Fact]
    public void TinyShape_ReportsEveryPhase_Consistently()
    {
        // figures are timings and not asserted; their presence, sign and the sums and ratios between them are
        var r = RlStepBenchmark.Run(new RlStepBenchmarkOptions
        {
            Shape = new RolloutShape(TinyModels.Qwen2(), DistinctPrompts: 2, Generations: 2, PromptTokens: 3, NewTokens: 6),
            StopTokens = 4, MiniBatchSize = 2, MicroBatchSize = 1, MicroBatchTokens = 8, Steps = 1, MinCompletionTokens = 2,
        });
        Assert.True(r.MatmulGflops > 0);
        Assert.Equal(new[] { (true, true), (false, false) }, r.Steps.Select(v => (v.PrefixSharing, v.Packing)));
        foreach (var v in r.Steps)
        {
            StepTimingTests.CheckSums(v.Metrics);
            // β = 0.04 runs the reference, two mini-batches recompute π_old; GRPO has no critic
            Assert.True(v.Metrics[M.TimingRef] > 0 && v.Metrics[M.TimingOldLogProb] > 0 && v.Metrics[M.TimingUpdateActor] > 0);
            Assert.Equal(0.0, v.Metrics[M.TimingUpdateCritic]);
            Assert.True(v.Metrics[M.PerfMfu] > 0 && v.Metrics[M.PerfMfuActor] > 0 && v.Metrics[M.Throughput] > 0);
            Assert.InRange(v.Metrics[M.CompletionLenMean], 0, 6);
        }
        var p = r.Packing;
        Assert.Equal(4, p.Rows);
        Assert.InRange(p.UsefulTokens, 4 * (3 + 2), 4 * (3 + 6));   // 4 rows of a 3-token prompt and 2–6 completion tokens
        Assert.Equal(p.UsefulTokens / p.PaddedUpdateActorSeconds, p.PaddedUsefulTokensPerSecond, 9);
        Assert.Equal(p.UsefulTokens / p.PackedUpdateActorSeconds, p.PackedUsefulTokensPerSecond, 9);
        Assert.Equal(p.PaddedUpdateActorSeconds / p.PackedUpdateActorSeconds, p.ActorSpeedup, 9);
        Assert.Equal(p.PaddedUpdateSeconds / p.PackedUpdateSeconds, p.UpdateSpeedup, 9);
        Assert.True(p.PackedUpdateActorSeconds <= p.PackedUpdateSeconds && p.PaddedUpdateActorSeconds <= p.PaddedUpdateSeconds);
    }
}
