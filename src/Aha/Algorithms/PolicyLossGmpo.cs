using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

public static partial class PolicyLoss
{
    /// <summary>
    /// GMPO (Geometric-Mean Policy Optimization, arXiv:2507.20673), as veRL <c>compute_policy_loss_geo_mean</c>
    /// (registered there as <c>geo_mean</c>): the sequence objective uses the geometric mean of token ratios, each
    /// clipped in log space on the side the advantage's sign makes binding:
    /// d_t = logp − old_logp; d̃_t = sgn(Â)·min(sgn(Â)·d_t, sgn(Â)·clamp(d_t, −ε_low, ε_high));
    /// ρ̄_i = exp(Σ_t m·d̃_t / (|y_i| + 1e-8)); Â_i = Σ_t m·Â_t / (|y_i| + 1e-8); L_i = −Â_i·ρ̄_i;
    /// loss = Σ_i L_i / N_seq (rows with a token; veRL divides by all B rows — identical unless a row is fully masked).
    /// The configured aggregation is not used (as veRL). Rollout-correction weights enter per sequence as their
    /// geometric mean (as veRL). The paper's clip range is (e^−0.4, e^0.4): ε = 0.4. No ±20 clamp on d (as veRL).
    /// Stats: high = clipped tokens with Â &gt; 0, low = with Â &lt; 0 (veRL pg_clipfrac / pg_clipfrac_lower).
    /// </summary>
    public static (Tensor Loss, PolicyLossStats Stats) Gmpo(PolicyLossInput x)
    {
        Check(x);
        var s = x.Settings;
        var m = Masked.As(x.Mask, x.Logp);                                        // [B, T]
        var adv = x.Advantages.detach();                                          // [B, T]
        var d = x.Logp - x.OldLogp.detach();                                      // [B, T]
        var sign = adv.sign();                                                    // [B, T]
        var dClamped = d.clamp(-s.ClipLow, s.ClipHigh);                           // [B, T]
        var dMin = sign * torch.minimum(sign * d, sign * dClamped);              // [B, T]
        var length = m.sum(1) + 1e-8;                                             // [B]
        var seqRatio = ((dMin * m).sum(1) / length).exp();                        // [B]
        var seqAdv = (adv * m).sum(1) / length;                                   // [B]
        var perSeq = -seqAdv * seqRatio;                                          // [B]
        if (x.RolloutWeights is not null)
            perSeq = perSeq * (((x.RolloutWeights.detach() + 1e-10).log() * m).sum(1) / length).exp(); // [B]
        double sequences = x.Norm?.Sequences ?? SequenceCount(m);
        var loss = perSeq.sum() / Math.Max(sequences, 1.0);

        PolicyLossStats stats;
        using (torch.no_grad())
        {
            var clipped = d.ne(dClamped);
            var high = clipped.logical_and(adv.gt(0)).to(m.dtype);
            var low = clipped.logical_and(adv.lt(0)).to(m.dtype);
            var kl = KlEstimators.PpoApproxKl(oldLogp: x.OldLogp.detach(), logp: x.Logp.detach());
            var ratioPerToken = seqRatio.detach().unsqueeze(1).expand_as(m);
            var reads = new Scalars();
            var (clipLow, clipHigh) = (reads.Add(Masked.Mean(low, m)), reads.Add(Masked.Mean(high, m)));
            var (ratioMean, klMean) = (reads.Add(Masked.Mean(ratioPerToken, m)), reads.Add(Masked.Mean(kl, m)));
            reads.Read();
            stats = new PolicyLossStats(clipLow.Value, clipHigh.Value, 0, ratioMean.Value, klMean.Value);
        }
        return (loss, stats);
    }

    static double SequenceCount(Tensor m)
    {
        using var _ = torch.no_grad();
        using var n = m.sum(1).gt(0).sum();
        return n.item<long>();
    }
}
