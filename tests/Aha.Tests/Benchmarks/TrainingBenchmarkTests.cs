using Aha.Benchmarks;

namespace Aha.Tests.Benchmarks;

public sealed class TrainingBenchmarkTests
{
    [Fact]
    public void Figures_FollowFromTheMedianStep()
    {
        var config = TinyModels.Qwen2();
        var r = TrainingBenchmark.Run(config, batch: 2, sequenceLength: 8, warmupSteps: 1, steps: 3);
        long tokens = 2 * 8;
        Assert.Equal(config.ParameterCount(), r.Parameters);
        Assert.Equal(3, r.Steps);
        Assert.True(r.StepSeconds > 0 && r.MeanStepSeconds > 0);
        Assert.Equal(tokens / r.StepSeconds, r.TokensPerSecond, 6);
        Assert.Equal(6.0 * r.Parameters * tokens / r.StepSeconds / 1e9, r.AchievedGflops, 6);
        Assert.True(r.MatmulGflops > 0);
        Assert.Equal(r.AchievedGflops / r.MatmulGflops, r.FractionOfMatmul, 9);
    }

    [Fact]
    public void NoTimedSteps_IsRejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => TrainingBenchmark.Run(TinyModels.Qwen2(), batch: 1, sequenceLength: 4, steps: 0));
}
