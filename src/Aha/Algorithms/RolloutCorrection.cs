using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>At which level a rollout-correction ratio is taken.</summary>
public enum RolloutCorrectionLevel
{
    /// <summary>Off.</summary>
    None,
    /// <summary>Per token: w_t = π_old(y_t)/π_rollout(y_t).</summary>
    Token,
    /// <summary>Per sequence: w_i = Π_t π_old(y_t)/π_rollout(y_t) = exp(Σ_t m·(old − rollout)), broadcast over the row.</summary>
    Sequence,
}

/// <summary>
/// Correction of the gap between the policy that the trainer computes (π_old) and the rollout engine's own log-probs
/// (π_rollout: another kernel, precision, a remote server, or a stale copy in asynchronous training). Named as veRL's
/// <c>algorithm.rollout_correction</c> (<c>rollout_is</c>, <c>rollout_is_threshold</c>, <c>rollout_rs</c>) and TRL's
/// <c>vllm_importance_sampling_mode</c> (<c>token_truncate</c> = Is Token, <c>sequence_truncate</c> = Is Sequence,
/// <c>token_mask</c> = Rs Token, <c>sequence_mask</c> = Rs Sequence).
/// </summary>
/// <param name="Is">Truncated IS (TIS): the per-token loss is multiplied by min(w, C) at this level.</param>
/// <param name="IsThreshold">C, the truncation (veRL rollout_is_threshold 2.0; TRL clip_max 3.0).</param>
/// <param name="Rs">Masked IS (MIS; veRL rejection sampling token_k1 / seq_sum_k1): tokens (Token) or whole
/// sequences (Sequence) whose ratio leaves [RsLow, RsHigh] leave the loss mask.</param>
/// <param name="RsLow">Lower ratio bound of Rs (default 0: none, as TRL's clip_min).</param>
/// <param name="RsHigh">Upper ratio bound of Rs (default 2.0).</param>
public sealed record RolloutCorrectionSettings(
    RolloutCorrectionLevel Is = RolloutCorrectionLevel.None, double IsThreshold = 2.0,
    RolloutCorrectionLevel Rs = RolloutCorrectionLevel.None, double RsLow = 0.0, double RsHigh = 2.0)
{
    /// <summary>True when either correction is on (the trainer then needs π_old from its own forward).</summary>
    public bool Enabled => Is != RolloutCorrectionLevel.None || Rs != RolloutCorrectionLevel.None;

    /// <summary>Every invalid knob: its config key and a "name must …" message.</summary>
    public IEnumerable<(string Key, string Message)> Problems()
    {
        if (!(IsThreshold > 0) || double.IsInfinity(IsThreshold)) yield return ("rollout_is_threshold", $"rollout_is_threshold must be > 0 (got {IsThreshold})");
        if (!(RsLow >= 0)) yield return ("rollout_rs_low", $"rollout_rs_low must be ≥ 0 (got {RsLow})");
        if (!(RsHigh > RsLow)) yield return ("rollout_rs_high", $"rollout_rs_high ({RsHigh}) must exceed rollout_rs_low ({RsLow})");
        if (!Enum.IsDefined(Is)) yield return ("rollout_is", $"rollout_is must be none, token or sequence (got {Is})");
        if (!Enum.IsDefined(Rs)) yield return ("rollout_rs", $"rollout_rs must be none, token or sequence (got {Rs})");
    }
}

/// <summary>
/// The result of <see cref="RolloutCorrection.Compute"/>: IS weights [B, T] (null when IS is off), the loss mask after
/// rejection [B, T], and the diagnostics as device scalars (read them once per step).
/// </summary>
/// <param name="Weights">min(w, C)·m, detached; null without IS.</param>
/// <param name="Mask">m with rejected tokens/sequences set to 0 (m itself without RS).</param>
/// <param name="MismatchKl">Masked mean of rollout_logp − old_logp, the k1 estimate of KL(π_rollout ‖ π_old) (veRL rollout_corr/kl).</param>
/// <param name="K3Kl">Masked mean of e^d − d − 1 with d = old − rollout (veRL rollout_corr/k3_kl).</param>
/// <param name="RatioMean">Masked mean of the token ratio π_old/π_rollout (before truncation).</param>
/// <param name="RatioMax">Largest token ratio over masked tokens.</param>
/// <param name="SequenceRatioMax">Largest sequence ratio Π_t over rows with a token.</param>
/// <param name="LogpDiffMax">max |old − rollout| over masked tokens (TRL sampling/sampling_logp_difference/max).</param>
/// <param name="MaskedFraction">Fraction of the originally masked-in tokens that rejection removed.</param>
public sealed record RolloutCorrectionResult(Tensor? Weights, Tensor Mask, Tensor MismatchKl, Tensor K3Kl, Tensor RatioMean,
    Tensor RatioMax, Tensor SequenceRatioMax, Tensor LogpDiffMax, Tensor MaskedFraction);

/// <summary>Truncated and masked importance sampling of π_old/π_rollout (see <see cref="RolloutCorrectionSettings"/>).</summary>
public static class RolloutCorrection
{
    /// <summary>Log-ratios are clamped to ±20 before exp (veRL SAFETY_BOUND).</summary>
    public const double SafetyBound = 20.0;

    /// <summary>
    /// Per token d_t = old_logp − rollout_logp on masked tokens (0 elsewhere); level Token uses w_t = e^{clamp(d_t, ±20)},
    /// level Sequence w_i = e^{clamp(Σ_t d_t, ±20)} on every token of row i.
    /// IS (veRL <c>compute_rollout_correction_weights</c>): weights = min(w, C)·m, detached.
    /// RS (veRL <c>compute_rollout_rejection_mask</c> token_k1 / seq_sum_k1, TRL *_mask): m' = m·1[lo ≤ w ≤ hi].
    /// With the local engine π_rollout and π_old come from the same weights, so w = 1 up to rounding, nothing is
    /// masked and the weights are 1: training is unchanged. oldLogp, rolloutLogp, mask: [B, T].
    /// </summary>
    public static RolloutCorrectionResult Compute(Tensor oldLogp, Tensor rolloutLogp, Tensor mask, RolloutCorrectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Guard.Rank(oldLogp, 2, nameof(oldLogp), "[B, T]");
        Guard.SameShape(rolloutLogp, oldLogp, nameof(rolloutLogp), nameof(oldLogp));
        Guard.SameShape(mask, oldLogp, nameof(mask), nameof(oldLogp));
        using var _ = torch.no_grad();
        var m = Masked.As(mask, oldLogp);                                         // [B, T]
        var d = (oldLogp.detach() - rolloutLogp.to(oldLogp.dtype)) * m;           // [B, T]
        var tokenRatio = d.clamp(-SafetyBound, SafetyBound).exp();               // [B, T]
        var seqLog = d.sum(1, keepdim: true);                                     // [B, 1]
        var seqRatio = seqLog.clamp(-SafetyBound, SafetyBound).exp();            // [B, 1]
        Tensor At(RolloutCorrectionLevel level) => level == RolloutCorrectionLevel.Sequence ? seqRatio.expand_as(m) : tokenRatio;

        Tensor? weights = settings.Is == RolloutCorrectionLevel.None ? null : At(settings.Is).clamp_max(settings.IsThreshold) * m;
        var kept = m;
        if (settings.Rs != RolloutCorrectionLevel.None)
        {
            var w = At(settings.Rs);
            kept = m * w.ge(settings.RsLow).logical_and(w.le(settings.RsHigh)).to(m.dtype);   // [B, T]
        }

        var valid = m.gt(0);
        var rows = m.sum(1, keepdim: true).gt(0);                                 // [B, 1]
        var negInf = double.NegativeInfinity;
        return new RolloutCorrectionResult(
            weights, kept,
            MismatchKl: Masked.Mean(-d, m),
            K3Kl: Masked.Mean(d.exp() - d - 1, m),
            RatioMean: Masked.Mean(tokenRatio, m),
            RatioMax: MaxOrZero(torch.where(valid, tokenRatio, torch.full_like(tokenRatio, negInf))),
            SequenceRatioMax: MaxOrZero(torch.where(rows, seqRatio, torch.full_like(seqRatio, negInf))),
            LogpDiffMax: MaxOrZero(torch.where(valid, d.abs(), torch.full_like(d, negInf))),
            MaskedFraction: (m - kept).sum() / m.sum().clamp_min(1.0));
    }

    static Tensor MaxOrZero(Tensor x)
    {
        var max = x.max();
        return torch.where(max.isinf(), torch.zeros_like(max), max);
    }
}
