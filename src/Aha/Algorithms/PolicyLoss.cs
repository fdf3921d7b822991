using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// Diagnostics of a policy-loss call, read once (TRL metric names in brackets). Fractions are over masked tokens.
/// </summary>
/// <param name="ClipFractionLow">The lower clip is active (vanilla: ρ &lt; 1 − ε_low with Â &lt; 0) [clip_ratio/low_mean].</param>
/// <param name="ClipFractionHigh">The upper clip is active (vanilla: ρ &gt; 1 + ε_high with Â &gt; 0) [clip_ratio/high_mean].</param>
/// <param name="DualClipFraction">Â &lt; 0 with ρ &gt; c: the dual clip is active (veRL pg_clipfrac_lower); 0 without dual clip.</param>
/// <param name="RatioMean">Masked mean of the ratio the loss used (token ρ, or the sequence ratio for GSPO/GMPO).</param>
/// <param name="ApproxKl">Masked mean of k3 estimating KL(π_old ‖ π_θ) with d = logp − old_logp: e^d − d − 1.</param>
/// <param name="CovFraction">Clip-Cov / KL-Cov: fraction of tokens whose gradient was cut or KL-penalised.</param>
public sealed record PolicyLossStats(
    double ClipFractionLow, double ClipFractionHigh, double DualClipFraction, double RatioMean, double ApproxKl,
    double CovFraction = 0)
{
    /// <summary>Total fraction of tokens whose gradient was cut by any clip [clip_ratio/region_mean].</summary>
    public double ClipFraction => ClipFractionLow + ClipFractionHigh + DualClipFraction;
}

/// <summary>
/// The knobs of every registered policy loss, with veRL's defaults. Each loss reads only its own.
/// </summary>
/// <param name="ClipLow">ε_low (vanilla, GSPO, CISPO, Clip-Cov; GMPO: in log space). ≥ 1 means no lower clip.</param>
/// <param name="ClipHigh">ε_high (DAPO clip-higher 0.28).</param>
/// <param name="DualClip">Dual-clip c &gt; 1 for Â &lt; 0 (vanilla only); null for none.</param>
/// <param name="SapoTauPos">SAPO gate temperature for Â &gt; 0 (veRL tau_pos, TRL sapo_temperature_pos: 1.0).</param>
/// <param name="SapoTauNeg">SAPO gate temperature for Â ≤ 0 (veRL tau_neg, TRL sapo_temperature_neg: 1.05).</param>
/// <param name="ClipCovRatio">Clip-Cov: fraction of tokens to detach (veRL clip_cov_ratio 2e-4).</param>
/// <param name="ClipCovLow">Clip-Cov: candidates have covariance above this (veRL clip_cov_lb 1).</param>
/// <param name="ClipCovHigh">Clip-Cov: candidates have covariance below this (veRL clip_cov_ub 5).</param>
/// <param name="KlCovRatio">KL-Cov: fraction of tokens, those of largest covariance, to KL-penalise (veRL kl_cov_ratio 2e-4).</param>
/// <param name="KlCovCoef">KL-Cov: coefficient of |logp − old_logp| on those tokens (veRL ppo_kl_coef 0.1).</param>
public sealed record PolicyLossSettings(
    double ClipLow = 0.2, double ClipHigh = 0.2, double? DualClip = null,
    double SapoTauPos = 1.0, double SapoTauNeg = 1.05,
    double ClipCovRatio = 2e-4, double ClipCovLow = 1.0, double ClipCovHigh = 5.0,
    double KlCovRatio = 2e-4, double KlCovCoef = 0.1)
{
    /// <summary>Every invalid knob: its config key and a "name must …" message.</summary>
    public IEnumerable<(string Key, string Message)> Problems()
    {
        if (!(ClipLow >= 0) || double.IsInfinity(ClipLow)) yield return ("clip_low", $"clip_low must be ≥ 0 (got {ClipLow})");
        if (!(ClipHigh >= 0) || double.IsInfinity(ClipHigh)) yield return ("clip_high", $"clip_high must be ≥ 0 (got {ClipHigh})");
        if (DualClip is double c && !(c > 1)) yield return ("dual_clip", $"dual_clip must be > 1 (got {c})");
        if (!(SapoTauPos > 0)) yield return ("sapo_tau_pos", $"sapo_tau_pos must be > 0 (got {SapoTauPos})");
        if (!(SapoTauNeg > 0)) yield return ("sapo_tau_neg", $"sapo_tau_neg must be > 0 (got {SapoTauNeg})");
        if (!(ClipCovRatio > 0 && ClipCovRatio <= 1)) yield return ("clip_cov_ratio", $"clip_cov_ratio must be in (0, 1] (got {ClipCovRatio})");
        if (!(ClipCovHigh > ClipCovLow)) yield return ("clip_cov_high", $"clip_cov_high ({ClipCovHigh}) must exceed clip_cov_low ({ClipCovLow})");
        if (!(KlCovRatio > 0 && KlCovRatio <= 1)) yield return ("kl_cov_ratio", $"kl_cov_ratio must be in (0, 1] (got {KlCovRatio})");
        if (!(KlCovCoef >= 0)) yield return ("kl_cov_coef", $"kl_cov_coef must be ≥ 0 (got {KlCovCoef})");
    }
}

/// <summary>
/// The inputs of a policy loss. logp (with grad), oldLogp, advantages, mask: [B, T]. <paramref name="Norm"/>: the
/// mini-batch's counts when accumulating micro-batches. <paramref name="RolloutWeights"/> [B, T]: rollout-correction
/// IS weights that multiply the per-token loss before aggregation (veRL <c>rollout_is_weights</c>), or null.
/// <paramref name="Generator"/>: the random source of Clip-Cov's token choice (null: a fixed seed).
/// </summary>
public sealed record PolicyLossInput(Tensor Logp, Tensor OldLogp, Tensor Advantages, Tensor Mask,
    AggregationMode Aggregation, PolicyLossSettings Settings, AggregationNorm? Norm = null, Tensor? RolloutWeights = null,
    Generator? Generator = null);

/// <summary>
/// Policy-gradient losses on per-token log-probs, one file per loss (this one: vanilla PPO clip and plain policy
/// gradient); registered by name in <see cref="PolicyLossRegistry"/>. Every loss: (input) → (scalar loss, stats).
/// </summary>
public static partial class PolicyLoss
{
    /// <summary>veRL clamps logp − old_logp to ±20 before exp.</summary>
    public const double LogRatioClamp = 20.0;

    /// <summary>
    /// PPO clipped surrogate (arXiv:1707.06347) with clip-higher (DAPO, arXiv:2503.14476) and optional dual clip
    /// (Ye et al., arXiv:1912.09729), as veRL <c>compute_policy_loss_vanilla</c>:
    /// ρ = exp(clamp(logp − old_logp, ±20)), L_t = max(−Â·ρ, −Â·clip(ρ, 1 − ε_low, 1 + ε_high));
    /// with dual clip c &gt; 1 and Â &lt; 0: L_t = min(L_t, −Â·c). Then aggregated.
    /// Defaults ε_low = ε_high = 0.2 (DAPO: 0.2 / 0.28); no dual clip (veRL always applies c = 3).
    /// The gradient is −Â·ρ·∇logp inside the clip region and 0 where a clip is active.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) Vanilla(PolicyLossInput x)
    {
        Check(x);
        var s = x.Settings;
        var adv = x.Advantages.detach();                                  // [B, T]
        var ratio = Ratio(x);                                             // [B, T]
        var unclipped = -adv * ratio;                                      // [B, T]
        var clipped = -adv * ratio.clamp(1 - s.ClipLow, 1 + s.ClipHigh);   // [B, T]
        var perToken = torch.maximum(unclipped, clipped);                  // [B, T]
        if (s.DualClip is double dc)
            perToken = torch.where(adv.lt(0), torch.minimum(perToken, -adv * dc), perToken); // [B, T]
        return (Aggregate(perToken, x), ClipStats(x, ratio, s.ClipLow, s.ClipHigh, s.DualClip, signed: true));
    }

    /// <summary>
    /// The vanilla loss with positional arguments (see <see cref="Vanilla"/>). logp, oldLogp, advantages, mask: [B, T] → scalar.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) Clipped(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask,
        AggregationMode aggregation, double clipLow = 0.2, double clipHigh = 0.2, double? dualClip = null,
        AggregationNorm? norm = null)
    {
        Guard.InRange(clipLow, 0, 1, nameof(clipLow));
        if (!(clipHigh >= 0)) throw new ArgumentException($"{nameof(clipHigh)} must be ≥ 0; got {clipHigh}.", nameof(clipHigh));
        if (dualClip is double c && !(c > 1))
            throw new ArgumentException($"{nameof(dualClip)} must be > 1 (a lower bound on ρ for Â < 0); got {c}.", nameof(dualClip));
        return Vanilla(new PolicyLossInput(logp, oldLogp, advantages, mask, aggregation,
            new PolicyLossSettings(clipLow, clipHigh, dualClip), norm));
    }

    /// <summary>
    /// Plain policy gradient (REINFORCE, Williams 1992; veRL <c>gpg</c>): L_t = −Â·logp, gradient −Â·∇logp (equal to
    /// the clipped loss's at ρ = 1). Stats report no clipping, ratio 1 and KL 0 by construction.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) PolicyGradient(PolicyLossInput x)
    {
        Check(x);
        var perToken = -x.Advantages.detach() * x.Logp;                   // [B, T]
        return (Aggregate(perToken, x), new PolicyLossStats(0, 0, 0, 1, 0));
    }

    /// <summary>Positional form of <see cref="PolicyGradient(PolicyLossInput)"/>.</summary>
    public static (Tensor Loss, PolicyLossStats Stats) PolicyGradient(Tensor logp, Tensor advantages, Tensor mask,
        AggregationMode aggregation, AggregationNorm? norm = null) =>
        PolicyGradient(new PolicyLossInput(logp, logp.detach(), advantages, mask, aggregation, new PolicyLossSettings(), norm));

    /// <summary>ρ = exp(clamp(logp − old_logp, ±20)): [B, T].</summary>
    static Tensor Ratio(PolicyLossInput x) => (x.Logp - x.OldLogp.detach()).clamp(-LogRatioClamp, LogRatioClamp).exp();

    /// <summary>Applies the rollout-correction weights, then the aggregation: L [B, T] → scalar.</summary>
    static Tensor Aggregate(Tensor perToken, PolicyLossInput x) =>
        LossAggregation.Aggregate(x.RolloutWeights is null ? perToken : perToken * x.RolloutWeights.detach(), x.Mask, x.Aggregation, x.Norm);

    /// <summary>
    /// Clip fractions of a ratio [B, T] against [1 − ε_low, 1 + ε_high] (and c), ratio mean, and k3(π_old ‖ π_θ).
    /// <paramref name="signed"/>: count a bound only where it binds the surrogate (low with Â &lt; 0, high with Â &gt; 0);
    /// otherwise wherever the ratio leaves the interval (CISPO clips the weight whatever Â's sign).
    /// </summary>
    static PolicyLossStats ClipStats(PolicyLossInput x, Tensor ratio, double clipLow, double clipHigh, double? dualClip,
        bool signed, Tensor? covSelected = null)
    {
        using var _ = torch.no_grad();
        var m = Masked.As(x.Mask, ratio);
        var r = ratio.detach();
        var adv = x.Advantages.detach();
        var low = r.lt(1 - clipLow);
        var high = r.gt(1 + clipHigh);
        if (signed)
        {
            low = low.logical_and(adv.lt(0));
            high = high.logical_and(adv.gt(0));
        }
        var dual = dualClip is double c ? r.gt(c).logical_and(adv.lt(0)).to(m.dtype) : torch.zeros_like(m);
        var kl = KlEstimators.PpoApproxKl(oldLogp: x.OldLogp.detach(), logp: x.Logp.detach());
        var cov = covSelected ?? torch.zeros_like(m);
        // the three clip regions are disjoint: low and dual need ρ < 1 − ε_low vs ρ > c > 1, high needs ρ > 1 + ε_high
        var reads = new Scalars();
        var (lowFraction, highFraction, dualFraction) = (reads.Add(Masked.Mean(low.to(m.dtype), m)), reads.Add(Masked.Mean(high.to(m.dtype), m)), reads.Add(Masked.Mean(dual, m)));
        var (ratioMean, klMean, covFraction) = (reads.Add(Masked.Mean(r, m)), reads.Add(Masked.Mean(kl, m)), reads.Add(Masked.Mean(cov.to(m.dtype), m)));
        reads.Read();
        return new PolicyLossStats(lowFraction.Value, highFraction.Value, dualFraction.Value, ratioMean.Value, klMean.Value, covFraction.Value);
    }

    static void Check(PolicyLossInput x)
    {
        ArgumentNullException.ThrowIfNull(x);
        Guard.Rank(x.Logp, 2, "logp", "[B, T]");
        Guard.SameShape(x.OldLogp, x.Logp, "oldLogp", "logp");
        Guard.SameShape(x.Advantages, x.Logp, "advantages", "logp");
        Guard.SameShape(x.Mask, x.Logp, "mask", "logp");
        if (x.RolloutWeights is not null) Guard.SameShape(x.RolloutWeights, x.Logp, "rolloutWeights", "logp");
    }
}
