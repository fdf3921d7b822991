using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

public static partial class PolicyLoss
{
    /// <summary>
    /// Clip-Cov (Cui et al., "The Entropy Mechanism of RL for Reasoning LMs", arXiv:2505.22617), as veRL
    /// <c>compute_policy_loss_clip_cov</c>: entropy falls fastest through tokens whose log-prob and advantage covary
    /// strongly, so a few of them are detached. Per token, cov_t = (Â_t − mean(Â))·(logp_t − mean(logp)) (means over
    /// the masked tokens of this call); candidates are masked tokens not already clipped by the PPO clip with
    /// ω_low &lt; cov_t &lt; ω_high; max(⌊r·N⌋, 1) of them (N the masked tokens) are drawn at random and get
    /// L_t = 0; every other token has the PPO clipped surrogate max(−Âρ, −Â·clip(ρ)). Defaults r = 2e-4, ω = (1, 5).
    /// ρ is clamped at ±20 in log space (veRL does not clamp here).
    /// Stats: <see cref="PolicyLossStats.CovFraction"/> = detached tokens / N.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) ClipCov(PolicyLossInput x)
    {
        Check(x);
        var s = x.Settings;
        var m = Masked.As(x.Mask, x.Logp);                                        // [B, T]
        var adv = x.Advantages.detach();                                          // [B, T]
        var ratio = Ratio(x);                                                     // [B, T]
        var pg1 = -adv * ratio;                                                   // [B, T]
        var pg2 = -adv * ratio.clamp(1 - s.ClipLow, 1 + s.ClipHigh);             // [B, T]
        Tensor keep;                                                              // [B, T] 1 = keep the gradient
        Tensor selected;
        using (torch.no_grad())
        {
            var valid = m.gt(0);
            var clippedByPpo = pg2.gt(pg1).logical_and(valid);
            var cov = Covariance(adv, x.Logp.detach(), m);                        // [B, T]
            var candidates = valid.logical_and(clippedByPpo.logical_not())
                .logical_and(cov.gt(s.ClipCovLow)).logical_and(cov.lt(s.ClipCovHigh)).view(-1); // [B·T]
            var positions = candidates.nonzero().view(-1);                         // [K]
            long count = positions.shape[0];
            long tokens = (long)Math.Round(m.sum().to_type(ScalarType.Float64).item<double>());
            long take = Math.Min(Math.Max((long)(s.ClipCovRatio * tokens), 1), count);
            var chosen = torch.zeros(candidates.shape[0], dtype: m.dtype, device: m.device);  // [B·T]
            if (take > 0)
            {
                var perm = torch.randperm(count, generator: x.Generator ?? DefaultGenerator(), device: CPU).to(positions.device);
                chosen.index_fill_(0, positions.index_select(0, perm.narrow(0, 0, take)), 1.0);
            }
            selected = chosen.view_as(m);                                         // [B, T]
            keep = 1 - selected;
        }
        var perToken = torch.maximum(pg1, pg2) * keep;                            // [B, T]
        return (Aggregate(perToken, x), ClipStats(x, ratio, s.ClipLow, s.ClipHigh, null, signed: true, covSelected: selected));
    }

    /// <summary>
    /// KL-Cov (arXiv:2505.22617), as veRL <c>compute_policy_loss_kl_cov</c>: the max(⌊k·N⌋, 1) masked tokens of
    /// largest covariance cov_t (as in <see cref="ClipCov"/>) get a KL penalty, L_t = −Â·ρ + c·|logp − old_logp|; every
    /// other token has the unclipped surrogate −Â·ρ (no PPO clip anywhere, as veRL). Defaults k = 2e-4, c = 0.1.
    /// ρ is clamped at ±20 in log space (veRL does not clamp here). Stats: <see cref="PolicyLossStats.CovFraction"/> =
    /// penalised tokens / N; no clip fractions.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) KlCov(PolicyLossInput x)
    {
        Check(x);
        var s = x.Settings;
        var m = Masked.As(x.Mask, x.Logp);                                        // [B, T]
        var adv = x.Advantages.detach();                                          // [B, T]
        var logRatio = x.Logp - x.OldLogp.detach();                               // [B, T]
        var pg = -adv * Ratio(x);                                                 // [B, T]
        Tensor selected;
        using (torch.no_grad())
        {
            var valid = m.gt(0);
            long tokens = (long)Math.Round(m.sum().to_type(ScalarType.Float64).item<double>());
            var chosen = torch.zeros_like(m).view(-1);                            // [B·T]
            if (tokens > 0)
            {
                var cov = Covariance(adv, x.Logp.detach(), m);                    // [B, T]
                var ranked = torch.where(valid, cov, torch.full_like(cov, double.NegativeInfinity)).view(-1);
                long take = Math.Max(1, (long)(tokens * s.KlCovRatio));
                chosen.index_fill_(0, ranked.topk((int)take).indexes, 1.0);
            }
            selected = chosen.view_as(m);                                         // [B, T]
        }
        var perToken = pg + selected * s.KlCovCoef * logRatio.abs();              // [B, T]
        return (Aggregate(perToken, x),
            ClipStats(x, Ratio(x), double.PositiveInfinity, double.PositiveInfinity, null, signed: true, covSelected: selected));
    }

    /// <summary>(Â − mean_m Â)·(logp − mean_m logp), means over masked tokens: [B, T].</summary>
    static Tensor Covariance(Tensor adv, Tensor logp, Tensor m) =>
        (adv - Masked.Mean(adv, m)) * (logp - Masked.Mean(logp, m));

    static Generator DefaultGenerator() => new Generator(0, CPU);
}
