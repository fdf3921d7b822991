using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// Diagnostics of a policy-loss call, read once (TRL metric names in brackets). Fractions are over masked tokens.
/// </summary>
/// <param name="ClipFractionLow">ρ &lt; 1 − ε_low with Â &lt; 0: the lower clip is active [clip_ratio/low_mean].</param>
/// <param name="ClipFractionHigh">ρ &gt; 1 + ε_high with Â &gt; 0: the upper clip is active [clip_ratio/high_mean].</param>
/// <param name="DualClipFraction">Â &lt; 0 with ρ &gt; c: the dual clip is active (veRL pg_clipfrac_lower); 0 without dual clip.</param>
/// <param name="RatioMean">Masked mean of ρ.</param>
/// <param name="ApproxKl">Masked mean of k3 estimating KL(π_old ‖ π_θ) with d = logp − old_logp: e^d − d − 1.</param>
public sealed record PolicyLossStats(
    double ClipFractionLow, double ClipFractionHigh, double DualClipFraction, double RatioMean, double ApproxKl)
{
    /// <summary>Total fraction of tokens whose gradient was cut by any clip [clip_ratio/region_mean].</summary>
    public double ClipFraction => ClipFractionLow + ClipFractionHigh + DualClipFraction;
}

/// <summary>Policy-gradient losses on per-token log-probs. logp, oldLogp, advantages, mask: [B, T] → scalar.</summary>
public static class PolicyLoss
{
    /// <summary>veRL clamps logp − old_logp to ±20 before exp.</summary>
    public const double LogRatioClamp = 20.0;

    /// <summary>
    /// PPO clipped surrogate (arXiv:1707.06347) with clip-higher (DAPO, arXiv:2503.14476) and optional dual clip
    /// (Ye et al., arXiv:1912.09729), as veRL <c>compute_policy_loss_vanilla</c>:
    /// ρ = exp(clamp(logp − old_logp, ±20)), L_t = max(−Â·ρ, −Â·clip(ρ, 1 − ε_low, 1 + ε_high));
    /// with dual clip c &gt; 1 and Â &lt; 0: L_t = min(L_t, −Â·c). Then aggregated with <paramref name="aggregation"/>
    /// (pass the mini-batch's <paramref name="norm"/> when accumulating micro-batches).
    /// Defaults ε_low = ε_high = 0.2 (DAPO: 0.2 / 0.28); no dual clip (veRL always applies c = 3).
    /// The gradient is −Â·ρ·∇logp inside the clip region and 0 where a clip is active.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) Clipped(Tensor logp, Tensor oldLogp, Tensor advantages, Tensor mask,
        AggregationMode aggregation, double clipLow = 0.2, double clipHigh = 0.2, double? dualClip = null,
        AggregationNorm? norm = null)
    {
        Check(logp, advantages, mask);
        Guard.SameShape(oldLogp, logp, nameof(oldLogp), nameof(logp));
        Guard.InRange(clipLow, 0, 1, nameof(clipLow));
        if (!(clipHigh >= 0)) throw new ArgumentException($"{nameof(clipHigh)} must be ≥ 0; got {clipHigh}.", nameof(clipHigh));
        if (dualClip is double c && !(c > 1))
            throw new ArgumentException($"{nameof(dualClip)} must be > 1 (a lower bound on ρ for Â < 0); got {c}.", nameof(dualClip));

        var adv = advantages.detach();                                    // [B, T]
        var ratio = (logp - oldLogp.detach()).clamp(-LogRatioClamp, LogRatioClamp).exp(); // [B, T]
        var unclipped = -adv * ratio;                                      // [B, T]
        var clipped = -adv * ratio.clamp(1 - clipLow, 1 + clipHigh);       // [B, T]
        var perToken = torch.maximum(unclipped, clipped);                  // [B, T]
        if (dualClip is double dc)
            perToken = torch.where(adv.lt(0), torch.minimum(perToken, -adv * dc), perToken); // [B, T]
        var loss = LossAggregation.Aggregate(perToken, mask, aggregation, norm);

        PolicyLossStats stats;
        using (torch.no_grad())
        {
            var m = Masked.As(mask, ratio);
            var r = ratio.detach();
            var low = r.lt(1 - clipLow).logical_and(adv.lt(0)).to(m.dtype);
            var high = r.gt(1 + clipHigh).logical_and(adv.gt(0)).to(m.dtype);
            var dual = dualClip is double c2 ? r.gt(c2).logical_and(adv.lt(0)).to(m.dtype) : torch.zeros_like(m);
            var kl = KlEstimators.K3(oldLogp.detach(), logp.detach(), LogRatioClamp, double.PositiveInfinity);
            // the three regions are disjoint: low and dual need Â < 0 (ρ below 1 − ε_low vs above c > 1), high needs Â > 0
            var v = Scalars.Read(Masked.Mean(low, m), Masked.Mean(high, m), Masked.Mean(dual, m),
                Masked.Mean(r, m), Masked.Mean(kl, m));
            stats = new PolicyLossStats(v[0], v[1], v[2], v[3], v[4]);
        }
        return (loss, stats);
    }

    /// <summary>
    /// Plain policy gradient (REINFORCE, Williams 1992), for one-step on-policy updates where ρ ≡ 1:
    /// L_t = −Â·logp, gradient −Â·∇logp (equal to the clipped loss's at ρ = 1). Stats report no clipping,
    /// ratio 1 and KL 0 by construction.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) PolicyGradient(Tensor logp, Tensor advantages, Tensor mask,
        AggregationMode aggregation, AggregationNorm? norm = null)
    {
        Check(logp, advantages, mask);
        var perToken = -advantages.detach() * logp;                       // [B, T]
        return (LossAggregation.Aggregate(perToken, mask, aggregation, norm), new PolicyLossStats(0, 0, 0, 1, 0));
    }

    static void Check(Tensor logp, Tensor advantages, Tensor mask)
    {
        Guard.Rank(logp, 2, nameof(logp), "[B, T]");
        Guard.SameShape(advantages, logp, nameof(advantages), nameof(logp));
        Guard.SameShape(mask, logp, nameof(mask), nameof(logp));
    }
}
