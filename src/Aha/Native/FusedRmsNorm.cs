using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Native;

/// <summary>
/// RMSNorm without its gain, n = x / √(mean(x²) + ε), as one native pass forward and one backward
/// (<c>Native/Kernels/aha_fused.c</c>) where libtorch's five ops take five passes forward and eight backward. The
/// backward needs only n and r = 1 / √(mean(x²) + ε): dx = r·(dn − n·mean(dn ⊙ n)). float32 on the CPU; elsewhere
/// <see cref="TryNormalize"/> declines and the caller computes with libtorch.
/// </summary>
internal static unsafe class FusedRmsNorm
{
    // aha_rms_norm(x, n, rstd, rows, dim, eps, threads), aha_rms_norm_backward(n, rstd, dn, dx, rows, dim, threads)
    static readonly delegate* unmanaged<float*, float*, float*, long, long, float, int, void> Forward =
        (delegate* unmanaged<float*, float*, float*, long, long, float, int, void>)NativeKernels.Export("aha_rms_norm");
    static readonly delegate* unmanaged<float*, float*, float*, float*, long, long, int, void> Backward =
        (delegate* unmanaged<float*, float*, float*, float*, long, long, int, void>)NativeKernels.Export("aha_rms_norm_backward");

    /// <summary>Whether the kernels are loaded in this process.</summary>
    public static bool IsAvailable => Forward != null && Backward != null;

    /// <summary>x / √(mean(x²) + ε) over the last dimension of a float32 CPU tensor, recorded for autograd when x needs a gradient; null where the kernels do not apply.</summary>
    public static Tensor? TryNormalize(Tensor x, double eps)
    {
        if (!IsAvailable || !NativeKernels.FusedEnabled || x.dtype != ScalarType.Float32 || x.device_type != DeviceType.CPU || x.numel() == 0) return null;
        if (torch.is_grad_enabled() && x.requires_grad) return Function.apply(x, eps);
        return Normalize(x.contiguous(), eps, rstd: null);
    }

    /// <summary>n for a contiguous x, and r into <paramref name="rstd"/> ([rows]) when a backward will need it.</summary>
    static Tensor Normalize(Tensor x, double eps, Tensor? rstd)
    {
        var n = torch.empty_like(x);
        long dim = x.shape[^1];
        Forward(NativeKernels.Floats(x), NativeKernels.Floats(n), rstd is null ? null : NativeKernels.Floats(rstd), x.numel() / dim, dim,
            (float)eps, torch.get_num_threads());
        GC.KeepAlive(x);
        GC.KeepAlive(rstd);
        return n;
    }

    /// <summary>The autograd node: saves n and r (n is the output, which the next linear layer keeps anyway; x is not kept).</summary>
    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "AhaRmsNorm";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            EarlyRelease.ReleasePrevious();
            var x = ((Tensor)vars[0]).contiguous();
            var rstd = torch.empty(x.numel() / x.shape[^1], ScalarType.Float32);
            var n = Normalize(x, (double)vars[1], rstd);
            ctx.save_for_backward([n, rstd]);
            EarlyRelease.After(x, n, rstd);
            return n;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            EarlyRelease.ReleasePrevious();
            var saved = ctx.get_saved_variables();
            Tensor n = saved[0], rstd = saved[1], dn = gradOutput.contiguous();
            var dx = torch.empty_like(n);
            long dim = n.shape[^1];
            Backward(NativeKernels.Floats(n), NativeKernels.Floats(rstd), NativeKernels.Floats(dn), NativeKernels.Floats(dx), n.numel() / dim, dim, torch.get_num_threads());
            EarlyRelease.After(n, rstd, dn, gradOutput, dx);
            return [dx, null!]; // ε is not a tensor
        }
    }
}
