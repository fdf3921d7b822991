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

    /// <summary><c>Sigmoid</c> (DPO) or <c>Ipo</c> (arXiv:2310.12036). The default value is Sigmoid.</summary>
    public PreferenceLossType LossType { get; init; } = PreferenceLossType.Sigmoid;

    /// <summary>
    /// Label smoothing ε of conservative DPO (cDPO): the probability that a label is flipped, in [0, 0.5); sigmoid
    /// loss only. The default value is 0.
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every invalid knob; returns this when valid.</summary>
    public DpoConfig Validate()
    {
        ThrowIfInvalid("DPO");
        return this;
    }

    protected override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        if (!(Beta > 0) || double.IsInfinity(Beta)) errors.Add($"Beta must be > 0 and finite (got {Beta})");
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 0.5)) errors.Add($"LabelSmoothing must be in [0, 0.5) (got {LabelSmoothing})");
        if (LossType == PreferenceLossType.Ipo && LabelSmoothing != 0)
            errors.Add($"LabelSmoothing applies to the sigmoid loss only; set it to 0 with LossType Ipo (got {LabelSmoothing})");
        if (!Enum.IsDefined(LossType)) errors.Add($"LossType must be Sigmoid or Ipo (got {LossType})");
    }
}
