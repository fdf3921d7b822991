using Aha.Configuration;
using Aha.Algorithms;

namespace Aha.Training.Offline;

/// <summary>
/// Direct preference optimisation (arXiv:2305.18290; TRL <c>DPOConfig</c>). Shared knobs in
/// <see cref="OfflineTrainingConfig"/>.
/// </summary>
public sealed record DpoConfig : OfflineTrainingConfig
{
    /// <summary>Defaults as TRL's DPOConfig: learning rate 1e-6.</summary>
    public DpoConfig() => LearningRate = 1e-6;

    /// <summary>
    /// β, the strength of the implicit KL constraint to the reference: larger keeps the policy closer (the optimum's
    /// log-ratio is r/β). For IPO it is τ, the target margin being 1/(2τ). The default value is 0.1 (TRL, paper).
    /// </summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>The preference loss (TRL loss_type), a name in <see cref="PreferenceLossRegistry"/>: <c>sigmoid</c> (DPO),
    /// <c>ipo</c>, <c>hinge</c>, <c>robust</c>, and the reference-free <c>simpo</c>, <c>orpo</c>. The default value is sigmoid.</summary>
    public string LossType { get; init; } = "sigmoid";

    /// <summary>
    /// Label smoothing ε of conservative DPO (cDPO): the probability that a label is flipped, in [0, 0.5); sigmoid
    /// loss only. The default value is 0.
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>SimPO's target reward margin γ (TRL <c>simpo_gamma</c>); the loss is −log σ(β(w̄ − l̄) − γ). The default value is 0.5.</summary>
    public double SimpoGamma { get; init; } = 0.5;

    /// <inheritdoc />
    public override IEnumerable<ConfigProblem> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (!(Beta > 0) || double.IsInfinity(Beta)) yield return new ConfigProblem("beta", $"beta must be > 0 and finite (got {Beta})", Beta);
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 0.5)) yield return new ConfigProblem("label_smoothing", $"label_smoothing must be in [0, 0.5) (got {LabelSmoothing})", LabelSmoothing);
        if (!PreferenceLossRegistry.All.TryGet(LossType, out var loss))
            yield return new ConfigProblem("loss_type", PreferenceLossRegistry.All.UnknownMessage(LossType), LossType);
        else if (!loss.LabelSmoothing && LabelSmoothing != 0)
            yield return new ConfigProblem("label_smoothing", $"label_smoothing applies to the {string.Join(", ", PreferenceLosses.SmoothedNames)} losses only; set it to 0 with loss_type {loss.Name} (got {LabelSmoothing})", LabelSmoothing);
        if (!(SimpoGamma >= 0) || double.IsInfinity(SimpoGamma)) yield return new ConfigProblem("simpo_gamma", $"simpo_gamma must be ≥ 0 (got {SimpoGamma})", SimpoGamma);
    }
}
