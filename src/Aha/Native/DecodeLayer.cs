using System.Runtime.InteropServices;
using Aha.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Native;

/// <summary>
/// A whole decoder block of a decode step — at most <see cref="FewRowsLinear.MaxRows"/> sequences, one new token each,
/// float32 or bfloat16 on the CPU, no gradient — as one native call (<c>Native/Kernels/aha_decode.c</c>): the norms, the seven
/// projections on the few-row kernel, Qwen3's q/k norms, RoPE, the KV-cache write, grouped-query attention over the
/// cache and SwiGLU, where libtorch dispatches some fifty small ops a block, each costing more than its arithmetic.
/// The math is the block's own (<see cref="DecoderLayer"/>), computed in float32 also for a bfloat16 model, which
/// rounds only what it stores (the new key and value, the block's output) where libtorch rounds after every op; tests
/// hold the two within float32 rounding, and for bfloat16 within bfloat16's. It takes the
/// blocks whose weights <see cref="FewRowsLinear"/> would stream (a model whose weights fit in cache gains nothing and
/// keeps libtorch's rounding); elsewhere, with a LoRA adapter active, or with the native kernels off,
/// <see cref="TryForward"/> declines and the block runs op by op.
/// </summary>
internal static unsafe class DecodeLayer
{
    /// <summary>The arguments of <c>aha_decode_layer</c>, field for field; every one 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct Args
    {
        public long Batch, Hidden, Heads, KvHeads, HeadDim, Intermediate, CacheCapacity, CacheLength, MaskStride, Threads, Bf16;
        public double Eps;
        public void* X, Out, InputNorm, PostNorm, QNorm, KNorm;
        public void* Wq, Bq, Wk, Bk, Wv, Bv, Wo, Bo, Wg, Bg, Wu, Bu, Wd, Bd;
        public void* Rotation, KCache, VCache, Mask, Scratch;
    }

    static readonly delegate* unmanaged<Args*, void> Kernel = (delegate* unmanaged<Args*, void>)NativeKernels.Export("aha_decode_layer");
    static readonly delegate* unmanaged<long, long, long, long, long, long, long, long, long> ScratchFloats =
        (delegate* unmanaged<long, long, long, long, long, long, long, long, long>)NativeKernels.Export("aha_decode_layer_scratch");

    [ThreadStatic] static float[]? _scratch;

    /// <summary>Whether the kernel is loaded in this process.</summary>
    public static bool IsAvailable => Kernel != null && ScratchFloats != null;

    /// <summary>
    /// Whether decode steps use the kernel where it applies (it also needs <see cref="FewRowsLinear.Enabled"/>: both are
    /// the native decode path; benchmarks and tests compare with and without). The default value is true.
    /// </summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether the kernel would take a decode step of <paramref name="rows"/> sequences through <paramref name="layer"/>,
    /// as far as the block's weights decide: loaded and enabled, and weights that <see cref="FewRowsLinear"/> streams at
    /// that many rows (float32 or bfloat16). <see cref="TryForward"/> checks the step's tensors besides.
    /// </summary>
    public static bool Takes(DecoderLayer layer, long rows)
        => Kernel != null && Enabled && FewRowsLinear.Takes(layer.FeedForward.LinearAt(0).weight!, rows);

    /// <summary>The block's output [B, 1, H] for one decode step, its key and value written to <paramref name="cache"/>; null where the kernel does not apply.</summary>
    public static Tensor? TryForward(DecoderLayer layer, Tensor x, RotaryTables rope, Tensor? mask, KvCache? cache)
    {
        if (cache is null || x.Dimensions != 3 || x.shape[1] != 1 || !Takes(layer, x.shape[0]) || torch.is_grad_enabled()) return null;
        var attention = layer.SelfAttention;
        var mlp = layer.FeedForward;
        Linear q = attention.LinearAt(0), k = attention.LinearAt(1), v = attention.LinearAt(2), o = attention.LinearAt(3);
        Linear gate = mlp.LinearAt(0), up = mlp.LinearAt(1), down = mlp.LinearAt(2);
        long batch = x.shape[0], hidden = x.shape[2];
        var dtype = gate.weight!.dtype;
        if (x.dtype != dtype || x.device_type != DeviceType.CPU
            || !x.is_contiguous() || attention.HasActiveAdapter || mlp.HasActiveAdapter || cache.Length + 1 > cache.Capacity) return null;
        var rotation = rope.Pairs;
        var keys = cache.KeysOf(attention.Layer);
        long kvHeads = keys.shape[1], headDim = keys.shape[3], heads = q.weight!.shape[0] / headDim, intermediate = gate.weight!.shape[0];
        if (rotation is null || rotation.numel() != batch * headDim || !rotation.is_contiguous() || keys.shape[0] != batch || keys.dtype != dtype) return null;
        if (mask is not null && (mask.dtype != dtype || mask.numel() != batch * (cache.Length + 1) || !mask.is_contiguous())) return null;
        Tensor inputNorm = layer.InputNorm.Weight, postNorm = layer.PostAttentionNorm.Weight;
        Tensor? qNorm = attention.QkNorms?.Q.Weight, kNorm = attention.QkNorms?.K.Weight;
        Tensor?[] parameters =
        [
            inputNorm, postNorm, qNorm, kNorm, q.weight, q.bias, k.weight, k.bias, v.weight, v.bias, o.weight, o.bias,
            gate.weight, gate.bias, up.weight, up.bias, down.weight, down.bias,
        ];
        foreach (var t in parameters)
            if (t is not null && (t.dtype != dtype || t.device_type != DeviceType.CPU || !t.is_contiguous())) return null;

        int threads = torch.get_num_threads();
        long need = ScratchFloats(batch, hidden, heads, kvHeads, headDim, intermediate, cache.Capacity, threads);
        if (_scratch is null || _scratch.Length < need) _scratch = GC.AllocateUninitializedArray<float>((int)need, pinned: true);
        var y = torch.empty(x.shape, dtype);
        void* P(Tensor? t) => t is null ? null : NativeKernels.Data(t);
        fixed (float* scratch = _scratch)
        {
            var args = new Args
            {
                Batch = batch, Hidden = hidden, Heads = heads, KvHeads = kvHeads, HeadDim = headDim, Intermediate = intermediate,
                CacheCapacity = cache.Capacity, CacheLength = cache.Length, MaskStride = cache.Length + 1, Threads = threads,
                Bf16 = dtype == ScalarType.BFloat16 ? 1 : 0,
                Eps = layer.InputNorm.Eps, X = P(x), Out = P(y),
                InputNorm = P(inputNorm), PostNorm = P(postNorm), QNorm = P(qNorm), KNorm = P(kNorm),
                Wq = P(q.weight), Bq = P(q.bias), Wk = P(k.weight), Bk = P(k.bias), Wv = P(v.weight), Bv = P(v.bias),
                Wo = P(o.weight), Bo = P(o.bias), Wg = P(gate.weight), Bg = P(gate.bias), Wu = P(up.weight), Bu = P(up.bias),
                Wd = P(down.weight), Bd = P(down.bias),
                Rotation = P(rotation), KCache = P(keys), VCache = P(cache.ValuesOf(attention.Layer)), Mask = P(mask), Scratch = scratch,
            };
            Kernel(&args);
        }
        GC.KeepAlive(x);
        GC.KeepAlive(parameters);
        GC.KeepAlive(rotation);
        GC.KeepAlive(mask);
        return y;
    }
}
