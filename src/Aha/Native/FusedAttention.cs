using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Native;

/// <summary>
/// Causal self-attention of a forward without a KV cache's past — softmax(q·kᵀ/√D + mask)·v, query i over keys 0..i,
/// grouped-query K/V — as one native call forward and one backward (<c>Native/Kernels/aha_attention.c</c>), where
/// libtorch's eager attention is a dozen ops each way. Float32 on the CPU, head dimension a multiple of 16; Q, K and V
/// are read through their strides (the transposed views the projections give), the output written token-major
/// [B, T, nh, D]. The backward recomputes nothing: the forward keeps the probabilities, as eager attention does.
/// Elsewhere <see cref="TryCompute"/> declines and the caller computes with libtorch.
/// </summary>
internal static unsafe class FusedAttention
{
    // aha_attention(q, qs, k, ks, v, vs, mask, mask_b, out, p, batch, heads, kv_heads, t, d, scale, threads)
    static readonly delegate* unmanaged<float*, long*, float*, long*, float*, long*, float*, long, float*, float*, long, long, long, long, long, float, int, void> Forward =
        (delegate* unmanaged<float*, long*, float*, long*, float*, long*, float*, long, float*, float*, long, long, long, long, long, float, int, void>)NativeKernels.Export("aha_attention");
    // aha_attention_backward(q, qs, k, ks, v, vs, p, dout, dq, dk, dv, batch, heads, kv_heads, t, d, scale, threads)
    static readonly delegate* unmanaged<float*, long*, float*, long*, float*, long*, float*, float*, float*, float*, float*, long, long, long, long, long, float, int, void> Backward =
        (delegate* unmanaged<float*, long*, float*, long*, float*, long*, float*, float*, float*, float*, float*, long, long, long, long, long, float, int, void>)NativeKernels.Export("aha_attention_backward");

    /// <summary>Whether the kernels are loaded in this process.</summary>
    public static bool IsAvailable => Forward != null && Backward != null;

    /// <summary>
    /// q [B, nh, T, D], k and v [B, nkv, T, D] (the same T: no cached past), mask null (causal) or an additive
    /// [B or 1, 1, T, T] → [B, T, nh, D], recorded for autograd when any of q, k, v needs a gradient; null where the
    /// kernels do not apply.
    /// </summary>
    public static Tensor? TryCompute(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        if (!Applies(q, k, v, mask)) return null;
        if (torch.is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad)) return Function.apply(q, k, v, mask!);
        using var probabilities = Probabilities(q);
        return Compute(q, k, v, mask, probabilities);
    }

    static bool Applies(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        if (!IsAvailable || !NativeKernels.FusedEnabled || q.dim() != 4 || k.dim() != 4 || v.dim() != 4) return false;
        long b = q.shape[0], t = q.shape[2], d = q.shape[3];
        bool FloatCpu(Tensor x) => x.dtype == ScalarType.Float32 && x.device_type == DeviceType.CPU && x.stride(3) == 1;
        return FloatCpu(q) && FloatCpu(k) && FloatCpu(v) && t > 0 && d % 16 == 0
            && k.shape.SequenceEqual(v.shape) && k.shape[0] == b && k.shape[2] == t && k.shape[3] == d
            && k.shape[1] > 0 && q.shape[1] % k.shape[1] == 0
            && (mask is null || (mask.dtype == ScalarType.Float32 && mask.device_type == DeviceType.CPU && mask.is_contiguous()
                && mask.dim() == 4 && (mask.shape[0] == b || mask.shape[0] == 1) && mask.shape[1] == 1 && mask.shape[2] == t && mask.shape[3] == t));
    }

    static long Padded(long t) => (t + 15) & ~15L;

    // The forward's softmax rows, [B, nh, T, T rounded up to 16] (aha_attention.c's padded_length: the two must agree).
    static Tensor Probabilities(Tensor q) => torch.empty([q.shape[0], q.shape[1], q.shape[2], Padded(q.shape[2])], ScalarType.Float32);

    static Tensor Compute(Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor probabilities)
    {
        long b = q.shape[0], heads = q.shape[1], t = q.shape[2], d = q.shape[3], kvHeads = k.shape[1];
        var output = torch.empty([b, t, heads, d], ScalarType.Float32);
        long* qs = stackalloc long[3], ks = stackalloc long[3], vs = stackalloc long[3];
        Strides(q, qs); Strides(k, ks); Strides(v, vs);
        Forward(NativeKernels.Floats(q), qs, NativeKernels.Floats(k), ks, NativeKernels.Floats(v), vs,
            mask is null ? null : NativeKernels.Floats(mask), mask is null || mask.shape[0] == 1 ? 0 : t * t,
            NativeKernels.Floats(output), NativeKernels.Floats(probabilities), b, heads, kvHeads, t, d, Scale(d), torch.get_num_threads());
        GC.KeepAlive(q); GC.KeepAlive(k); GC.KeepAlive(v); GC.KeepAlive(mask);
        return output;
    }

    /// <summary>The scores' scale, 1/√D.</summary>
    static float Scale(long d) => (float)(1.0 / Math.Sqrt(d));

    static void Strides(Tensor x, long* s)
    {
        for (int i = 0; i < 3; i++) s[i] = x.stride(i);
    }

    /// <summary>The autograd node: saves q, k, v as given (views, no copies) and the probabilities.</summary>
    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "AhaAttention";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            EarlyRelease.ReleasePrevious();
            Tensor q = (Tensor)vars[0], k = (Tensor)vars[1], v = (Tensor)vars[2];
            var probabilities = Probabilities(q);
            var output = Compute(q, k, v, vars[3] as Tensor, probabilities);
            ctx.save_for_backward([q, k, v, probabilities]);
            EarlyRelease.After(probabilities, output);
            return output;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            EarlyRelease.ReleasePrevious();
            var saved = ctx.get_saved_variables();
            Tensor q = saved[0], k = saved[1], v = saved[2], probabilities = saved[3], dout = gradOutput.contiguous();
            long b = q.shape[0], heads = q.shape[1], t = q.shape[2], d = q.shape[3], kvHeads = k.shape[1];
            var dq = torch.empty([b, heads, t, d], ScalarType.Float32);
            var dk = torch.empty([b, kvHeads, t, d], ScalarType.Float32);
            var dv = torch.empty([b, kvHeads, t, d], ScalarType.Float32);
            long* qs = stackalloc long[3], ks = stackalloc long[3], vs = stackalloc long[3];
            Strides(q, qs); Strides(k, ks); Strides(v, vs);
            Backward(NativeKernels.Floats(q), qs, NativeKernels.Floats(k), ks, NativeKernels.Floats(v), vs, NativeKernels.Floats(probabilities),
                NativeKernels.Floats(dout), NativeKernels.Floats(dq), NativeKernels.Floats(dk), NativeKernels.Floats(dv), b, heads, kvHeads, t, d,
                Scale(d), torch.get_num_threads());
            EarlyRelease.After(q, k, v, probabilities, dout, gradOutput, dq, dk, dv);
            return [dq, dk, dv, null!]; // the mask is not differentiated
        }
    }
}
