using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>Reward-model diagnostics, read once (TRL RewardTrainer: accuracy, margin).</summary>
/// <param name="Accuracy">Fraction of pairs with r_w &gt; r_l (ties count as wrong).</param>
/// <param name="Margin">Mean of r_w − r_l.</param>
public sealed record RewardModelStats(double Accuracy, double Margin, double ChosenMean, double RejectedMean);

/// <summary>DPO diagnostics, read once (TRL names: rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins).</summary>
/// <param name="ChosenReward">Mean implicit reward β·(log π_θ(y_w) − log π_ref(y_w)).</param>
/// <param name="RejectedReward">Mean implicit reward β·(log π_θ(y_l) − log π_ref(y_l)).</param>
/// <param name="Accuracy">Fraction of pairs whose chosen implicit reward exceeds the rejected one.</param>
/// <param name="Margin">Mean of chosen − rejected implicit reward.</param>
public sealed record DpoStats(double ChosenReward, double RejectedReward, double Accuracy, double Margin);

/// <summary>Pairwise losses. Every input is one number per pair: [B] → scalar (mean over pairs).</summary>
public static class PreferenceLosses
{
    /// <summary>
    /// Bradley-Terry reward-model loss (InstructGPT, arXiv:2203.02155): mean(−log σ(r_w − r_l − margin)), plus the
    /// centering term c·mean((r_w + r_l)²) (arXiv:2312.09244; TRL <c>center_rewards_coefficient</c>) when c &gt; 0.
    /// The optional per-pair margin is as Llama 2 (arXiv:2307.09288). chosen, rejected, margin: [B] → scalar.
    /// </summary>
    public static (Tensor Loss, RewardModelStats Stats) BradleyTerry(Tensor chosen, Tensor rejected,
        Tensor? margin = null, double centeringCoefficient = 0.0)
    {
        Guard.Rank(chosen, 1, nameof(chosen), "[B]");
        Guard.SameShape(rejected, chosen, nameof(rejected), nameof(chosen));
        if (margin is not null) Guard.SameShape(margin, chosen, nameof(margin), nameof(chosen));
        if (!(centeringCoefficient >= 0))
            throw new ArgumentException($"{nameof(centeringCoefficient)} must be ≥ 0; got {centeringCoefficient}.", nameof(centeringCoefficient));

        var diff = chosen - rejected;                                      // [B]
        var logits = margin is null ? diff : diff - margin.detach();       // [B]
        var loss = -torch.nn.functional.logsigmoid(logits).mean();
        if (centeringCoefficient > 0) loss = loss + centeringCoefficient * (chosen + rejected).square().mean();

        using var _ = torch.no_grad();
        var d = diff.detach();
        var reads = new Scalars();
        var (accuracy, marginMean) = (reads.Add(d.gt(0).to(d.dtype).mean()), reads.Add(d.mean()));
        var (chosenMean, rejectedMean) = (reads.Add(chosen.detach().mean()), reads.Add(rejected.detach().mean()));
        reads.Read();
        return (loss, new RewardModelStats(accuracy.Value, marginMean.Value, chosenMean.Value, rejectedMean.Value));
    }

    /// <summary>
    /// Direct preference optimisation on sequence log-probs (summed over completion tokens), with
    /// h = (log π_θ(y_w) − log π_ref(y_w)) − (log π_θ(y_l) − log π_ref(y_l)); <paramref name="type"/> picks the loss from
    /// <see cref="PreferenceLossRegistry"/> (sigmoid/cDPO, ipo, hinge, robust, simpo, orpo — see there). Pass per-token
    /// mean log-probs for the length-normalised ones (<see cref="PreferenceLossEntry.LengthNormalized"/>); the reference
    /// tensors may be null for reference-free ones. Defaults β = 0.1, ε = 0, SimPO γ = 0.5 (TRL). All inputs [B] → scalar.
    /// </summary>
    public static (Tensor Loss, DpoStats Stats) Dpo(Tensor policyChosen, Tensor policyRejected,
        Tensor? referenceChosen, Tensor? referenceRejected, double beta = 0.1,
        string type = "sigmoid", double labelSmoothing = 0.0, double simpoGamma = 0.5)
    {
        var (loss, stats, _) = Preference(PreferenceLossRegistry.All.Get(type),
            new PreferenceInput(policyChosen, policyRejected, referenceChosen, referenceRejected, beta, labelSmoothing, simpoGamma));
        return (loss, stats);
    }

    /// <summary>The preference losses that take a label-flip rate ε.</summary>
    public static IReadOnlyList<string> SmoothedNames =>
        PreferenceLossRegistry.All.Names.Where(n => PreferenceLossRegistry.All.Get(n).LabelSmoothing).ToArray();

    /// <summary>
    /// Runs a registered preference loss: the mean of its per-pair loss, TRL's rewards/* statistics, and the loss's own
    /// extra metrics (batch means, e.g. ORPO's log_odds_ratio, nll_loss).
    /// </summary>
    public static (Tensor Loss, DpoStats Stats, IReadOnlyDictionary<string, double> Extra) Preference(PreferenceLossEntry entry, PreferenceInput x)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(x);
        Guard.Rank(x.PolicyChosen, 1, "policyChosen", "[B]");
        Guard.SameShape(x.PolicyRejected, x.PolicyChosen, "policyRejected", "policyChosen");
        if (entry.NeedsReference)
        {
            if (x.ReferenceChosen is null || x.ReferenceRejected is null)
                throw new ArgumentException($"The {entry.Name} loss needs reference log-probs.", "referenceChosen");
            Guard.SameShape(x.ReferenceChosen, x.PolicyChosen, "referenceChosen", "policyChosen");
            Guard.SameShape(x.ReferenceRejected, x.PolicyChosen, "referenceRejected", "policyChosen");
        }
        Guard.Positive(x.Beta, "beta");
        if (!(x.LabelSmoothing >= 0 && x.LabelSmoothing < 0.5))
            throw new ArgumentException($"labelSmoothing must be in [0, 0.5) (a label-flip rate; robust divides by 1 − 2ε); got {x.LabelSmoothing}.", "labelSmoothing");
        if (x.LabelSmoothing != 0 && !entry.LabelSmoothing)
            throw new ArgumentException($"labelSmoothing applies to the {string.Join(", ", SmoothedNames)} losses only; got {x.LabelSmoothing} with {entry.Name}.", "labelSmoothing");

        var terms = entry.Compute(x);
        var loss = terms.PerPair.mean();
        using var _ = torch.no_grad();
        var diff = terms.ChosenReward - terms.RejectedReward;             // [B]
        var extraNames = terms.Extra.Keys.ToArray();
        var reads = new Scalars();
        var (chosen, rejected) = (reads.Add(terms.ChosenReward.mean()), reads.Add(terms.RejectedReward.mean()));
        var (accuracy, margin) = (reads.Add(diff.gt(0).to(diff.dtype).mean()), reads.Add(diff.mean()));
        var extraReads = terms.Extra.ToDictionary(e => e.Key, e => reads.Add(e.Value.mean()));
        reads.Read();
        var extra = extraReads.ToDictionary(e => e.Key, e => e.Value.Value);
        return (loss, new DpoStats(chosen.Value, rejected.Value, accuracy.Value, margin.Value), extra);
    }
}
