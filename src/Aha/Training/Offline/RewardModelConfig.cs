namespace Aha.Training.Offline;

/// <summary>
/// Reward-model training: Bradley-Terry on (prompt, chosen, rejected) with a scalar head (TRL <c>RewardConfig</c>).
/// Shared knobs in <see cref="OfflineTrainingConfig"/>.
/// </summary>
public sealed record RewardModelConfig : OfflineTrainingConfig
{
    /// <summary>Defaults as TRL's RewardConfig: learning rate 1e-5.</summary>
    public RewardModelConfig() => LearningRate = 1e-5;

    /// <summary>
    /// Weight c of the centering term c·mean((r_w + r_l)²) that keeps rewards near zero (arXiv:2312.09244; TRL
    /// <c>center_rewards_coefficient</c>, which recommends 0.01). The default value is 0 (off).
    /// </summary>
    public double CenterRewardsCoefficient { get; init; }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every invalid knob; returns this when valid.</summary>
    public RewardModelConfig Validate()
    {
        ThrowIfInvalid("reward model");
        return this;
    }

    protected override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        if (!(CenterRewardsCoefficient >= 0) || double.IsInfinity(CenterRewardsCoefficient))
            errors.Add($"CenterRewardsCoefficient must be ≥ 0 and finite (got {CenterRewardsCoefficient})");
    }
}
