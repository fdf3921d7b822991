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
        var v = Scalars.Read(d.gt(0).to(d.dtype).mean(), d.mean(), chosen.detach().mean(), rejected.detach().mean());
        return (loss, new RewardModelStats(v[0], v[1], v[2], v[3]));
    }

    /// <summary>
    /// Direct preference optimisation on sequence log-probs (summed over completion tokens), with
    /// h = (log π_θ(y_w) − log π_ref(y_w)) − (log π_θ(y_l) − log π_ref(y_l)):
    /// <list type="bullet">
    /// <item><c>sigmoid</c> (DPO, arXiv:2305.18290): −log σ(β·h); with label smoothing ε (cDPO, Mitchell 2023):
    /// −(1 − ε)·log σ(β·h) − ε·log σ(−β·h), as TRL.</item>
    /// <item><c>ipo</c> (arXiv:2310.12036): (h − 1/(2β))². TRL feeds IPO length-averaged log-probs; pass those if wanted.</item>
    /// </list>
    /// Defaults β = 0.1, ε = 0. Reference log-probs are constants. All inputs [B] → scalar.
    /// </summary>
    public static (Tensor Loss, DpoStats Stats) Dpo(Tensor policyChosen, Tensor policyRejected,
        Tensor referenceChosen, Tensor referenceRejected, double beta = 0.1,
        PreferenceLossType type = PreferenceLossType.Sigmoid, double labelSmoothing = 0.0)
    {
        Guard.Rank(policyChosen, 1, nameof(policyChosen), "[B]");
        Guard.SameShape(policyRejected, policyChosen, nameof(policyRejected), nameof(policyChosen));
        Guard.SameShape(referenceChosen, policyChosen, nameof(referenceChosen), nameof(policyChosen));
        Guard.SameShape(referenceRejected, policyChosen, nameof(referenceRejected), nameof(policyChosen));
        Guard.Positive(beta, nameof(beta));
        Guard.InRange(labelSmoothing, 0, 0.5, nameof(labelSmoothing));
        if (type == PreferenceLossType.Ipo && labelSmoothing != 0)
            throw new ArgumentException($"{nameof(labelSmoothing)} applies to the sigmoid loss only; got {labelSmoothing} with ipo.", nameof(labelSmoothing));

        var chosenLogRatio = policyChosen - referenceChosen.detach();      // [B]
        var rejectedLogRatio = policyRejected - referenceRejected.detach(); // [B]
        var h = chosenLogRatio - rejectedLogRatio;                         // [B]
        Tensor perPair = type switch
        {
            PreferenceLossType.Sigmoid => -(1 - labelSmoothing) * torch.nn.functional.logsigmoid(beta * h)
                                          - labelSmoothing * torch.nn.functional.logsigmoid(-beta * h),
            PreferenceLossType.Ipo => (h - 1 / (2 * beta)).square(),
            _ => throw new ArgumentException($"Unknown preference loss {type}.", nameof(type)),
        };
        var loss = perPair.mean();

        using var _ = torch.no_grad();
        var chosenReward = beta * chosenLogRatio.detach();                 // [B]
        var rejectedReward = beta * rejectedLogRatio.detach();             // [B]
        var diff = chosenReward - rejectedReward;                         // [B]
        var v = Scalars.Read(chosenReward.mean(), rejectedReward.mean(), diff.gt(0).to(diff.dtype).mean(), diff.mean());
        return (loss, new DpoStats(v[0], v[1], v[2], v[3]));
    }
}
