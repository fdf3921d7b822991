using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>What an advantage estimator needs from the trainer (declared, never inferred from its name).</summary>
[Flags]
public enum EstimatorNeeds
{
    /// <summary>Sequence scores and the mask only.</summary>
    None = 0,
    /// <summary>Group ids: the baseline comes from the other samples of the same prompt (G ≥ 2 to be informative).</summary>
    GroupBaseline = 1,
    /// <summary>Per-token rewards r_t = −β·KL_t + 1[t = last]·r (<see cref="AdvantageEstimators.TokenRewards"/>).</summary>
    TokenRewards = 2,
    /// <summary>A value model: V_old per token (GAE).</summary>
    Critic = 4,
    /// <summary>π_ref log-probs even when β = 0.</summary>
    Reference = 8,
}

/// <summary>Knobs some estimators read. Defaults: γ = 1, λ = 0.95, whitening on, ε = 1e-6 (veRL/TRL).</summary>
public sealed record AdvantageSettings(double Gamma = 1.0, double Lambda = 0.95, bool Whiten = true, double Epsilon = 1e-6);

/// <summary>
/// Everything an estimator may read. Scores [B] (KL already folded in when it is a sequence-level reward), the loss
/// mask [B, T], group ids, and — when the estimator declares the need — token rewards [B, T] and values [B, T].
/// </summary>
public sealed record AdvantageInput(Tensor Scores, Tensor Mask, GroupIds Groups, AdvantageSettings Settings,
    Tensor? TokenRewards = null, Tensor? Values = null);

/// <summary>One registered advantage estimator: its function, needs, equation and source.</summary>
public sealed record AdvantageEstimatorEntry(string Name, EstimatorNeeds Needs, Func<AdvantageInput, AdvantageResult> Compute,
    string Formula, string Source)
{
    /// <summary>True when <paramref name="need"/> is declared.</summary>
    public bool Has(EstimatorNeeds need) => (Needs & need) == need;
}

/// <summary>
/// The advantage estimators by name (veRL <c>ADV_ESTIMATOR_REGISTRY</c>). Group estimators return their advantages
/// as returns too (as veRL); only GAE's returns are value targets.
/// </summary>
public static class AdvantageEstimatorRegistry
{
    /// <summary>Every estimator; <see cref="Registry{T}.Register"/> adds one.</summary>
    public static Registry<AdvantageEstimatorEntry> All { get; } = new("advantage estimator");

    static AdvantageEstimatorRegistry()
    {
        Add("grpo", EstimatorNeeds.GroupBaseline,
            x => Same(AdvantageEstimators.Grpo(x.Scores, x.Mask, x.Groups, x.Settings.Epsilon)),
            "Â_i = (r_i − mean_g r) / (std_g r + 1e-6); singleton: r_i / (1 + 1e-6)",
            "DeepSeekMath arXiv:2402.03300; veRL compute_grpo_outcome_advantage");
        Add("dr_grpo", EstimatorNeeds.GroupBaseline,
            x => Same(AdvantageEstimators.DrGrpo(x.Scores, x.Mask, x.Groups)),
            "Â_i = r_i − mean_g r; singleton: r_i",
            "Dr. GRPO arXiv:2503.20783; veRL grpo with norm_adv_by_std_in_grpo=False");
        Add("rloo", EstimatorNeeds.GroupBaseline,
            x => Same(AdvantageEstimators.Rloo(x.Scores, x.Mask, x.Groups)),
            "Â_i = r_i − mean_{j≠i in g} r_j = n_g/(n_g − 1)·(r_i − mean_g r); singleton: r_i",
            "RLOO arXiv:2402.14740; veRL compute_rloo_outcome_advantage");
        Add("reinforce_pp_baseline", EstimatorNeeds.GroupBaseline,
            x => Same(AdvantageEstimators.ReinforcePpBaseline(x.Scores, x.Mask, x.Groups)),
            "Â = whiten_batch(r_i − mean_g r)",
            "REINFORCE++ arXiv:2501.03262; veRL compute_reinforce_plus_plus_baseline_outcome_advantage");
        Add("reinforce_pp", EstimatorNeeds.TokenRewards,
            x => AdvantageEstimators.ReinforcePp(Require(x.TokenRewards, "token rewards"), x.Mask, x.Settings.Gamma),
            "G_t = r_t + γ·G_{t+1} over masked-in steps (carried across masked ones); Â = whiten_batch(G)",
            "REINFORCE++ arXiv:2501.03262; veRL compute_reinforce_plus_plus_outcome_advantage");
        Add("gae", EstimatorNeeds.TokenRewards | EstimatorNeeds.Critic,
            x => AdvantageEstimators.Gae(Require(x.TokenRewards, "token rewards"), Require(x.Values, "values"), x.Mask,
                x.Settings.Gamma, x.Settings.Lambda, x.Settings.Whiten),
            "δ_t = r_t + γV_{t+1} − V_t; Â_t = Σ_l (γλ)^l δ_{t+l}, whitened; R_t = Â_t + V_t",
            "GAE arXiv:1506.02438; veRL compute_gae_advantage_return");
    }

    static void Add(string name, EstimatorNeeds needs, Func<AdvantageInput, AdvantageResult> f, string formula, string source) =>
        All.Register(name, new AdvantageEstimatorEntry(name, needs, f, formula, source));

    static AdvantageResult Same(Tensor advantages) => new(advantages, advantages);

    static Tensor Require(Tensor? t, string what) =>
        t ?? throw new ArgumentException($"This estimator needs {what}; the trainer passes them when the estimator declares the need.");
}
