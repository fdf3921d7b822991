using Aha.Benchmarks;
using static TorchSharp.torch;

namespace Aha.Tests.Benchmarks;

public sealed class GenerationBenchmarkTests
{
    [Fact]
    public void Figures_FollowFromTheMeasuredStepAndBandwidth()
    {
        var config = TinyModels.Qwen2();
        var r = GenerationBenchmark.Run(new GenerationBenchmarkOptions
        {
            Models = [("tiny", config)], Dtypes = [ScalarType.Float32, ScalarType.BFloat16], Batches = [1, 3], DecodeTokens = 4,
            PrefixShape = new RolloutShape(config, 2, 3, 5, 4), PrefixSharingRuns = 1,
        });
        Assert.True(r.MemoryGigabytesPerSecond > 0 && r.ReadGigabytesPerSecond > 0);
        Assert.Equal(Aha.Native.FewRowsLinear.IsAvailable, r.NativeKernels);
        Assert.Equal(["float32/1", "float32/3", "bfloat16/1", "bfloat16/3"], r.Decode.Select(d => $"{d.Dtype}/{d.Batch}"));
        foreach (var d in r.Decode)
        {
            long elementBytes = d.Dtype == "float32" ? 4 : 2;
            Assert.Equal(config.ParameterCount() * elementBytes, d.WeightBytes); // tied: the embedding counted once
            Assert.Equal(d.Batch / (d.StepMilliseconds / 1e3), d.TokensPerSecond, 6);
            Assert.Equal(d.Batch * r.MemoryGigabytesPerSecond * 1e9 / d.WeightBytes, d.BoundTokensPerSecond, 6);
            Assert.Equal(d.TokensPerSecond / d.BoundTokensPerSecond, d.FractionOfBound, 9);
            Assert.Equal(d.TokensPerSecond / (d.Batch * r.ReadGigabytesPerSecond * 1e9 / d.WeightBytes), d.FractionOfReadBound, 9);
            // libtorch's figure only where the kernel replaced it: this model's weights are all below its minimum
            Assert.Null(d.LibtorchTokensPerSecond);
            Assert.Null(d.OpByOpTokensPerSecond);
        }
        var p = r.PrefixSharing!;
        Assert.Equal((2, 3, 5, 4), (p.Prompts, p.Generations, p.PromptTokens, p.NewTokens));
        Assert.Equal(p.UnsharedSeconds / p.SharedSeconds, p.Speedup, 9);
        Assert.Null(r.KvCacheVsRecompute);
    }

    [Fact]
    public void OpByOpFigure_WhereTheNativeBlockTakesTheStep()
    {
        // gate/up 2 048 × 128 = 2¹⁸ floats: the native block takes a step of up to 8 rows (float32 or bfloat16), not 9
        var config = TinyModels.Qwen2() with { HiddenSize = 128, IntermediateSize = 2048, NumHeads = 4, HeadDim = 32 };
        var r = GenerationBenchmark.Run(new GenerationBenchmarkOptions
        {
            Models = [("block", config)], Dtypes = [ScalarType.Float32, ScalarType.BFloat16], Batches = [1, 9], DecodeTokens = 3, PrefixSharing = false,
        });
        bool native = Aha.Native.DecodeLayer.IsAvailable;
        Assert.Equal([native, false, native, false], r.Decode.Select(d => d.OpByOpTokensPerSecond is > 0));
    }
}
