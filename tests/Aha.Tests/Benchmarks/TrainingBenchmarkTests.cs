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
        // The replayed products' FLOPs, by hand (StepMatmulsFlops_AreSixTimesTheLinearWeightsPerToken): 6·16 640·16.
        Assert.True(r.MatmulsAloneSeconds > 0);
        Assert.Equal(6.0 * 16_640 * tokens / r.MatmulsAloneSeconds / 1e9 / r.MatmulGflops, r.MatmulsAloneFractionOfMatmul, 6);
    }

    /// <summary>
    /// Weights the replay multiplies, counted by hand. TinyModels.Qwen2 (hidden 32, 4 heads and 2 KV of 8, SwiGLU 48,
    /// 2 layers, vocab 40 tied): per layer q 32·32 + k 32·16 + v 32·16 + o 32·32 + gate, up, down 3·32·48 = 7 680, so
    /// 15 360, and the head 40·32 = 1 280: 16 640 (the parameters' other 40·32 is the same tied table; biases and norm
    /// gains are not products). Small4M (hidden 256, 4 heads and 2 KV of 64, SwiGLU 768, 4 layers, vocab 1 024): per layer
    /// 65 536 + 32 768 + 32 768 + 65 536 + 3·196 608 = 786 432, so 3 145 728, and the head 262 144: 3 407 872 — its 3 412 224
    /// parameters less 2 048 biases and 2 304 norm gains.
    /// </summary>
    [Fact]
    public void StepMatmulsFlops_AreSixTimesTheLinearWeightsPerToken()
    {
        using (var tiny = TinyModels.Build(TinyModels.Qwen2()))
        using (var replay = new StepMatmuls(tiny, 16))
            Assert.Equal(6.0 * 16_640 * 16, replay.Flops);
        using var small = new Aha.Models.CausalLM(BenchModels.Small4M);
        using var smallReplay = new StepMatmuls(small, 8);
        Assert.Equal(6.0 * 3_407_872 * 8, smallReplay.Flops);
        Assert.True(smallReplay.Run() > 0);
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
