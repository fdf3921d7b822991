using System.Collections.Frozen;

namespace Aha.Algorithms;

/// <summary>
/// One named recipe of the on-policy trainer: advantage estimator × policy loss × aggregation × KL, plus DAPO's
/// data-side switches, all by registered name. Every field is a default that configuration may override.
/// </summary>
/// <param name="Name">The name users type (<c>grpo</c>, <c>dapo</c>, …).</param>
/// <param name="Estimator">Name in <see cref="AdvantageEstimatorRegistry"/>.</param>
/// <param name="PolicyLoss">Name in <see cref="PolicyLossRegistry"/>.</param>
/// <param name="ClipLow">ε_low: the ratio is clipped below at 1 − ε_low (GMPO: −ε_low in log space).</param>
/// <param name="ClipHigh">ε_high: the ratio is clipped above at 1 + ε_high (DAPO clip-higher).</param>
/// <param name="DualClip">Dual-clip c &gt; 1 for Â &lt; 0 (arXiv:1912.09729); null for none.</param>
/// <param name="Aggregation">Name in <see cref="AggregationRegistry"/>.</param>
/// <param name="Kl">Name in <see cref="KlEstimatorRegistry"/>, used where <paramref name="KlPlacement"/> puts it.</param>
/// <param name="Beta">KL coefficient β; 0 means no reference model is needed.</param>
/// <param name="DynamicSampling">DAPO: drop zero-variance groups and sample more prompts until the batch is full.</param>
/// <param name="OverlongShaping">DAPO: soft overlong punishment of completions near/over the length limit.</param>
/// <param name="Formula">The advantage and loss in one line, for help text and the README.</param>
/// <param name="Source">Paper (arXiv id) the preset follows.</param>
public sealed record AlgorithmPreset(
    string Name, string Estimator, string PolicyLoss, double ClipLow, double ClipHigh, double? DualClip,
    string Aggregation, string Kl, KlPlacement KlPlacement, double Beta,
    bool DynamicSampling, bool OverlongShaping, string Formula, string Source);

/// <summary>The read-only registry of presets. Unknown names fail listing the valid ones.</summary>
public static class Presets
{
    /// <summary>Every preset by name (ordinal, case-sensitive keys; <see cref="Get"/> ignores case).</summary>
    public static IReadOnlyDictionary<string, AlgorithmPreset> All { get; } = new AlgorithmPreset[]
    {
        new("grpo", "grpo", "vanilla", 0.2, 0.2, null, "seq-mean-token-mean", "k3", KlPlacement.Loss, Beta: 0.04,
            DynamicSampling: false, OverlongShaping: false,
            "Â_i = (r_i − mean_g r)/(std_g r + ε); L = seq-mean-token-mean of max(−Âρ, −Â·clip(ρ, 1±ε)) + β·k3",
            "DeepSeekMath, arXiv:2402.03300 (β = 0.04 as TRL's classic default)"),
        new("dapo", "grpo", "vanilla", 0.2, 0.28, null, "token-mean", "k3", KlPlacement.None, Beta: 0.0,
            DynamicSampling: true, OverlongShaping: true,
            "Â_i = (r_i − mean_g r)/(std_g r + ε); L = token-mean of max(−Âρ, −Â·clip(ρ, 1 − 0.2, 1 + 0.28)); no KL",
            "DAPO, arXiv:2503.14476"),
        new("dr_grpo", "dr_grpo", "vanilla", 0.2, 0.2, null, "seq-mean-token-sum-norm", "k3", KlPlacement.None, Beta: 0.0,
            DynamicSampling: false, OverlongShaping: false,
            "Â_i = r_i − mean_g r; L = Σ_i Σ_t max(−Âρ, −Â·clip(ρ, 1±ε)) / (B · L_max); no KL",
            "Dr. GRPO (Understanding R1-Zero-Like Training), arXiv:2503.20783"),
        new("rloo", "rloo", "vanilla", 0.2, 0.2, null, "seq-mean-token-sum", "k1", KlPlacement.Reward, Beta: 0.05,
            DynamicSampling: false, OverlongShaping: false,
            "r_i ← r_i − β·Σ_t k1_t; Â_i = r_i − mean_{j≠i} r_j; L = seq-mean-token-sum of the clipped surrogate",
            "RLOO (Back to Basics), arXiv:2402.14740 (β = 0.05 as TRL's RLOO)"),
        new("reinforce_pp", "reinforce_pp", "vanilla", 0.2, 0.2, null, "token-mean", "k1", KlPlacement.Reward, Beta: 0.01,
            DynamicSampling: false, OverlongShaping: false,
            "r_t = −β·k1_t + 1[t = last]·r; G_t = Σ_{k≥t} γ^{k−t} r_k; Â = whiten_batch(G); L = token-mean of the clipped surrogate",
            "REINFORCE++, arXiv:2501.03262"),
        new("ppo", "gae", "vanilla", 0.2, 0.2, null, "token-mean", "k1", KlPlacement.Reward, Beta: 0.05,
            DynamicSampling: false, OverlongShaping: false,
            "r_t = −β·k1_t + 1[t = last]·r_φ; δ_t = r_t + γV_{t+1} − V_t; Â_t = Σ_l (γλ)^l δ_{t+l}, whitened; clipped surrogate + clipped value loss",
            "PPO arXiv:1707.06347, GAE arXiv:1506.02438, RLHF as InstructGPT arXiv:2203.02155 (β = 0.05 as TRL's PPO)"),
        new("gspo", "grpo", "gspo", 3e-4, 4e-4, null, "seq-mean-token-mean", "k3", KlPlacement.None, Beta: 0.0,
            DynamicSampling: false, OverlongShaping: false,
            "Â_i as grpo; s_i = exp(mean_t(logp − old)); L = mean_i max(−Â·s_i, −Â·clip(s_i, 1 − 3e-4, 1 + 4e-4)); no KL",
            "GSPO, arXiv:2507.18071 (ε as the paper and veRL's example)"),
        new("cispo", "grpo", "cispo", 10.0, 0.2, null, "token-mean", "k3", KlPlacement.None, Beta: 0.0,
            DynamicSampling: false, OverlongShaping: false,
            "Â_i as grpo; L = token-mean of −sg[min(ρ, 1 + 0.2)]·Â·logp (no lower bound); no KL",
            "CISPO (MiniMax-M1), arXiv:2506.13585 (ε as veRL's example: ε_low = 10, ε_high = 0.2)"),
        new("sapo", "grpo", "sapo", 0.2, 0.2, null, "seq-mean-token-mean", "k3", KlPlacement.None, Beta: 0.0,
            DynamicSampling: false, OverlongShaping: false,
            "Â_i as grpo; L = seq-mean-token-mean of −σ(τ(ρ − 1))·(4/τ)·Â, τ = 1.0 for Â > 0, 1.05 otherwise; no KL",
            "SAPO, arXiv:2511.20347 (τ as veRL/TRL)"),
        new("gmpo", "grpo", "gmpo", 0.4, 0.4, null, "seq-mean-token-mean", "k3", KlPlacement.None, Beta: 0.0,
            DynamicSampling: false, OverlongShaping: false,
            "Â_i as grpo; ρ̄_i = geometric mean of token ratios clipped to (e^−0.4, e^0.4) on Â's side; L = mean_i −Â_i·ρ̄_i; no KL",
            "GMPO, arXiv:2507.20673 (ε = 0.4 as the paper and veRL's example)"),
    }.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The preset names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The preset named <paramref name="name"/>, matched as every algorithm name is (<see cref="AlgorithmName"/>).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static AlgorithmPreset Get(string name)
    {
        foreach (var (registered, preset) in All)
            if (AlgorithmName.Matches(registered, name)) return preset;
        throw new ArgumentException($"Unknown algorithm preset '{name}'. Valid presets: {string.Join(", ", Names)}.", nameof(name));
    }
}
