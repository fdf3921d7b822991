using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

public static partial class PolicyLoss
{
    /// <summary>
    /// SAPO (Soft Adaptive Policy Optimization, Qwen, arXiv:2511.20347), as veRL <c>compute_policy_loss_sapo</c> and
    /// TRL <c>loss_type="sapo"</c> (the two agree): a smooth gate replaces the hard clip,
    /// f(ρ) = σ(τ·(ρ − 1))·4/τ with τ = τ_pos where Â &gt; 0 and τ_neg otherwise, L_t = −f(ρ_t)·Â_t,
    /// ρ = exp(clamp(logp − old_logp, ±20)). At ρ = 1 the gate's slope is 1 (σ'(0)·4 = 1), so on-policy SAPO has
    /// the plain policy gradient; far from 1 the gradient fades smoothly instead of dropping to 0. τ_neg &gt; τ_pos
    /// damps negative updates faster (defaults 1.0 / 1.05). Aggregation: seq-mean-token-mean (what both use).
    /// Stats: no clip fractions (nothing is clipped).
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) Sapo(PolicyLossInput x)
    {
        Check(x);
        var s = x.Settings;
        var adv = x.Advantages.detach();                                          // [B, T]
        var ratio = Ratio(x);                                                     // [B, T]
        var tau = torch.where(adv.gt(0), torch.full_like(adv, s.SapoTauPos), torch.full_like(adv, s.SapoTauNeg)); // [B, T]
        var gate = torch.sigmoid(tau * (ratio - 1)) * 4 / tau;                    // [B, T]
        var perToken = -gate * adv;                                               // [B, T]
        return (Aggregate(perToken, x), ClipStats(x, ratio, double.PositiveInfinity, double.PositiveInfinity, null, signed: true));
    }
}
