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

    /// <summary>Whether <see cref="TryNormalize"/> uses the kernels when they are available. The default value is <see cref="NativeKernels.FusedByDefault"/> (off unless asked for).</summary>
    public static bool Enabled { get; set; } = NativeKernels.FusedByDefault;

    /// <summary>x / √(mean(x²) + ε) over the last dimension of a float32 CPU tensor, recorded for autograd when x needs a gradient; null where the kernels do not apply.</summary>
    public static Tensor? TryNormalize(Tensor x, double eps)
    {
        if (!IsAvailable || !Enabled || x.dtype != ScalarType.Float32 || x.device_type != DeviceType.CPU || x.numel() == 0) return null;
        if (torch.is_grad_enabled() && x.requires_grad) return Function.apply(x, eps);
        var input = x.contiguous();
        var n = torch.empty_like(input);
        long dim = input.shape[^1];
        Forward(NativeKernels.Floats(input), NativeKernels.Floats(n), null, input.numel() / dim, dim, (float)eps, torch.get_num_threads());
        GC.KeepAlive(input);
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
            long dim = x.shape[^1], rows = x.numel() / dim;
            var n = torch.empty_like(x);
            var rstd = torch.empty(rows, ScalarType.Float32);
            Forward(NativeKernels.Floats(x), NativeKernels.Floats(n), NativeKernels.Floats(rstd), rows, dim, (float)(double)vars[1], torch.get_num_threads());
            GC.KeepAlive(x);
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
