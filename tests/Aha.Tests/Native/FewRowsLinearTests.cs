using System.Runtime.InteropServices;
using Aha.Generation;
using Aha.Models;
using Aha.Native;
using Aha.Tests.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Native;

/// <summary>
/// The native few-rows linear kernel against the product computed in float64, and decoding with it against decoding
/// with libtorch's matmul. The float32 tolerance is the rounding bound of the kernel's summation (Higham's γ_d·Σ|xⱼ·wⱼ|,
/// d the depth of its additions: at most k/16 terms per vector lane, then the lanes' tree and the bias), which a
/// missing or doubled term exceeds by orders of magnitude.
/// </summary>
public sealed class FewRowsLinearTests
{
    [Fact]
    public void IsBuiltAndLoaded_OnLinuxX64()
    {
        // The build compiles Native/Kernels/aha_kernels.c with the system C compiler; .ci/run installs one where missing.
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
            Assert.True(FewRowsLinear.IsAvailable, "libaha_kernels.so was not built or not loaded: install a C compiler (gcc) and rebuild");
    }

    [Theory]
    [InlineData(1, 16, 16384, true)]
    [InlineData(1, 7, 37451, false)]   // k below one vector: the scalar tail alone
    [InlineData(2, 33, 7944, true)]    // a 16-wide remainder and a scalar one
    [InlineData(3, 64, 4097, false)]
    [InlineData(4, 100, 2623, true)]
    [InlineData(5, 257, 1021, true)]   // a second group of x rows
    [InlineData(8, 896, 300, false)]   // Qwen2.5-0.5B's hidden size, two full groups of four rows
    public void MatchesTheProductInFloat64(int m, int k, int n, bool withBias)
    {
        var g = new Generator((ulong)(m * 1000 + k));
        var x = torch.randn(m, k, generator: g);
        var w = torch.randn(n, k, generator: g);
        var b = withBias ? torch.randn(n, generator: g) : null;
        using var _ = torch.no_grad();
        var y = FewRowsLinear.TryLinear(x, w, b);
        Assert.NotNull(y);
        AssertWithinDotProductRounding(y!, x, w, b, residual: null);
    }

    /// <summary>
    /// bfloat16 tensors throughout, as a bfloat16 model decodes: the weights are read as stored and the products summed in
    /// float32, so the result is the float64 product of the same bfloat16 values within the summation's bound plus one
    /// rounding to bfloat16 (half a unit in the last of its 8 significant bits).
    /// </summary>
    [Theory]
    [InlineData(1, 896, 300, true)]
    [InlineData(3, 33, 7944, false)]
    [InlineData(6, 257, 1021, true)]
    public void Bfloat16_IsTheProductOfTheStoredValues_RoundedOnce(int m, int k, int n, bool withResidual)
    {
        var g = new Generator((ulong)(m * 7 + k));
        var x = torch.randn(m, k, generator: g).to(ScalarType.BFloat16);
        var w = torch.randn(n, k, generator: g).to(ScalarType.BFloat16);
        var b = torch.randn(n, generator: g).to(ScalarType.BFloat16);
        var residual = withResidual ? torch.randn(m, n, generator: g).to(ScalarType.BFloat16) : null;
        using var _ = torch.no_grad();
        var y = FewRowsLinear.TryLinear(x, w, b, residual);
        Assert.NotNull(y);
        Assert.Equal(ScalarType.BFloat16, y!.dtype);
        AssertWithinDotProductRounding(y, x, w, b, residual, outputUnitRoundoff: Math.Pow(2, -8));
    }

    [Fact]
    public void AddsToTheResidual_WithoutWritingIntoIt()
    {
        var g = new Generator(7);
        var residual = torch.randn(2, 1, 2048, generator: g);
        var before = residual.clone();
        var x = torch.randn(2, 1, 128, generator: g);
        var w = torch.randn(2048, 128, generator: g);
        var b = torch.randn(2048, generator: g);
        using var _ = torch.no_grad();
        var y = FewRowsLinear.TryLinear(x, w, b, residual);
        Assert.NotNull(y);
        Assert.Equal(new long[] { 2, 1, 2048 }, y!.shape);
        AssertWithinDotProductRounding(y.reshape(2, 2048), x.reshape(2, 128), w, b, residual.reshape(2, 2048));
        Assert.True(residual.eq(before).all().item<bool>());
    }

    [Fact]
    public void ReadsAStridedView_AsTheLastPositionOfASequence()
    {
        var g = new Generator(8);
        var hidden = torch.randn(3, 5, 64, generator: g);
        var last = hidden[.., -1, ..]; // [3, 64], rows 5·64 apart
        var w = torch.randn(4096, 64, generator: g);
        using var _ = torch.no_grad();
        var y = FewRowsLinear.TryLinear(last, w, null);
        Assert.NotNull(y);
        AssertWithinDotProductRounding(y!, last.contiguous(), w, null, null);
    }

    [Fact]
    public void Declines_WhatItDoesNotCompute()
    {
        var w = torch.randn(4096, 64);
        using (torch.no_grad())
        {
            Assert.NotNull(FewRowsLinear.TryLinear(torch.randn(1, 64), w, null));
            Assert.Null(FewRowsLinear.TryLinear(torch.randn(FewRowsLinear.MaxRows + 1, 64), w, null)); // a real matmul: MKL's
            Assert.Null(FewRowsLinear.TryLinear(torch.randn(1, 64), torch.randn(4095, 64), null)); // in cache: MKL is quicker
            Assert.Null(FewRowsLinear.TryLinear(torch.randn(1, 64, dtype: ScalarType.BFloat16), w, null)); // mixed dtypes
            Assert.Null(FewRowsLinear.TryLinear(torch.randn(1, 64, dtype: ScalarType.Float16), w.to(ScalarType.Float16), null));
            Assert.Null(FewRowsLinear.TryLinear(torch.randn(1, 64), torch.randn(64, 4096).t(), null)); // a transposed weight
        }
        var trainable = torch.randn(4096, 64).requires_grad_();
        Assert.Null(FewRowsLinear.TryLinear(torch.randn(1, 64), trainable, null)); // autograd must see the product
        Assert.NotNull(FewRowsLinear.Linear(torch.randn(1, 64), trainable)); // which libtorch then computes
    }

    [Fact]
    public void Decoding_GivesTheSameGreedyCompletionsAsLibtorch_AndLogProbsWithin1e4()
    {
        // weights the kernel takes: the head and the MLP's (2 048 × 128 = 2¹⁸); the attention's stay with libtorch
        var config = TinyModels.Qwen2() with { HiddenSize = 128, IntermediateSize = 2048, VocabSize = 2048, NumHeads = 4, HeadDim = 32 };
        Assert.True((long)config.VocabSize * config.HiddenSize >= FewRowsLinear.MinWeights);
        using var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed: 3);
        var engine = new LocalRolloutEngine(model);
        var random = new Random(4);
        var prompts = Enumerable.Range(0, 4)
            .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, 6).Select(_ => random.Next(config.VocabSize)).ToArray()).ToArray();
        var greedy = new SamplingParams { MaxNewTokens = 12, Temperature = 0 };
        DecodeLayer.Enabled = false; // the kernel within blocks run op by op; DecodeLayerTests compares the whole-block call with that
        try { Compare(); }
        finally { DecodeLayer.Enabled = true; }

        void Compare()
        {
            foreach (var rows in new[] { prompts[..1], prompts })
            {
                var withKernel = engine.Generate(rows, greedy);
                FewRowsLinear.Enabled = false;
                IReadOnlyList<Completion> withLibtorch;
                try { withLibtorch = engine.Generate(rows, greedy); }
                finally { FewRowsLinear.Enabled = true; }
                CompletionAssert.Same(withLibtorch, withKernel);
            }
        }
    }

    static void AssertWithinDotProductRounding(Tensor actual, Tensor x, Tensor w, Tensor? b, Tensor? residual, double outputUnitRoundoff = 0)
    {
        var x64 = x.to(ScalarType.Float64);
        var w64 = w.to(ScalarType.Float64);
        var expected = x64.matmul(w64.t());
        var scale = x64.abs().matmul(w64.abs().t());                 // Σ|xⱼ·wⱼ|
        if (b is not null) { expected += b.to(ScalarType.Float64); scale += b.to(ScalarType.Float64).abs(); }
        if (residual is not null) { expected += residual.to(ScalarType.Float64); scale += residual.to(ScalarType.Float64).abs(); }
        var error = (actual.to(ScalarType.Float64) - expected).abs();
        double depth = x.shape[1] / 16.0 + 8;
        var bound = scale * (depth * 1.1920929e-7) + expected.abs() * outputUnitRoundoff + 1e-30;
        double worst = (error / bound).max().item<double>();
        Assert.True(worst <= 1, $"error {worst:F2}× the rounding bound");
    }
}
