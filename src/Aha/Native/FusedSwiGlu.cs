using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Native;

/// <summary>
/// SwiGLU's gate, silu(g) ⊙ u = g·σ(g)·u, as one native pass forward and one backward (<c>Native/Kernels/aha_fused.c</c>)
/// where libtorch's silu and mul take two forward and three backward, and keep σ's output besides g and u. The backward:
/// dg = dy·u·σ(g)·(1 + g·(1 − σ(g))), du = dy·g·σ(g). float32 on the CPU; elsewhere <see cref="TryApply"/> declines and
/// the caller computes with libtorch.
/// </summary>
internal static unsafe class FusedSwiGlu
{
    // aha_swiglu(g, u, y, count, threads), aha_swiglu_backward(g, u, dy, dg, du, count, threads)
    static readonly delegate* unmanaged<float*, float*, float*, long, int, void> Forward =
        (delegate* unmanaged<float*, float*, float*, long, int, void>)NativeKernels.Export("aha_swiglu");
    static readonly delegate* unmanaged<float*, float*, float*, float*, float*, long, int, void> Backward =
        (delegate* unmanaged<float*, float*, float*, float*, float*, long, int, void>)NativeKernels.Export("aha_swiglu_backward");

    /// <summary>Whether the kernels are loaded in this process.</summary>
    public static bool IsAvailable => Forward != null && Backward != null;

    /// <summary>silu(g) ⊙ u for float32 CPU tensors of one shape, recorded for autograd when either needs a gradient; null where the kernels do not apply.</summary>
    public static Tensor? TryApply(Tensor gate, Tensor up)
    {
        if (!IsAvailable || !NativeKernels.FusedEnabled || gate.dtype != ScalarType.Float32 || up.dtype != ScalarType.Float32
            || gate.device_type != DeviceType.CPU || up.device_type != DeviceType.CPU || !gate.shape.SequenceEqual(up.shape)) return null;
        if (torch.is_grad_enabled() && (gate.requires_grad || up.requires_grad)) return Function.apply(gate, up);
        return Apply(gate.contiguous(), up.contiguous());
    }

    static Tensor Apply(Tensor gate, Tensor up)
    {
        var y = torch.empty_like(gate);
        Forward(NativeKernels.Floats(gate), NativeKernels.Floats(up), NativeKernels.Floats(y), gate.numel(), torch.get_num_threads());
        GC.KeepAlive(gate);
        GC.KeepAlive(up);
        return y;
    }

    /// <summary>The autograd node: saves g and u, the two linear outputs it reads.</summary>
    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "AhaSwiGlu";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            EarlyRelease.ReleasePrevious();
            Tensor gate = ((Tensor)vars[0]).contiguous(), up = ((Tensor)vars[1]).contiguous();
            ctx.save_for_backward([gate, up]);
            var y = Apply(gate, up);
            EarlyRelease.After(gate, up, y);
            return y;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            EarlyRelease.ReleasePrevious();
            var saved = ctx.get_saved_variables();
            Tensor gate = saved[0], up = saved[1], dy = gradOutput.contiguous();
            Tensor dg = torch.empty_like(gate), du = torch.empty_like(up);
            Backward(NativeKernels.Floats(gate), NativeKernels.Floats(up), NativeKernels.Floats(dy), NativeKernels.Floats(dg),
                NativeKernels.Floats(du), gate.numel(), torch.get_num_threads());
            EarlyRelease.After(gate, up, dy, gradOutput, dg, du);
            return [dg, du];
        }
    }
}
