using System.Runtime.InteropServices;
using Aha.Models;
using Aha.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Native;

/// <summary>
/// The fused RMSNorm and SwiGLU kernels against the same functions computed in float64 by libtorch's ops and autograd
/// (an independent computation: no code of the kernels runs there), and a training step of a whole model with the
/// kernels on against the same step with libtorch's ops. The kernels are off by default (<c>AHA_FUSED_KERNELS</c>); each
/// test turns them on and puts the process's setting back.
/// </summary>
public sealed class FusedKernelsTests : FusedKernelsOn
{
    const double Eps = 1e-6;

    [Fact]
    public void AreBuiltAndLoaded_OnLinuxX64()
    {
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.True(FusedRmsNorm.IsAvailable, "libaha_kernels.so was not built or lacks aha_rms_norm: install a C compiler (gcc) and rebuild");
            Assert.True(FusedSwiGlu.IsAvailable, "libaha_kernels.so was not built or lacks aha_swiglu: install a C compiler (gcc) and rebuild");
            Assert.True(FusedAttention.IsAvailable, "libaha_kernels.so was not built or lacks aha_attention: install a C compiler (gcc) and rebuild");
        }
    }

    /// <summary>n = x / √(mean(x²) + ε) and its gradient in float64 with libtorch's ops.</summary>
    static (Tensor N, Tensor Dx) RmsNormInFloat64(Tensor x, Tensor dn)
    {
        var x64 = x.to(ScalarType.Float64).detach().requires_grad_();
        var n = x64 / (x64.square().mean([-1], keepdim: true) + Eps).sqrt();
        n.backward([dn.to(ScalarType.Float64)]);
        return (n.detach(), x64.grad!);
    }

    [Theory]
    [InlineData(4096, 256)]  // Small4M's hidden size: whole vectors
    [InlineData(7, 37)]      // a 16-wide tail on every row
    [InlineData(3, 5)]       // rows shorter than one vector
    [InlineData(130, 896)]   // Qwen2.5-0.5B's hidden size
    public void RmsNorm_ForwardAndBackward_MatchFloat64(int rows, int dim)
    {
        var g = new Generator((ulong)(rows * 31 + dim));
        var x = (torch.randn(rows, dim, generator: g) * 3 + 0.5).requires_grad_();
        var dn = torch.randn(rows, dim, generator: g);
        var n = FusedRmsNorm.TryNormalize(x, Eps);
        Assert.NotNull(n);
        Assert.True(n!.requires_grad);
        n.backward([dn]);
        var (expectedN, expectedDx) = RmsNormInFloat64(x, dn);
        KernelAssert.Close(expectedN, n, 2e-6, "n");
        KernelAssert.Close(expectedDx, x.grad!, 2e-6, "dx");
    }

    [Fact]
    public void RmsNorm_WithoutGradient_IsTheForwardAlone_AndReadsStridedInput()
    {
        var x = torch.randn(6, 48, generator: new Generator(5)).t(); // [48, 6], not contiguous
        Tensor? n;
        using (torch.no_grad()) n = FusedRmsNorm.TryNormalize(x, Eps);
        Assert.NotNull(n);
        Assert.False(n!.requires_grad);
        KernelAssert.Close(RmsNormInFloat64(x, torch.zeros_like(x)).N, n, 2e-6, "n");
    }

    [Theory]
    [InlineData(32 * 128 * 768)] // Small4M's MLP activations: split across threads
    [InlineData(1000)]           // one thread, a 16-wide tail
    [InlineData(7)]
    public void SwiGlu_ForwardAndBackward_MatchFloat64(int count)
    {
        var g = new Generator((ulong)count);
        // gates from −30 to 30 cover σ's saturation on both sides as well as its middle
        var gate = (torch.randn(count, generator: g) * 6).clamp(-30, 30).requires_grad_();
        var up = torch.randn(count, generator: g).requires_grad_();
        var dy = torch.randn(count, generator: g);
        var y = FusedSwiGlu.TryApply(gate, up);
        Assert.NotNull(y);
        y!.backward([dy]);

        var g64 = gate.to(ScalarType.Float64).detach().requires_grad_();
        var u64 = up.to(ScalarType.Float64).detach().requires_grad_();
        var y64 = nn.functional.silu(g64) * u64;
        y64.backward([dy.to(ScalarType.Float64)]);
        KernelAssert.Close(y64.detach(), y, 4e-6, "y");
        KernelAssert.Close(g64.grad!, gate.grad!, 4e-6, "dg");
        KernelAssert.Close(u64.grad!, up.grad!, 4e-6, "du");
    }

    [Fact]
    public void AreOff_UnlessAskedFor()
    {
        var before = NativeKernels.FusedEnabled;
        try
        {
            Assert.Equal(Environment.GetEnvironmentVariable("AHA_FUSED_KERNELS") == "1", NativeKernels.FusedByDefault);
            AhaRuntime.Initialize(new RuntimeOptions { Threads = torch.get_num_threads(), FusedKernels = false });
            Assert.False(NativeKernels.FusedEnabled);
            Assert.Null(FusedRmsNorm.TryNormalize(torch.randn(4, 16), Eps));
            AhaRuntime.Initialize(new RuntimeOptions { Threads = torch.get_num_threads(), FusedKernels = true });
            Assert.True(NativeKernels.FusedEnabled);
        }
        finally { NativeKernels.FusedEnabled = before; }
    }

    [Fact]
    public void Decline_WhatTheKernelsDoNotCompute()
    {
        var bf16 = torch.randn(4, 16).to(ScalarType.BFloat16);
        Assert.Null(FusedRmsNorm.TryNormalize(bf16, Eps));
        Assert.Null(FusedSwiGlu.TryApply(bf16, bf16));
        Assert.Null(FusedSwiGlu.TryApply(torch.randn(4, 16), torch.randn(4, 8)));   // shapes differ (no broadcasting)
        NativeKernels.FusedEnabled = false;
        try
        {
            Assert.Null(FusedRmsNorm.TryNormalize(torch.randn(4, 16), Eps));
            Assert.Null(FusedSwiGlu.TryApply(torch.randn(4, 16), torch.randn(4, 16)));
        }
        finally { NativeKernels.FusedEnabled = true; }
    }

    /// <summary>
    /// A training step's loss and every parameter's gradient, kernels on vs libtorch's ops: the same up to float32
    /// rounding (1e-5, the tolerance of the packed-vs-padded check) — for a Qwen2 and a Qwen3 block, whose q/k
    /// norms take the kernel too.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainingStep_LossAndGradients_EqualLibtorchs(bool qwen3)
    {
        var config = qwen3 ? TinyModels.Qwen3() : TinyModels.Qwen2();
        using var model = TinyModels.Build(config, seed: 7);
        var ids = torch.randint(config.VocabSize, [3, 17], generator: new Generator(8));

        (double Loss, Dictionary<string, Tensor> Grads) Step()
        {
            model.zero_grad();
            var logits = model.Forward(ids.narrow(1, 0, 16));
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), ids.narrow(1, 1, 16).reshape(-1));
            loss.backward();
            return (loss.item<float>(), model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        var fused = Step();
        NativeKernels.FusedEnabled = false;
        (double Loss, Dictionary<string, Tensor> Grads) plain;
        try { plain = Step(); }
        finally { NativeKernels.FusedEnabled = true; }

        Assert.Equal(plain.Loss, fused.Loss, 1e-5);
        KernelAssert.SameGradients(plain.Grads, fused.Grads);
        Assert.True(plain.Grads.Values.Sum(t => t.abs().sum().item<float>()) > 0);
    }
}
