namespace Aha.Algorithms;

/// <summary>How a per-token loss matrix [B, T] becomes one scalar (veRL <c>agg_loss</c> modes).</summary>
public enum AggregationMode
{
    /// <summary><c>token-mean</c>: Σ L·m / Σ m over the whole mini-batch (DAPO).</summary>
    TokenMean,
    /// <summary><c>seq-mean-token-mean</c>: mean over sequences of each sequence's token mean (GRPO).</summary>
    SeqMeanTokenMean,
    /// <summary><c>seq-mean-token-sum</c>: mean over sequences of each sequence's token sum.</summary>
    SeqMeanTokenSum,
    /// <summary><c>seq-mean-token-sum-norm</c>: Σ L·m / (B · L_norm), L_norm a constant (Dr. GRPO).</summary>
    SeqMeanTokenSumNorm,
    /// <summary><c>token-sum</c>: Σ L·m, no normaliser.</summary>
    TokenSum,
}

/// <summary>Per-token estimators of KL(π_θ ‖ π_ref) from samples of π_θ (Schulman, "Approximating KL divergence", 2020).</summary>
public enum KlEstimator
{
    /// <summary><c>k1</c> = logp − ref_logp (unbiased, high variance, can be negative).</summary>
    K1,
    /// <summary><c>k2</c> = ½·(ref_logp − logp)² (biased, low variance).</summary>
    K2,
    /// <summary><c>k3</c> = e^d − d − 1, d = ref_logp − logp (unbiased, non-negative; veRL <c>low_var_kl</c>).</summary>
    K3,
}

/// <summary>Where the KL to the reference policy enters the objective.</summary>
public enum KlPlacement
{
    /// <summary><c>none</c>: no KL term (β = 0; the reference model need not be loaded).</summary>
    None,
    /// <summary><c>loss</c>: + β·agg(k) in the policy loss (GRPO).</summary>
    Loss,
    /// <summary><c>reward</c>: −β·k added to every token's reward (PPO-RLHF, REINFORCE++, RLOO).</summary>
    Reward,
}

/// <summary>
/// The names users type for the algorithm enums (advantage estimators, policy losses and preference losses are named in
/// their registries: <see cref="AdvantageEstimatorRegistry"/>, <see cref="PolicyLossRegistry"/>,
/// <see cref="PreferenceLossRegistry"/>, <see cref="UnpairedPreferenceLosses"/>), and their parsing. Parsing ignores case and surrounding
/// whitespace but not spelling; an unknown name throws an <see cref="ArgumentException"/> that lists the valid ones.
/// </summary>
public static class AlgorithmNames
{
    static readonly NameTable<AggregationMode> Aggregations = new("loss aggregation mode", [
        (AggregationMode.TokenMean, "token-mean"), (AggregationMode.SeqMeanTokenMean, "seq-mean-token-mean"),
        (AggregationMode.SeqMeanTokenSum, "seq-mean-token-sum"), (AggregationMode.SeqMeanTokenSumNorm, "seq-mean-token-sum-norm"),
        (AggregationMode.TokenSum, "token-sum")]);

    static readonly NameTable<KlEstimator> Kls = new("KL estimator", [
        (KlEstimator.K1, "k1"), (KlEstimator.K2, "k2"), (KlEstimator.K3, "k3")]);

    static readonly NameTable<KlPlacement> Placements = new("KL placement", [
        (KlPlacement.None, "none"), (KlPlacement.Loss, "loss"), (KlPlacement.Reward, "reward")]);

    public static AggregationMode ParseAggregationMode(string name) => Aggregations.Parse(name, nameof(name));
    public static KlEstimator ParseKlEstimator(string name) => Kls.Parse(name, nameof(name));
    public static KlPlacement ParseKlPlacement(string name) => Placements.Parse(name, nameof(name));

    /// <summary>The name a user types, e.g. <c>seq-mean-token-mean</c>.</summary>
    public static string ToName(this AggregationMode value) => Aggregations.Name(value);
    /// <summary>The name a user types, e.g. <c>k3</c>.</summary>
    public static string ToName(this KlEstimator value) => Kls.Name(value);
    /// <summary>The name a user types, e.g. <c>reward</c>.</summary>
    public static string ToName(this KlPlacement value) => Placements.Name(value);

    sealed class NameTable<T>(string kind, (T Value, string Name)[] entries) where T : struct, Enum
    {
        public T Parse(string? text, string paramName)
        {
            var key = text?.Trim() ?? "";
            foreach (var (value, name) in entries)
                if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase)) return value;
            throw new ArgumentException(
                $"Unknown {kind} '{text}'. Valid values: {string.Join(", ", entries.Select(e => e.Name))}.", paramName);
        }

        public string Name(T value)
        {
            foreach (var (v, name) in entries)
                if (EqualityComparer<T>.Default.Equals(v, value)) return name;
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {kind}.");
        }
    }
}
