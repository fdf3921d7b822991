using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// The inputs of an unpaired (binary-feedback) preference loss, one number per example ([B]): the policy's and the
/// reference's sequence log-probs of the completion (sums over its tokens), whether the completion is desirable, and
/// KTO's reference point z0 (a scalar, see <see cref="UnpairedPreferenceLosses.ReferencePoint"/>; 0 for losses
/// without one), β and the class weights λ_D, λ_U.
/// </summary>
public sealed record UnpairedInput(Tensor Policy, Tensor Reference, Tensor Desirable, Tensor ReferencePoint,
    double Beta = 0.1, double DesirableWeight = 1.0, double UndesirableWeight = 1.0);

/// <summary>What an unpaired loss returns: the per-example loss [B] (class weight included) and the implicit reward
/// β·(log π_θ(y|x) − log π_ref(y|x)) [B], detached (TRL's rewards/chosen, rewards/rejected).</summary>
public sealed record UnpairedTerms(Tensor PerExample, Tensor Reward);

/// <summary>One registered unpaired loss.</summary>
/// <param name="NeedsReferencePoint">True for KTO: the trainer estimates z0 from mismatched (prompt, completion) pairs.</param>
public sealed record UnpairedLossEntry(string Name, bool NeedsReferencePoint, Func<UnpairedInput, Tensor> PerExample,
    string Formula, string Source);

/// <summary>
/// Losses on unpaired desirable / undesirable completions (TRL <c>KTOConfig.loss_type</c> names), with
/// r = log π_θ(y|x) − log π_ref(y|x) per example:
/// <list type="bullet">
/// <item><c>kto</c> (Kahneman-Tversky optimisation, arXiv:2402.01306 eq. 7; TRL <c>KTOTrainer</c>): desirable
/// λ_D·(1 − σ(β(r − z0))), undesirable λ_U·(1 − σ(β(z0 − r))).</item>
/// <item><c>apo_zero_unpaired</c> (APO-zero, arXiv:2408.06266, unpaired as TRL): desirable λ_D·(1 − σ(βr)),
/// undesirable λ_U·σ(βr); no reference point.</item>
/// </list>
/// The batch loss is the plain mean over examples of the weighted per-example losses (TRL: <c>losses.nanmean()</c>).
/// </summary>
public static class UnpairedPreferenceLosses
{
    /// <summary>Every unpaired preference loss.</summary>
    public static Registry<UnpairedLossEntry> All { get; } = new("unpaired preference loss");

    static UnpairedPreferenceLosses()
    {
        All.Register("kto", new UnpairedLossEntry("kto", true, Kto,
            "desirable λ_D·(1 − σ(β(r − z0))), undesirable λ_U·(1 − σ(β(z0 − r))), z0 = max(0, mean_j sg[r(x_j, y'_j)])",
            "KTO arXiv:2402.01306 eq. 7; TRL KTOTrainer loss_type=kto"));
        All.Register("apo_zero_unpaired", new UnpairedLossEntry("apo_zero_unpaired", false, ApoZero,
            "desirable λ_D·(1 − σ(βr)), undesirable λ_U·σ(βr)",
            "APO arXiv:2408.06266; TRL KTOTrainer loss_type=apo_zero_unpaired"));
    }

    /// <summary>
    /// KTO's reference point z0 = max(0, mean_j (log π_θ(y'_j|x_j) − log π_ref(y'_j|x_j))) over mismatched pairs
    /// (x_j, y'_j) of the batch: a biased estimate of KL(π_θ ‖ π_ref), detached so no gradient flows through it
    /// (arXiv:2402.01306 §4.1; TRL <c>kl = (KL_logps − ref_KL_logps).mean().detach().clamp(min=0)</c>).
    /// policyMismatched, referenceMismatched: [B'] → scalar.
    /// </summary>
    public static Tensor ReferencePoint(Tensor policyMismatched, Tensor referenceMismatched)
    {
        Guard.Rank(policyMismatched, 1, nameof(policyMismatched), "[B']");
        Guard.SameShape(referenceMismatched, policyMismatched, nameof(referenceMismatched), nameof(policyMismatched));
        if (policyMismatched.shape[0] == 0) throw new ArgumentException("The reference point needs at least one mismatched pair.", nameof(policyMismatched));
        return (policyMismatched.detach() - referenceMismatched.detach()).mean().clamp_min(0);
    }

    /// <summary>Runs <paramref name="entry"/> on <paramref name="x"/> after checking shapes and knobs.</summary>
    public static UnpairedTerms Compute(UnpairedLossEntry entry, UnpairedInput x)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(x);
        Guard.Rank(x.Policy, 1, "policy", "[B]");
        Guard.SameShape(x.Reference, x.Policy, "reference", "policy");
        Guard.SameShape(x.Desirable, x.Policy, "desirable", "policy");
        if (x.Desirable.dtype != ScalarType.Bool) throw new ArgumentException($"desirable must be a bool tensor; got {x.Desirable.dtype}.", "desirable");
        if (x.ReferencePoint.numel() != 1) throw new ArgumentException("referencePoint must be a scalar.", "referencePoint");
        Guard.Positive(x.Beta, "beta");
        Guard.Positive(x.DesirableWeight, "desirableWeight");
        Guard.Positive(x.UndesirableWeight, "undesirableWeight");
        var r = x.Policy - x.Reference.detach();                                            // [B]
        return new UnpairedTerms(entry.PerExample(x), (x.Beta * r).detach());
    }

    static Tensor Kto(UnpairedInput x)
    {
        var r = x.Policy - x.Reference.detach();                                            // [B]
        var z0 = x.ReferencePoint.detach().reshape([]);                                      // scalar
        var desirable = x.DesirableWeight * (1 - torch.sigmoid(x.Beta * (r - z0)));         // [B]
        var undesirable = x.UndesirableWeight * (1 - torch.sigmoid(x.Beta * (z0 - r)));     // [B]
        return torch.where(x.Desirable, desirable, undesirable);                             // [B]
    }

    static Tensor ApoZero(UnpairedInput x)
    {
        var r = x.Policy - x.Reference.detach();                                            // [B]
        var desirable = x.DesirableWeight * (1 - torch.sigmoid(x.Beta * r));                // [B]
        var undesirable = x.UndesirableWeight * torch.sigmoid(x.Beta * r);                  // [B]
        return torch.where(x.Desirable, desirable, undesirable);                             // [B]
    }
}
