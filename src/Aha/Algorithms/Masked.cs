using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// Mask-aware reductions over [B, T] tensors (m ∈ {0, 1}), as veRL's <c>verl_F.masked_*</c>.
/// Counts are clamped to ≥ 1 so an all-zero mask gives 0 instead of NaN.
/// </summary>
public static class Masked
{
    /// <summary>Σ x·m / max(Σ m, 1). x, mask: [B, T] → scalar.</summary>
    public static Tensor Mean(Tensor x, Tensor mask) => (x * mask).sum() / mask.sum().clamp_min(1.0);

    /// <summary>
    /// Unbiased masked variance: Σ (x − μ)²·m / max(n − 1, 1), n = Σ m. With n = 1 the variance is 0
    /// (veRL raises instead). x, mask: [B, T] → scalar.
    /// </summary>
    public static Tensor Variance(Tensor x, Tensor mask)
    {
        var mean = Mean(x, mask);
        var n = mask.sum();
        return ((x - mean).square() * mask).sum() / (n - 1).clamp_min(1.0);
    }

    /// <summary>
    /// Masked whitening over every masked element of the batch: (x − μ)·rsqrt(σ² + 1e-8), σ² the unbiased
    /// masked variance (veRL <c>masked_whiten</c>). Padding positions (m = 0) are set to 0 — a departure from
    /// veRL, which leaves them unspecified. With <paramref name="shiftMean"/> false the mean is added back.
    /// x, mask: [B, T] → [B, T].
    /// </summary>
    public static Tensor Whiten(Tensor x, Tensor mask, bool shiftMean = true)
    {
        Guard.SameShape(mask, x, nameof(mask), nameof(x));
        var mean = Mean(x, mask);
        var whitened = (x - mean) * (Variance(x, mask) + 1e-8).rsqrt();     // [B, T]
        if (!shiftMean) whitened = whitened + mean;
        return whitened * mask;
    }

    /// <summary>The mask as a tensor of <paramref name="like"/>'s dtype and device (bool masks become 0/1).</summary>
    internal static Tensor As(Tensor mask, Tensor like) =>
        mask.dtype == like.dtype && mask.device == like.device ? mask : mask.to(like.dtype, like.device);
}
