using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>Per-token advantages and, where the estimator defines them, returns (value targets). Both [B, T], 0 on padding.</summary>
public sealed record AdvantageResult(Tensor Advantages, Tensor Returns);

/// <summary>
/// Advantage estimators (veRL <c>core_algos.compute_*_advantage</c>). Shapes: sequence rewards r [B], per-token
/// tensors [B, T] with the loss mask m (float 0/1; zeros anywhere — padding, or tool output inside a multi-turn
/// trajectory). Groups are <see cref="GroupIds"/> (veRL's <c>index</c>: any ids, unequal sizes, interleaved); the
/// <c>int groupSize</c> overloads mean consecutive blocks of G rows. Outputs are [B, T], broadcast over m and exactly 0
/// where m = 0. All run under no_grad: advantages are constants. NaN rewards are refused with an
/// <see cref="ArgumentException"/> naming the argument (score failures explicitly).
/// A group of one row has no baseline: as veRL, mean 0 and std 1, so grpo gives r/(1 + ε), dr_grpo and rloo give r.
/// </summary>
public static class AdvantageEstimators
{
    /// <summary>
    /// GRPO (DeepSeekMath, arXiv:2402.03300; veRL <c>compute_grpo_outcome_advantage</c>):
    /// Â_i = (r_i − mean_g(r)) / (std_g(r) + ε), std the unbiased (n_g − 1) standard deviation, ε default 1e-6
    /// (veRL/TRL). A zero-variance group gives Â = 0; a singleton gives r_i / (1 + ε).
    /// rewards: [B], mask: [B, T] → [B, T].
    /// </summary>
    public static Tensor Grpo(Tensor rewards, Tensor mask, GroupIds groups, double epsilon = 1e-6)
    {
        Guard.Positive(epsilon, nameof(epsilon));
        return GroupBroadcast(rewards, mask, groups, r =>
        {
            var (mean, std, _) = groups.RowStats(r);                       // [B] each
            return (r - mean) / (std + epsilon);                           // [B]
        });
    }

    /// <inheritdoc cref="Grpo(Tensor, Tensor, GroupIds, double)"/>
    public static Tensor Grpo(Tensor rewards, Tensor mask, int groupSize, double epsilon = 1e-6) =>
        Grpo(rewards, mask, Contiguous(rewards, groupSize), epsilon);

    /// <summary>
    /// Dr. GRPO (arXiv:2503.20783): Â_i = r_i − mean_g(r), no division by the std (veRL: grpo with
    /// <c>norm_adv_by_std_in_grpo=False</c>). A singleton gives r_i. rewards: [B], mask: [B, T] → [B, T].
    /// </summary>
    public static Tensor DrGrpo(Tensor rewards, Tensor mask, GroupIds groups) =>
        GroupBroadcast(rewards, mask, groups, r => r - groups.RowStats(r).Mean);

    /// <inheritdoc cref="DrGrpo(Tensor, Tensor, GroupIds)"/>
    public static Tensor DrGrpo(Tensor rewards, Tensor mask, int groupSize) =>
        DrGrpo(rewards, mask, Contiguous(rewards, groupSize));

    /// <summary>
    /// RLOO (Ahmadian et al., arXiv:2402.14740; veRL <c>compute_rloo_outcome_advantage</c>):
    /// Â_i = r_i − (Σ_g r − r_i)/(n_g − 1) = n_g/(n_g − 1)·(r_i − mean_g(r)), the leave-one-out baseline over the
    /// row's own group size n_g. A singleton keeps Â = r_i (veRL). rewards: [B], mask: [B, T] → [B, T].
    /// </summary>
    public static Tensor Rloo(Tensor rewards, Tensor mask, GroupIds groups) =>
        GroupBroadcast(rewards, mask, groups, r =>
        {
            var (mean, _, n) = groups.RowStats(r);                          // [B] each
            var loo = (r - mean) * n / (n - 1).clamp_min(1.0);              // [B]
            return torch.where(n.gt(1), loo, r);                           // [B]
        });

    /// <inheritdoc cref="Rloo(Tensor, Tensor, GroupIds)"/>
    public static Tensor Rloo(Tensor rewards, Tensor mask, int groupSize) =>
        Rloo(rewards, mask, Contiguous(rewards, groupSize));

    /// <summary>
    /// REINFORCE++ with a group baseline (arXiv:2501.03262; veRL <c>reinforce_plus_plus_baseline</c>):
    /// Â = masked whitening of (r_i − mean_g(r)) broadcast over the completion, whitened over all masked tokens of
    /// the batch: (x − μ)·rsqrt(σ² + 1e-8). rewards: [B], mask: [B, T] → [B, T].
    /// </summary>
    public static Tensor ReinforcePpBaseline(Tensor rewards, Tensor mask, GroupIds groups)
    {
        var centered = DrGrpo(rewards, mask, groups);                      // [B, T]
        using var _ = torch.no_grad();
        return Masked.Whiten(centered, Masked.As(mask, centered));
    }

    /// <inheritdoc cref="ReinforcePpBaseline(Tensor, Tensor, GroupIds)"/>
    public static Tensor ReinforcePpBaseline(Tensor rewards, Tensor mask, int groupSize) =>
        ReinforcePpBaseline(rewards, mask, Contiguous(rewards, groupSize));

    /// <summary>
    /// REINFORCE++ (arXiv:2501.03262; veRL <c>reinforce_plus_plus</c>): return G_t = Σ_{k≥t, m_k = 1} γ^{(number of
    /// masked-in steps from t to k)} r_k over each row's masked tokens, Â = masked whitening of G over the whole batch
    /// (no critic). A position with m_t = 0 inside the row (a tool's output in a multi-turn trajectory) gets G_t = 0
    /// and carries the running return through unchanged, so the final reward reaches earlier turns (the behaviour the
    /// issue tracker attributes to veRL ≥ 0.9; veRL main of 2026-01 resets it there instead — see README "Where we
    /// differ"). Build the token rewards with <see cref="TokenRewards"/> (−β·KL_t everywhere plus the score at the last
    /// completion token). tokenRewards, mask: [B, T] → Advantages, Returns: [B, T].
    /// </summary>
    public static AdvantageResult ReinforcePp(Tensor tokenRewards, Tensor mask, double gamma = 1.0)
    {
        CheckTokenRewards(tokenRewards, mask);
        Guard.InRange(gamma, 0, 1, nameof(gamma));
        using var _ = torch.no_grad();
        var m = Masked.As(mask, tokenRewards);
        var r = tokenRewards * m;                                         // [B, T]
        var T = (int)r.shape[1];
        var columns = new Tensor[T];
        Tensor running = torch.zeros_like(r.select(1, 0));               // [B]
        for (int t = T - 1; t >= 0; t--)
        {
            var mt = m.select(1, t);                                      // [B]
            running = mt * (r.select(1, t) + gamma * running) + (1 - mt) * running; // masked steps carry it unchanged
            columns[t] = running;
        }
        var returns = torch.stack(columns, 1) * m;                        // [B, T]
        return new AdvantageResult(Masked.Whiten(returns, m), returns);
    }

    /// <summary>
    /// GAE (Schulman et al., arXiv:1506.02438; veRL <c>compute_gae_advantage_return</c>):
    /// δ_t = r_t + γ·V_{t+1} − V_t, Â_t = δ_t + γλ·Â_{t+1}, taken over masked tokens only (padding is skipped, and
    /// V beyond the last completion token is 0); returns R_t = Â_t + V_t (before whitening) are the value targets;
    /// advantages are then masked-whitened when <paramref name="whiten"/> (default, as veRL). Defaults γ = 1, λ = 0.95.
    /// tokenRewards, values, mask: [B, T] → Advantages, Returns: [B, T].
    /// </summary>
    public static AdvantageResult Gae(Tensor tokenRewards, Tensor values, Tensor mask,
        double gamma = 1.0, double lambda = 0.95, bool whiten = true)
    {
        CheckTokenRewards(tokenRewards, mask);
        Guard.SameShape(values, tokenRewards, nameof(values), nameof(tokenRewards));
        Guard.NoNaN(values, nameof(values));
        Guard.InRange(gamma, 0, 1, nameof(gamma));
        Guard.InRange(lambda, 0, 1, nameof(lambda));
        using var _ = torch.no_grad();
        var m = Masked.As(mask, tokenRewards);
        var v = values.detach().to(tokenRewards.dtype);                  // [B, T]
        var T = (int)m.shape[1];
        var columns = new Tensor[T];
        Tensor nextValue = torch.zeros_like(m.select(1, 0));             // [B]
        Tensor nextAdv = torch.zeros_like(nextValue);                    // [B]
        for (int t = T - 1; t >= 0; t--)
        {
            var mt = m.select(1, t);
            var vt = v.select(1, t);
            var delta = tokenRewards.select(1, t) + gamma * nextValue - vt;
            var adv = delta + gamma * lambda * nextAdv;
            // on padding, carry the later values through unchanged so the next real token sees its true successor
            nextValue = vt * mt + (1 - mt) * nextValue;
            nextAdv = adv * mt + (1 - mt) * nextAdv;
            columns[t] = nextAdv;
        }
        var advantages = torch.stack(columns, 1) * m;                   // [B, T]
        var returns = (advantages + v) * m;                              // [B, T]
        return new AdvantageResult(whiten ? Masked.Whiten(advantages, m) : advantages, returns);
    }

    /// <summary>
    /// Per-token rewards for PPO / REINFORCE++: r_t = −β·KL_t on every completion token, plus the sequence score
    /// at the last completion token (the last t with m = 1). KL_t is usually k1 (<see cref="KlEstimators"/>).
    /// A fully masked row receives nothing. scores: [B], mask: [B, T], kl: [B, T] or null → [B, T].
    /// </summary>
    public static Tensor TokenRewards(Tensor scores, Tensor mask, Tensor? kl = null, double beta = 0.0)
    {
        Guard.Rank(mask, 2, nameof(mask), "[B, T]");
        Guard.Rows(scores, mask, nameof(scores), nameof(mask));
        Guard.NoNaN(scores, nameof(scores));
        if (kl is not null) Guard.SameShape(kl, mask, nameof(kl), nameof(mask));
        if (!(beta >= 0)) throw new ArgumentException($"{nameof(beta)} must be ≥ 0; got {beta}.", nameof(beta));
        using var _ = torch.no_grad();
        var m = Masked.As(mask, scores);                                  // [B, T]
        var positions = torch.arange(m.shape[1], dtype: m.dtype, device: m.device).unsqueeze(0); // [1, T]
        var last = (positions * m).argmax(1, keepdim: true);             // [B, 1] index of the last masked token
        var rewards = torch.zeros_like(m).scatter(1, last, scores.unsqueeze(1)) * m; // [B, T]
        if (kl is not null && beta != 0) rewards = rewards - beta * kl.detach().to(m.dtype) * m;
        return rewards;
    }

    static GroupIds Contiguous(Tensor rewards, int groupSize)
    {
        Guard.Rank(rewards, 1, nameof(rewards), "[B]");
        Guard.GroupSize(rewards, groupSize, nameof(groupSize));
        return GroupIds.Contiguous((int)rewards.shape[0], groupSize);
    }

    static Tensor GroupBroadcast(Tensor rewards, Tensor mask, GroupIds groups, Func<Tensor, Tensor> perSequence)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Guard.Rank(mask, 2, nameof(mask), "[B, T]");
        Guard.Rows(rewards, mask, nameof(rewards), nameof(mask));
        if (groups.Rows != rewards.shape[0])
            throw new ArgumentException($"groups cover {groups.Rows} rows but rewards has {rewards.shape[0]}; they must match.", nameof(groups));
        Guard.NoNaN(rewards, nameof(rewards));
        using var _ = torch.no_grad();
        var adv = perSequence(rewards.detach());                          // [B]
        return adv.unsqueeze(1) * Masked.As(mask, adv);                   // [B, T]
    }

    static void CheckTokenRewards(Tensor tokenRewards, Tensor mask)
    {
        Guard.Rank(tokenRewards, 2, nameof(tokenRewards), "[B, T]");
        Guard.SameShape(mask, tokenRewards, nameof(mask), nameof(tokenRewards));
        Guard.NoNaN(tokenRewards, nameof(tokenRewards));
    }
}
