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

    /// <summary>
    /// PPO's <c>approx_kl</c>, KL(π_old ‖ π_θ) per token by k3 (ratio clamped at ±20, value unclamped, as veRL's
    /// <c>ppo_kl</c>). The tokens were sampled from π_old, so π_old is the distribution k3's expectation is under (its
    /// <c>logp</c>) and π_θ the one compared against (its <c>refLogp</c>). oldLogp, logp: [B, T] → [B, T].
    /// </summary>
    public static Tensor PpoApproxKl(Tensor oldLogp, Tensor logp) =>
        K3(logp: oldLogp, refLogp: logp, DefaultLogRatioClamp, double.PositiveInfinity);

    /// <summary>abs = |logp − ref_logp| (veRL <c>abs</c>): biased, non-negative. Unclamped (as veRL).</summary>
    public static Tensor Abs(Tensor logp, Tensor refLogp)
    {
        Check(logp, refLogp);
        return (logp - refLogp).abs();                                    // [B, T]
    }

    /// <summary>
    /// Straight-through "+" form (veRL ≥ 0.8 <c>kl_penalty</c> with a name ending in <c>+</c>): the value of
    /// <paramref name="forward"/> (k1 or k3) and the gradient of k2 = ½·(logp − ref_logp)², whose expected gradient is
    /// the true gradient of KL(π_θ ‖ π_ref) (k1's and k3's are not): k2 − sg[k2] + sg[forward]. logp, refLogp: [B, T] → [B, T].
    /// </summary>
    public static Tensor StraightThrough(Tensor forward, Tensor logp, Tensor refLogp)
    {
        Guard.SameShape(forward, logp, nameof(forward), nameof(logp));
        var k2 = K2(logp, refLogp);                                       // [B, T]
        return k2 - k2.detach() + forward.detach();                       // [B, T]
    }

    /// <summary>k1+: k1's value, k2's gradient (<see cref="StraightThrough"/>).</summary>
    public static Tensor K1Plus(Tensor logp, Tensor refLogp) => StraightThrough(K1(logp, refLogp), logp, refLogp);

    /// <summary>k3+: k3's value (clamped as veRL), k2's gradient (<see cref="StraightThrough"/>).</summary>
    public static Tensor K3Plus(Tensor logp, Tensor refLogp) => StraightThrough(K3(logp, refLogp), logp, refLogp);

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

/// <summary>One registered KL estimator: (logp, ref_logp) → per-token estimate [B, T], its equation and source.</summary>
public sealed record KlEstimatorEntry(string Name, Func<Tensor, Tensor, Tensor> Estimate, string Formula, string Source);

/// <summary>The KL estimators by name (veRL <c>kl_penalty</c> names; <c>low_var_kl</c> is our <c>k3</c>).</summary>
public static class KlEstimatorRegistry
{
    /// <summary>Every KL estimator; <see cref="Registry{T}.Register"/> adds one.</summary>
    public static Registry<KlEstimatorEntry> All { get; } = new("KL estimator");

    static KlEstimatorRegistry()
    {
        const string schulman = "Schulman, Approximating KL divergence (2020); veRL kl_penalty";
        Add("k1", (a, b) => KlEstimators.K1(a, b), "logp − ref_logp", schulman);
        Add("k2", (a, b) => KlEstimators.K2(a, b), "½·(logp − ref_logp)²", schulman);
        Add("k3", (a, b) => KlEstimators.K3(a, b), "e^d − d − 1, d = clamp(ref_logp − logp, ±20), result clamped to ±10", schulman + " (low_var_kl)");
        Add("abs", KlEstimators.Abs, "|logp − ref_logp|", "veRL kl_penalty abs");
        Add("k1+", KlEstimators.K1Plus, "value of k1, gradient of k2 (straight-through)", "veRL ≥ 0.8 kl_penalty k1+");
        Add("k3+", KlEstimators.K3Plus, "value of k3, gradient of k2 (straight-through)", "veRL ≥ 0.8 kl_penalty k3+");
    }

    static void Add(string name, Func<Tensor, Tensor, Tensor> f, string formula, string source) =>
        All.Register(name, new KlEstimatorEntry(name, f, formula, source));
}
