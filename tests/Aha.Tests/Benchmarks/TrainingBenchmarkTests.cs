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
        Assert.Equal(Aha.Native.FusedRmsNorm.IsAvailable, r.FusedKernels);
        if (r.FusedKernels)
            Assert.Equal(6.0 * r.Parameters * tokens / r.LibtorchStepSeconds!.Value / 1e9 / r.MatmulGflops, r.LibtorchFractionOfMatmul!.Value, 6);
        else Assert.Null(r.LibtorchStepSeconds);
    }

    /// <summary>
    /// Counted by hand: embedding 1 024·896 = 917 504; q 896·896 + 896 = 803 712; k and v 896·128 + 128 = 114 816 each;
    /// o 896·896 = 802 816; gate and up 896·4 864 = 4 358 144 each; down 4 358 144; two norms 1 792; final norm 896.
    /// </summary>
    [Fact]
    public void HalfBLayer_HasQwen25HalfBsLayerShapes()
    {
        var layer = BenchModels.Qwen25HalfBLayer;
        Assert.Equal(15_830_784, layer.ParameterCount());
        var full = BenchModels.Qwen25HalfB;
        Assert.Equal((full.HiddenSize, full.IntermediateSize, full.NumHeads, full.NumKvHeads, full.HeadDim),
            (layer.HiddenSize, layer.IntermediateSize, layer.NumHeads, layer.NumKvHeads, layer.HeadDim));
    }

    [Fact]
    public void NoTimedSteps_IsRejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => TrainingBenchmark.Run(TinyModels.Qwen2(), batch: 1, sequenceLength: 4, steps: 0));
}
