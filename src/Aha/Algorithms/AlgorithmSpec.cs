namespace Aha.Algorithms;

/// <summary>
/// The resolved algorithm: a preset with its overrides applied and every name looked up in its registry, once, at
/// config load. The on-policy trainer only calls what this names; it holds no switch over algorithm names.
/// </summary>
/// <param name="Name">The preset it started from.</param>
/// <param name="Estimator">The advantage estimator (its <see cref="AdvantageEstimatorEntry.Needs"/> say what the trainer must supply).</param>
/// <param name="PolicyLoss">The policy loss.</param>
/// <param name="Aggregation">The aggregation of the policy loss, the KL-in-loss term and the entropy bonus.</param>
/// <param name="Kl">The KL estimator, used where <paramref name="KlPlacement"/> puts it.</param>
/// <param name="KlPlacement">Loss, reward or none.</param>
/// <param name="Beta">β; the reference model is built when β &gt; 0 (or the estimator needs it).</param>
/// <param name="Loss">Clip ranges and the knobs of SAPO, Clip-Cov, KL-Cov.</param>
/// <param name="RolloutCorrection">Truncated / masked IS of π_old/π_rollout.</param>
/// <param name="DynamicSampling">DAPO dynamic sampling.</param>
/// <param name="OverlongShaping">DAPO overlong shaping.</param>
public sealed record AlgorithmSpec(
    string Name, AdvantageEstimatorEntry Estimator, PolicyLossEntry PolicyLoss, AggregationEntry Aggregation,
    KlEstimatorEntry Kl, KlPlacement KlPlacement, double Beta, PolicyLossSettings Loss,
    RolloutCorrectionSettings RolloutCorrection, bool DynamicSampling, bool OverlongShaping)
{
    /// <summary>True when the estimator needs a value model (GAE).</summary>
    public bool NeedsCritic => Estimator.Has(EstimatorNeeds.Critic);

    /// <summary>True when a frozen reference model must be built.</summary>
    public bool NeedsReference => Beta > 0 || Estimator.Has(EstimatorNeeds.Reference);

    /// <summary>
    /// Looks up <paramref name="preset"/>'s names (or the overrides) in the registries. Every unknown name adds one
    /// problem (its config key, and a message listing the valid ones) to <paramref name="problems"/>; the result is null when any name was unknown.
    /// </summary>
    public static AlgorithmSpec? Resolve(AlgorithmPreset preset, string? estimator, string? policyLoss, string? aggregation,
        string? kl, KlPlacement placement, double beta, PolicyLossSettings loss, RolloutCorrectionSettings rolloutCorrection,
        bool dynamicSampling, bool overlongShaping, ICollection<(string Key, string Message)> problems)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(problems);
        T? Find<T>(Registry<T> registry, string? name, string key) where T : class
        {
            if (registry.TryGet(name, out var entry)) return entry;
            problems.Add((key, registry.UnknownMessage(name)));
            return null;
        }
        var e = Find(AdvantageEstimatorRegistry.All, estimator ?? preset.Estimator, "estimator");
        var p = Find(PolicyLossRegistry.All, policyLoss ?? preset.PolicyLoss, "policy_loss");
        var a = Find(AggregationRegistry.All, aggregation ?? preset.Aggregation, "aggregation");
        var k = Find(KlEstimatorRegistry.All, kl ?? preset.Kl, "kl_estimator");
        if (e is null || p is null || a is null || k is null) return null;
        return new AlgorithmSpec(preset.Name, e, p, a, k, placement, beta, loss, rolloutCorrection, dynamicSampling, overlongShaping);
    }
}
