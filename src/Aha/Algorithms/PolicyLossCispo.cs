using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

public static partial class PolicyLoss
{
    /// <summary>
    /// CISPO (Clipped IS-weight Policy Optimization, MiniMax-M1, arXiv:2506.13585), as veRL
    /// <c>compute_policy_loss_cispo</c>: REINFORCE with the importance weight clipped and detached,
    /// L_t = −sg[clip(ρ, 1 − ε_low, 1 + ε_high)]·Â·logp, ρ = exp(clamp(logp − old_logp, ±20)). Unlike PPO's clip, a
    /// clipped token still gets the gradient −w·Â·∇logp, so rare tokens that jump (the reflective "wait", "however")
    /// keep learning. ε_low ≥ 1 removes the lower bound (the paper sets none; veRL's example uses ε_low = 10,
    /// ε_high = 0.2). TRL clips only above, at its <c>epsilon_high</c> as an absolute cap. Aggregation: token-mean (paper).
    /// Stats: low/high count tokens whose weight was clipped, whatever Â's sign.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) Cispo(PolicyLossInput x)
    {
        Check(x);
        var s = x.Settings;
        var ratio = Ratio(x);                                                     // [B, T]
        var weight = ratio.clamp(1 - s.ClipLow, 1 + s.ClipHigh).detach();        // [B, T]
        var perToken = -weight * x.Advantages.detach() * x.Logp;                  // [B, T]
        return (Aggregate(perToken, x), ClipStats(x, ratio, s.ClipLow, s.ClipHigh, null, signed: false));
    }
}
