namespace Aha.Algorithms;

/// <summary>A policy loss: (input) → (scalar loss, stats). See <see cref="PolicyLoss"/>.</summary>
public delegate (TorchSharp.torch.Tensor Loss, PolicyLossStats Stats) PolicyLossFunction(PolicyLossInput input);

/// <summary>One registered policy loss: its function, equation and source.</summary>
public sealed record PolicyLossEntry(string Name, PolicyLossFunction Compute, string Formula, string Source);

/// <summary>The policy losses by name (veRL <c>POLICY_LOSS_REGISTRY</c>; names as veRL's where they exist).</summary>
public static class PolicyLossRegistry
{
    /// <summary>Every policy loss; <see cref="Registry{T}.Register"/> adds one.</summary>
    public static Registry<PolicyLossEntry> All { get; } = new("policy loss");

    static PolicyLossRegistry()
    {
        Add("vanilla", PolicyLoss.Vanilla,
            "ρ = e^{clamp(logp − old, ±20)}; L_t = max(−Âρ, −Â·clip(ρ, 1 − ε_low, 1 + ε_high)); dual clip: Â < 0 ⇒ min(L_t, −Â·c)",
            "PPO arXiv:1707.06347, DAPO clip-higher arXiv:2503.14476, dual clip arXiv:1912.09729; veRL compute_policy_loss_vanilla");
        Add("pg", PolicyLoss.PolicyGradient, "L_t = −Â·logp",
            "REINFORCE (Williams 1992); veRL compute_policy_loss_gpg");
        Add("gspo", PolicyLoss.Gspo,
            "s_i = e^{min(mean_t(logp − old), 10)}; L_t = max(−Â·s_i, −Â·clip(s_i, 1 − ε_low, 1 + ε_high))",
            "GSPO arXiv:2507.18071; TRL importance_sampling_level=sequence");
        Add("gspo_token", PolicyLoss.GspoToken,
            "s_{i,t} = sg[s_i]·π_θ(y_t)/sg[π_θ(y_t)]; L_t = max(−Â_t·s_{i,t}, −Â_t·clip(s_{i,t}))",
            "GSPO-token arXiv:2507.18071 §4.3; veRL compute_policy_loss_gspo");
        Add("cispo", PolicyLoss.Cispo,
            "L_t = −sg[clip(ρ, 1 − ε_low, 1 + ε_high)]·Â·logp",
            "CISPO (MiniMax-M1) arXiv:2506.13585; veRL compute_policy_loss_cispo");
        Add("sapo", PolicyLoss.Sapo,
            "L_t = −σ(τ(ρ − 1))·(4/τ)·Â, τ = τ_pos if Â > 0 else τ_neg",
            "SAPO arXiv:2511.20347; veRL compute_policy_loss_sapo = TRL loss_type=sapo");
        Add("gmpo", PolicyLoss.Gmpo,
            "ρ̄_i = e^{mean_t sgn(Â)·min(sgn(Â)·d_t, sgn(Â)·clamp(d_t, −ε_low, ε_high))}, d = logp − old; L = mean_i(−Â_i·ρ̄_i)",
            "GMPO arXiv:2507.20673; veRL compute_policy_loss_geo_mean");
        Add("clip_cov", PolicyLoss.ClipCov,
            "vanilla clip, and L_t = 0 on ⌊r·N⌋ random tokens with ω_low < (Â − mean Â)(logp − mean logp) < ω_high",
            "Clip-Cov arXiv:2505.22617; veRL compute_policy_loss_clip_cov");
        Add("kl_cov", PolicyLoss.KlCov,
            "L_t = −Âρ, + c·|logp − old| on the ⌊k·N⌋ tokens of largest (Â − mean Â)(logp − mean logp)",
            "KL-Cov arXiv:2505.22617; veRL compute_policy_loss_kl_cov");
    }

    static void Add(string name, PolicyLossFunction f, string formula, string source) =>
        All.Register(name, new PolicyLossEntry(name, f, formula, source));
}
