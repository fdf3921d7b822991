using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// Per-token estimators of KL(π ‖ π_ref) from tokens sampled from π (J. Schulman, "Approximating KL divergence",
/// 2020; veRL <c>kl_penalty</c>). With d = ref_logp − logp:
/// k1 = −d, k2 = ½·d², k3 = e^d − d − 1. Gradients flow through <c>logp</c> (for the loss placement, β·k);
/// detach for the reward placement (−β·k per token, see <see cref="AdvantageEstimators.TokenRewards"/>).
/// logp, refLogp: [B, T] → [B, T] (mask afterwards).
/// </summary>
public static class KlEstimators
{
    /// <summary>veRL clamps d = ref_logp − logp to ±20 before e^d in k3.</summary>
    public const double DefaultLogRatioClamp = 20.0;

    /// <summary>veRL clamps the k3 value to ±10.</summary>
    public const double DefaultK3Clamp = 10.0;

    /// <summary>k1 = logp − ref_logp: unbiased, can be negative per token. Unclamped (as veRL).</summary>
    public static Tensor K1(Tensor logp, Tensor refLogp)
    {
        Check(logp, refLogp);
        return logp - refLogp;                                            // [B, T]
    }

    /// <summary>k2 = ½·(ref_logp − logp)²: biased, low variance; its gradient is that of the reverse KL. Unclamped (as veRL).</summary>
    public static Tensor K2(Tensor logp, Tensor refLogp)
    {
        Check(logp, refLogp);
        return 0.5 * (refLogp - logp).square();                           // [B, T]
    }

    /// <summary>
    /// k3 = e^d − d − 1, d = clamp(ref_logp − logp, ±<paramref name="logRatioClamp"/>), result clamped to
    /// ±<paramref name="resultClamp"/> (veRL <c>low_var_kl</c>: 20 and 10). Unbiased and ≥ 0. Pass
    /// <see cref="double.PositiveInfinity"/> to disable a clamp.
    /// </summary>
    public static Tensor K3(Tensor logp, Tensor refLogp,
        double logRatioClamp = DefaultLogRatioClamp, double resultClamp = DefaultK3Clamp)
    {
        Check(logp, refLogp);
        Guard.Positive(logRatioClamp, nameof(logRatioClamp));
        Guard.Positive(resultClamp, nameof(resultClamp));
        var d = (refLogp - logp).clamp(-logRatioClamp, logRatioClamp);  // [B, T]
        return (d.exp() - d - 1).clamp(-resultClamp, resultClamp);       // [B, T]
    }

    /// <summary>Dispatches on <paramref name="estimator"/>; the clamps apply to k3 only.</summary>
    public static Tensor Estimate(KlEstimator estimator, Tensor logp, Tensor refLogp,
        double logRatioClamp = DefaultLogRatioClamp, double resultClamp = DefaultK3Clamp) => estimator switch
    {
        KlEstimator.K1 => K1(logp, refLogp),
        KlEstimator.K2 => K2(logp, refLogp),
        KlEstimator.K3 => K3(logp, refLogp, logRatioClamp, resultClamp),
        _ => throw new ArgumentException($"Unknown KL estimator {estimator}.", nameof(estimator)),
    };

    static void Check(Tensor logp, Tensor refLogp) => Guard.SameShape(refLogp, logp, nameof(refLogp), nameof(logp));
}
