using static TorchSharp.torch;

namespace Aha.Native;

/// <summary>
/// Linear layers over 1–<see cref="MaxRows"/> rows without autograd — a decode step's, float32 or bfloat16 — computed by this project's
/// native kernel (<c>Native/Kernels/aha_kernels.c</c>) instead of libtorch's MKL call. Decoding a token reads every
/// weight once, so its speed is the memory bandwidth at which the weights stream; MKL repacks or streams them at a
/// fraction of it on the machines measured (docs/performance.md). The kernel reads each weight row once and dots it
/// with every input row, and splits the output columns across libtorch's own OpenMP threads.
/// Where the library was not built (no C compiler at build time, not Linux x64) or <c>AHA_NATIVE_KERNELS=0</c>,
/// <see cref="TryLinear"/> declines and the caller uses libtorch.
/// </summary>
internal static unsafe class FewRowsLinear
{
    /// <summary>The most rows the kernel takes: at 16 MKL was as fast (docs/performance.md), the product no longer bound by streaming the weights.</summary>
    public const int MaxRows = 8;

    /// <summary>
    /// The fewest weights (n·k, 1 MiB in float32) the kernel takes: below it the weight sits in cache, nothing streams, and
    /// MKL's call costs less than this one's checks and conversions (a 128 × 128 weight: ≈ 10 vs ≈ 29 µs a call).
    /// </summary>
    public const long MinWeights = 1 << 18;

    // aha_linear(x, ldx, m, w, n, k, bias, y, ldy, accumulate, threads) for a float32 weight; aha_linear_bf16 for a bfloat16 one
    static readonly delegate* unmanaged<float*, long, long, void*, long, long, float*, float*, long, int, int, void> Kernel =
        (delegate* unmanaged<float*, long, long, void*, long, long, float*, float*, long, int, int, void>)NativeKernels.Export("aha_linear");
    static readonly delegate* unmanaged<float*, long, long, void*, long, long, float*, float*, long, int, int, void> KernelBf16 =
        (delegate* unmanaged<float*, long, long, void*, long, long, float*, float*, long, int, int, void>)NativeKernels.Export("aha_linear_bf16");

    /// <summary>Whether the native kernel is loaded in this process.</summary>
    public static bool IsAvailable => Kernel != null && KernelBf16 != null;

    /// <summary>Whether <see cref="TryLinear"/> uses the kernel when it is available (tests and benchmarks compare both ways). The default value is true.</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether the kernel would take a product of <paramref name="rows"/> input rows with <paramref name="weight"/>, as far
    /// as the weight and the row count decide: loaded and enabled, at most <see cref="MaxRows"/> rows, at least
    /// <see cref="MinWeights"/> float32 or bfloat16 weights. <see cref="TryLinear"/> checks the other tensors besides.
    /// </summary>
    public static bool Takes(Tensor weight, long rows)
        => Kernel != null && Enabled && rows is >= 1 and <= MaxRows && weight.numel() >= MinWeights
           && weight.dtype is ScalarType.Float32 or ScalarType.BFloat16;

    /// <summary>x·Wᵀ + b over the last dimension: the kernel's where it applies (<see cref="TryLinear"/>), libtorch's otherwise.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
        => TryLinear(x, weight, bias) ?? nn.functional.linear(x, weight, bias);

    /// <summary>
    /// x·Wᵀ + b (or <paramref name="residual"/> + x·Wᵀ + b when given) over the last dimension, when the kernel applies: on
    /// the CPU, at most <see cref="MaxRows"/> rows, a contiguous weight, no gradient to record, and every tensor float32 —
    /// or every tensor bfloat16, which the kernel reads as stored and accumulates in float32, rounding the output once as
    /// libtorch's bfloat16 matmul does. Null otherwise.
    /// </summary>
    public static Tensor? TryLinear(Tensor x, Tensor weight, Tensor? bias, Tensor? residual = null)
    {
        if (Kernel == null || !Enabled || weight.numel() < MinWeights) return null; // the common early exit: one call into libtorch
        long k = x.shape[^1], n = weight.shape[0], rows = x.numel() / Math.Max(k, 1);
        if (!Takes(weight, rows) || weight.Dimensions != 2 || weight.shape[1] != k) return null;
        var dtype = weight.dtype;
        foreach (var t in (ReadOnlySpan<Tensor?>)[x, weight, bias, residual])
            if (t is not null && (t.dtype != dtype || t.device_type != DeviceType.CPU)) return null;
        if (!weight.is_contiguous() || bias?.is_contiguous() == false) return null;
        if (torch.is_grad_enabled() && (x.requires_grad || weight.requires_grad || bias?.requires_grad == true || residual?.requires_grad == true))
            return null;

        using var scope = torch.NewDisposeScope();
        bool bf16 = dtype == ScalarType.BFloat16;
        var input = bf16 ? x.to_type(ScalarType.Float32).contiguous() : x.is_contiguous() ? x : x.contiguous();
        var bias32 = bf16 ? bias?.to_type(ScalarType.Float32) : bias;
        long[] shape = [.. x.shape[..^1], n];
        var y = torch.empty(shape, ScalarType.Float32);                   // contiguous, whatever the residual's layout
        if (residual is not null) y.copy_(residual);
        (bf16 ? KernelBf16 : Kernel)(NativeKernels.Floats(input), k, rows, NativeKernels.Data(weight), n, k,
            bias32 is null ? null : NativeKernels.Floats(bias32), NativeKernels.Floats(y), n, residual is null ? 0 : 1,
            torch.get_num_threads());
        GC.KeepAlive(weight);
        GC.KeepAlive(input);
        GC.KeepAlive(bias32);
        return (bf16 ? y.to_type(dtype) : y).MoveToOuterDisposeScope();
    }
}
