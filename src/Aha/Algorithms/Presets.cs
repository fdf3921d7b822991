using System.Collections.Frozen;

namespace Aha.Algorithms;

/// <summary>
/// One named recipe of the on-policy trainer: advantage estimator × clipped policy loss × aggregation × KL,
/// plus DAPO's data-side switches. Every field is a default that configuration may override.
/// </summary>
/// <param name="Name">The name users type (<c>grpo</c>, <c>dapo</c>, …).</param>
/// <param name="ClipLow">ε_low: ρ is clipped below at 1 − ε_low.</param>
/// <param name="ClipHigh">ε_high: ρ is clipped above at 1 + ε_high (DAPO clip-higher).</param>
/// <param name="DualClip">Dual-clip c &gt; 1 for Â &lt; 0 (arXiv:1912.09729); null for none.</param>
/// <param name="Kl">The KL estimator used where <paramref name="KlPlacement"/> puts it.</param>
/// <param name="Beta">KL coefficient β; 0 means no reference model is needed.</param>
/// <param name="DynamicSampling">DAPO: drop zero-variance groups and sample more prompts until the batch is full.</param>
/// <param name="OverlongShaping">DAPO: soft overlong punishment of completions near/over the length limit.</param>
/// <param name="Formula">The advantage and loss in one line, for help text and the README.</param>
/// <param name="Source">Paper (arXiv id) the preset follows.</param>
public sealed record AlgorithmPreset(
    string Name, AdvantageEstimator Estimator, double ClipLow, double ClipHigh, double? DualClip,
    AggregationMode Aggregation, KlEstimator Kl, KlPlacement KlPlacement, double Beta,
    bool DynamicSampling, bool OverlongShaping, string Formula, string Source);

/// <summary>The read-only registry of presets. Unknown names fail listing the valid ones.</summary>
public static class Presets
{
    /// <summary>Every preset by name (ordinal, case-sensitive keys; <see cref="Get"/> ignores case).</summary>
    public static IReadOnlyDictionary<string, AlgorithmPreset> All { get; } = new AlgorithmPreset[]
    {
        new("grpo", AdvantageEstimator.Grpo, 0.2, 0.2, null, AggregationMode.SeqMeanTokenMean,
            KlEstimator.K3, KlPlacement.Loss, Beta: 0.04, DynamicSampling: false, OverlongShaping: false,
            "Â_i = (r_i − mean_g r)/(std_g r + ε); L = seq-mean-token-mean of max(−Âρ, −Â·clip(ρ, 1±ε)) + β·k3",
            "DeepSeekMath, arXiv:2402.03300 (β = 0.04 as TRL's classic default)"),
        new("dapo", AdvantageEstimator.Grpo, 0.2, 0.28, null, AggregationMode.TokenMean,
            KlEstimator.K3, KlPlacement.None, Beta: 0.0, DynamicSampling: true, OverlongShaping: true,
            "Â_i = (r_i − mean_g r)/(std_g r + ε); L = token-mean of max(−Âρ, −Â·clip(ρ, 1 − 0.2, 1 + 0.28)); no KL",
            "DAPO, arXiv:2503.14476"),
        new("dr_grpo", AdvantageEstimator.DrGrpo, 0.2, 0.2, null, AggregationMode.SeqMeanTokenSumNorm,
            KlEstimator.K3, KlPlacement.None, Beta: 0.0, DynamicSampling: false, OverlongShaping: false,
            "Â_i = r_i − mean_g r; L = Σ_i Σ_t max(−Âρ, −Â·clip(ρ, 1±ε)) / (B · L_max); no KL",
            "Dr. GRPO (Understanding R1-Zero-Like Training), arXiv:2503.20783"),
        new("rloo", AdvantageEstimator.Rloo, 0.2, 0.2, null, AggregationMode.SeqMeanTokenSum,
            KlEstimator.K1, KlPlacement.Reward, Beta: 0.05, DynamicSampling: false, OverlongShaping: false,
            "r_i ← r_i − β·Σ_t k1_t; Â_i = r_i − mean_{j≠i} r_j; L = seq-mean-token-sum of the clipped surrogate",
            "RLOO (Back to Basics), arXiv:2402.14740 (β = 0.05 as TRL's RLOO)"),
        new("reinforce_pp", AdvantageEstimator.ReinforcePp, 0.2, 0.2, null, AggregationMode.TokenMean,
            KlEstimator.K1, KlPlacement.Reward, Beta: 0.01, DynamicSampling: false, OverlongShaping: false,
            "r_t = −β·k1_t + 1[t = last]·r; G_t = Σ_{k≥t} γ^{k−t} r_k; Â = whiten_batch(G); L = token-mean of the clipped surrogate",
            "REINFORCE++, arXiv:2501.03262"),
        new("ppo", AdvantageEstimator.Gae, 0.2, 0.2, null, AggregationMode.TokenMean,
            KlEstimator.K1, KlPlacement.Reward, Beta: 0.05, DynamicSampling: false, OverlongShaping: false,
            "r_t = −β·k1_t + 1[t = last]·r_φ; δ_t = r_t + γV_{t+1} − V_t; Â_t = Σ_l (γλ)^l δ_{t+l}, whitened; clipped surrogate + clipped value loss",
            "PPO arXiv:1707.06347, GAE arXiv:1506.02438, RLHF as InstructGPT arXiv:2203.02155 (β = 0.05 as TRL's PPO)"),
    }.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The preset names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The preset named <paramref name="name"/> (case and surrounding space ignored).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static AlgorithmPreset Get(string name)
    {
        var key = name?.Trim().ToLowerInvariant() ?? "";
        if (All.TryGetValue(key, out var preset)) return preset;
        throw new ArgumentException($"Unknown algorithm preset '{name}'. Valid presets: {string.Join(", ", Names)}.", nameof(name));
    }
}
