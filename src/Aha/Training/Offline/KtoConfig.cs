using Aha.Configuration;
using Aha.Algorithms;

namespace Aha.Training.Offline;

/// <summary>
/// Kahneman-Tversky optimisation on unpaired desirable / undesirable completions (arXiv:2402.01306; TRL
/// <c>KTOConfig</c>). Shared knobs in <see cref="OfflineTrainingConfig"/>.
/// </summary>
public sealed record KtoConfig : OfflineTrainingConfig
{
    /// <summary>Defaults as TRL's KTOConfig: learning rate 1e-6.</summary>
    public KtoConfig() => LearningRate = 1e-6;

    /// <summary>
    /// The loss (TRL <c>loss_type</c>): <c>kto</c>, or <c>apo_zero_unpaired</c> (no reference point); see
    /// <see cref="UnpairedPreferenceLosses"/>. The default value is kto.
    /// </summary>
    public string LossType { get; init; } = "kto";

    /// <summary>
    /// β, how far the policy may move from the reference: larger keeps it closer (the implicit reward is
    /// β·log π_θ/π_ref). The default value is 0.1 (TRL, paper).
    /// </summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>
    /// λ_D, the weight of desirable examples' losses, to balance unequal class counts: the paper (eq. 8) recommends
    /// λ_D·n_D / (λ_U·n_U) in [1, 4/3]. The default value is 1.
    /// </summary>
    public double DesirableWeight { get; init; } = 1.0;

    /// <summary>λ_U, the weight of undesirable examples' losses (see <see cref="DesirableWeight"/>). The default value is 1.</summary>
    public double UndesirableWeight { get; init; } = 1.0;

    /// <inheritdoc />
    public override IEnumerable<ConfigProblem> Problems()
    {
        foreach (var p in base.Problems()) yield return p;
        if (!UnpairedPreferenceLosses.All.TryGet(LossType, out _))
            yield return new ConfigProblem("loss_type", $"loss_type '{LossType}' is unknown; valid values: {string.Join(", ", UnpairedPreferenceLosses.All.Names)}", LossType);
        if (!(Beta > 0) || double.IsInfinity(Beta)) yield return new ConfigProblem("beta", $"beta must be > 0 and finite (got {Beta})", Beta);
        if (!(DesirableWeight > 0) || double.IsInfinity(DesirableWeight))
            yield return new ConfigProblem("desirable_weight", $"desirable_weight must be > 0 and finite (got {DesirableWeight})", DesirableWeight);
        if (!(UndesirableWeight > 0) || double.IsInfinity(UndesirableWeight))
            yield return new ConfigProblem("undesirable_weight", $"undesirable_weight must be > 0 and finite (got {UndesirableWeight})", UndesirableWeight);
    }
}
