using Aha.Configuration;
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

    /// <inheritdoc />
    public override IEnumerable<ConfigProblem> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (!(CenterRewardsCoefficient >= 0) || double.IsInfinity(CenterRewardsCoefficient)) yield return new ConfigProblem("center_rewards_coefficient", $"center_rewards_coefficient must be ≥ 0 and finite (got {CenterRewardsCoefficient})", CenterRewardsCoefficient);
    }
}
