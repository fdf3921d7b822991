using Aha.Serving;

namespace Aha.Tests.Benchmarks;

public sealed class RolloutBenchmarkTests
{
    [Fact]
    public void TinyShape_ReportsEveryFigure_Consistently()
    {
        // figures are timings and not asserted; their presence, sign and the ratios between them are
        var r = RolloutBenchmark.Run(new RolloutBenchmarkOptions
        {
            Model = TinyModels.Qwen2(), Clients = 3, Generations = 2, PromptTokens = 4, NewTokens = 3, Runs = 1,
            StepPrompts = 2, Steps = 2, StepRuns = 1,
        });
        var s = r.Serving;
        Assert.True(s.ServerSeconds > 0 && s.EngineSeconds > 0);
        Assert.Equal(3 / s.ServerSeconds, s.ServerRequestsPerSecond, 6);
        Assert.Equal(3 * 2 * 3 / s.ServerSeconds, s.ServerTokensPerSecond, 6);
        Assert.Equal(3 * 2 * 3 / s.EngineSeconds, s.EngineTokensPerSecond, 6);
        Assert.Equal(s.ServerSeconds / s.EngineSeconds, s.HttpOverhead, 9);
        Assert.InRange(s.EngineCallsPerRun, 1, 3);                 // batched: never more calls than requests
        var t = r.Steps;
        Assert.Equal(1, t.TimedSteps);
        Assert.True(t.SyncStepSeconds > 0 && t.OneStepOffStepSeconds > 0 && t.GenSeconds > 0 && t.UpdateSeconds > 0);
        Assert.Equal(t.SyncStepSeconds / t.OneStepOffStepSeconds, t.Speedup, 9);
    }
}
