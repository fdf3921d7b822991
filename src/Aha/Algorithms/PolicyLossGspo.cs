using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

public static partial class PolicyLoss
{
    /// <summary>veRL clamps GSPO's log sequence ratio above at 10 before exp.</summary>
    public const double GspoLogRatioMax = 10.0;

    /// <summary>
    /// GSPO (Group Sequence Policy Optimization, Qwen, arXiv:2507.18071; TRL <c>importance_sampling_level="sequence"</c>):
    /// one importance ratio per sequence, the geometric mean of the token ratios,
    /// s_i = exp(min(Σ_t m_t·(logp − old_logp) / |y_i|, 10)), and L_t = max(−Â_t·s_i, −Â_t·clip(s_i, 1 − ε_low, 1 + ε_high)),
    /// every token of row i using the same s_i (its gradient s_i·(1/|y_i|)·Σ_t ∇logp_t flows through all tokens).
    /// The paper's ε are tiny (3e-4 / 4e-4) because s_i is a per-token geometric mean. Aggregate with
    /// <c>seq-mean-token-mean</c> (the paper's, and what veRL forces) to get mean_i of the sequence objective.
    /// Stats: clip fractions are over tokens of clipped sequences; ratio mean is the token mean of s_i.
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) Gspo(PolicyLossInput x)
    {
        Check(x);
        var logS = SequenceLogRatio(x).clamp_max(GspoLogRatioMax).unsqueeze(1);  // [B, 1]
        var s = logS.exp().expand_as(x.Logp);                                     // [B, T]
        return SequenceClipped(x, s);
    }

    /// <summary>
    /// GSPO-token (arXiv:2507.18071 §4.3; veRL <c>compute_policy_loss_gspo</c>, which is this form): the token ratio
    /// s_{i,t} = sg[s_i]·π_θ(y_t)/sg[π_θ(y_t)], i.e. log s_{i,t} = min(logp − sg[logp] + sg[log s_i], 10); its value is
    /// s_i but its gradient reaches only token t, so a per-token advantage Â_{i,t} weighs its own token. With one
    /// advantage per sequence it equals <see cref="Gspo"/> in value and gradient. L_t = max(−Â_t·s_{i,t}, −Â_t·clip(s_{i,t})).
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) GspoToken(PolicyLossInput x)
    {
        Check(x);
        var seq = SequenceLogRatio(x).detach().unsqueeze(1);                      // [B, 1]
        var logS = (x.Logp - x.Logp.detach() + seq).clamp_max(GspoLogRatioMax);   // [B, T]
        return SequenceClipped(x, logS.exp());
    }

    /// <summary>Σ_t m·(logp − old_logp) / max(|y|, 1): [B] (veRL clamps the length at 1).</summary>
    static Tensor SequenceLogRatio(PolicyLossInput x)
    {
        var m = Masked.As(x.Mask, x.Logp);
        return ((x.Logp - x.OldLogp.detach()) * m).sum(1) / m.sum(1).clamp_min(1.0);   // [B]
    }

    static (Tensor, PolicyLossStats) SequenceClipped(PolicyLossInput x, Tensor s)
    {
        var st = x.Settings;
        var adv = x.Advantages.detach();                                          // [B, T]
        var perToken = torch.maximum(-adv * s, -adv * s.clamp(1 - st.ClipLow, 1 + st.ClipHigh)); // [B, T]
        return (Aggregate(perToken, x), ClipStats(x, s, st.ClipLow, st.ClipHigh, null, signed: true));
    }
}
