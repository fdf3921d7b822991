using Aha.Models;
using Aha.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Native;

/// <summary>
/// The native causal attention (<see cref="FusedAttention"/>) against softmax(q·kᵀ/√D + mask)·v written out in float64
/// with libtorch's ops and autograd — K/V repeated per query head as HF's repeat_kv does, the causal mask built from
/// index comparisons — an independent computation: none of the kernel's or of <see cref="ScaledDotProductAttention"/>'s
/// code runs there. Inputs are transposed views of token-major tensors, as the projections give them.
/// </summary>
public sealed class FusedAttentionTests : FusedKernelsOn
{
    /// <summary>Of <see cref="KernelAssert.Close"/>: float32 products of 16–128 terms against float64.</summary>
    const double Tolerance = 2e-5;

    /// <summary>[B, T, heads, D] leaves (token-major, as a projection's output is viewed) with gradients.</summary>
    static Tensor Leaf(long b, long t, long heads, long d, Generator g) => torch.randn(b, t, heads, d, generator: g).requires_grad_();

    /// <summary>softmax(q·kᵀ/√D + additive)·v in float64, q [B, nh, T, D], k/v [B, nkv, T, D] → [B, T, nh, D].</summary>
    static Tensor Reference(Tensor q, Tensor k, Tensor v, Tensor? additive)
    {
        long rep = q.shape[1] / k.shape[1], t = q.shape[2];
        Tensor q64 = q.to(ScalarType.Float64), k64 = k.to(ScalarType.Float64).repeat_interleave(rep, 1), v64 = v.to(ScalarType.Float64).repeat_interleave(rep, 1);
        var future = torch.arange(t).unsqueeze(0).gt(torch.arange(t).unsqueeze(1)); // [T, T]: key j after query i
        var scores = q64.matmul(k64.transpose(2, 3)) / Math.Sqrt(q.shape[3]);
        if (additive is not null) scores = scores + additive.to(ScalarType.Float64);
        scores = scores.masked_fill(future, double.NegativeInfinity);
        return scores.softmax(-1).matmul(v64).transpose(1, 2);
    }

    /// <summary>
    /// Output and the three gradients, kernel vs float64, for an upstream gradient that is zero on the query rows
    /// <paramref name="ignoredRows"/> marks (padding queries, whose outputs nothing reads).
    /// </summary>
    static void AssertMatchesReference(long b, long heads, long kvHeads, long t, long d, Tensor? mask, Tensor? ignoredRows, ulong seed)
    {
        var g = new Generator(seed);
        Tensor q = Leaf(b, t, heads, d, g), k = Leaf(b, t, kvHeads, d, g), v = Leaf(b, t, kvHeads, d, g);
        var upstream = torch.randn(b, t, heads, d, generator: g);
        if (ignoredRows is not null) upstream = upstream.masked_fill(ignoredRows.view(b, t, 1, 1), 0);

        var output = FusedAttention.TryCompute(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), mask);
        Assert.NotNull(output);
        Assert.Equal([b, t, heads, d], output!.shape);
        output.backward([upstream]);
        Tensor[] grads = [q.grad!.clone(), k.grad!.clone(), v.grad!.clone()];

        Tensor q64 = q.detach().to(ScalarType.Float64).requires_grad_(), k64 = k.detach().to(ScalarType.Float64).requires_grad_(),
            v64 = v.detach().to(ScalarType.Float64).requires_grad_();
        var expected = Reference(q64.transpose(1, 2), k64.transpose(1, 2), v64.transpose(1, 2), mask);
        expected.backward([upstream.to(ScalarType.Float64)]);

        var kept = ignoredRows is null ? torch.ones(b, t, 1, 1) : ignoredRows.logical_not().view(b, t, 1, 1).to(ScalarType.Float32);
        KernelAssert.Close(expected.detach() * kept, output.detach() * kept, Tolerance, "output");
        KernelAssert.Close(q64.grad!, grads[0], Tolerance, "dq");
        KernelAssert.Close(k64.grad!, grads[1], Tolerance, "dk");
        KernelAssert.Close(v64.grad!, grads[2], Tolerance, "dv");
        Assert.True(grads[2].abs().sum().item<float>() > 0);
        if (t > 1) Assert.True(grads[0].abs().sum().item<float>() > 0 && grads[1].abs().sum().item<float>() > 0); // at T = 1 (one key) dq and dk are 0
    }

    [Theory]
    [InlineData(2, 4, 2, 37, 64)]   // grouped K/V, T not a multiple of 16 (a padded tail on every softmax row)
    [InlineData(3, 4, 2, 128, 64)]  // Small4M's heads at the training benchmark's length
    [InlineData(1, 2, 1, 5, 16)]    // shorter than one vector; one K/V head for two query heads
    [InlineData(2, 2, 2, 70, 128)]  // head dimension over one 64-wide tile; no grouping
    [InlineData(2, 6, 2, 1, 64)]    // one token
    public void Causal_ForwardAndBackward_MatchFloat64(long b, long heads, long kvHeads, long t, long d)
        => AssertMatchesReference(b, heads, kvHeads, t, d, mask: null, ignoredRows: null, seed: (ulong)(b * 1000 + t * 10 + d));

    [Fact]
    public void LeftPadding_MatchesFloat64_OnTheRowsThatAreRead()
    {
        long b = 3, t = 40;
        var keyMask = torch.ones(b, t, dtype: ScalarType.Int64);
        keyMask[1, TensorIndex.Slice(0, 7)] = torch.tensor(0L);  // 7 padding tokens on the left
        keyMask[2, TensorIndex.Slice(0, 19)] = torch.tensor(0L); // more than one 16-wide vector of them
        var mask = AttentionMasks.Additive(keyMask, t, 0, ScalarType.Float32, torch.CPU)!;
        AssertMatchesReference(b, 4, 2, t, 64, mask, ignoredRows: keyMask.eq(0), seed: 3);
    }

    [Fact]
    public void PackedSequences_MatchFloat64_BlockCausal()
    {
        // Two rows of packed sequences: 1,1,1,2,2,… with a padded tail (segment 0) on the second.
        var segments = torch.tensor(new long[,]
        {
            { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 },
            { 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0 },
        });
        var mask = AttentionMasks.BlockCausal(segments, ScalarType.Float32);
        AssertMatchesReference(2, 4, 2, segments.shape[1], 64, mask, ignoredRows: segments.eq(0), seed: 4);
    }

    [Fact]
    public void WithoutGradient_IsTheForwardAlone()
    {
        var g = new Generator(5);
        Tensor q = torch.randn(2, 33, 4, 64, generator: g), k = torch.randn(2, 33, 2, 64, generator: g), v = torch.randn(2, 33, 2, 64, generator: g);
        var expected = Reference(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), null);
        using (torch.no_grad())
        {
            var output = FusedAttention.TryCompute(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), null)!;
            Assert.False(output.requires_grad);
            KernelAssert.Close(expected, output, Tolerance, "output");
        }
    }

    [Fact]
    public void ScaledDotProductAttention_TakesIt_WhereEagerWouldRun()
    {
        var g = new Generator(6);
        Tensor q = torch.randn(2, 4, 20, 64, generator: g).requires_grad_(), k = torch.randn(2, 2, 20, 64, generator: g), v = torch.randn(2, 2, 20, 64, generator: g);
        var output = ScaledDotProductAttention.Compute(q, k, v, null);
        Assert.True(output.requires_grad);
        // The kernel's float32 rounding, bit for bit, not eager attention's (another summation order).
        var direct = FusedAttention.TryCompute(q, k, v, null)!;
        Assert.True(direct.equal(output).all().item<bool>());
        Assert.False(ScaledDotProductAttention.Eager(q, k, v, null).equal(output).all().item<bool>());
        KernelAssert.Close(Reference(q, k, v, null), output, Tolerance, "output");
    }

    [Fact]
    public void Declines_WhatTheKernelDoesNotCompute()
    {
        Tensor Q(long t, long d) => torch.randn(1, 4, t, d);
        Tensor KV(long t, long d) => torch.randn(1, 2, t, d);
        Assert.Null(FusedAttention.TryCompute(Q(1, 64), KV(9, 64), KV(9, 64), null));                   // a decode step over a cached past
        Assert.Null(FusedAttention.TryCompute(Q(8, 24), KV(8, 24), KV(8, 24), null));                   // head dimension not a multiple of 16
        Assert.Null(FusedAttention.TryCompute(Q(8, 64).to(ScalarType.BFloat16), KV(8, 64).to(ScalarType.BFloat16), KV(8, 64).to(ScalarType.BFloat16), null));
        Assert.Null(FusedAttention.TryCompute(Q(8, 64), KV(8, 64), KV(8, 64), torch.zeros(1, 4, 8, 8)));  // a mask per head
        Assert.Null(FusedAttention.TryCompute(Q(8, 64), KV(8, 64), KV(8, 64), torch.zeros(8, 8)));        // a mask without batch dimensions
        Assert.Null(FusedAttention.TryCompute(Q(8, 64), torch.randn(1, 3, 8, 64), torch.randn(1, 3, 8, 64), null)); // 4 query heads over 3 K/V heads
        NativeKernels.FusedEnabled = false;
        Assert.Null(FusedAttention.TryCompute(Q(8, 64), KV(8, 64), KV(8, 64), null));
    }

    /// <summary>
    /// A Qwen3 block (head dimension 16) over a left-padded batch, kernel on vs libtorch's eager attention: logits at the
    /// real tokens and every parameter's gradient of a loss over them equal up to float32 rounding.
    /// </summary>
    [Fact]
    public void PaddedTrainingStep_EqualsLibtorchs()
    {
        var config = TinyModels.Qwen3();
        using var model = TinyModels.Build(config, seed: 9);
        var ids = torch.randint(config.VocabSize, [3, 21], generator: new Generator(10));
        var attention = torch.ones(3, 21, dtype: ScalarType.Int64);
        attention[1, TensorIndex.Slice(0, 5)] = torch.tensor(0L);
        attention[2, TensorIndex.Slice(0, 17)] = torch.tensor(0L);
        // Positions whose input and target are both real tokens: a padding query's output (equal weights on whatever it
        // sees) differs between the kernels and is read by nothing else.
        var real = (attention.narrow(1, 0, 20) * attention.narrow(1, 1, 20)).to(ScalarType.Float32);

        (Tensor Logits, Dictionary<string, Tensor> Grads) Step()
        {
            model.zero_grad();
            var logits = model.Forward(ids.narrow(1, 0, 20), attention.narrow(1, 0, 20));
            var tokenLoss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), ids.narrow(1, 1, 20).reshape(-1), reduction: nn.Reduction.None);
            (tokenLoss * real.reshape(-1)).sum().backward();
            return (logits.detach() * attention.narrow(1, 0, 20).unsqueeze(-1), model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        var fused = Step();
        NativeKernels.FusedEnabled = false;
        var plain = Step();
        NativeKernels.FusedEnabled = true;

        Assert.True((fused.Logits - plain.Logits).abs().max().item<float>() <= 1e-5, $"logits differ by {(fused.Logits - plain.Logits).abs().max().item<float>()}");
        KernelAssert.SameGradients(plain.Grads, fused.Grads);
    }
}
