using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// The denominators of loss aggregation, counted over a whole mini-batch (one optimiser step). Pass the same
/// instance to <see cref="LossAggregation.Aggregate"/> for every micro-batch of that mini-batch, so that the sum
/// of the micro-batch losses equals the full-batch loss and gradient accumulation is exact in every mode.
/// </summary>
/// <param name="Tokens">Σ m over the mini-batch (token-mean).</param>
/// <param name="Sequences">Rows with at least one completion token (seq-mean-token-mean / -token-sum; as veRL).</param>
/// <param name="Rows">All rows B, empty or not (seq-mean-token-sum-norm: a data-independent constant).</param>
/// <param name="LengthNorm">L_norm of seq-mean-token-sum-norm; use the configured max completion length.</param>
public sealed record AggregationNorm(double Tokens, double Sequences, double Rows, double LengthNorm)
{
    /// <summary>Counts one mask [B, T] (one sync). L_norm defaults to T.</summary>
    public static AggregationNorm Of(Tensor mask, double? lengthNorm = null) => Of([mask], lengthNorm);

    /// <summary>
    /// Counts the micro-batch masks of one mini-batch (each [B_k, T_k]; widths may differ). L_norm defaults to
    /// the largest T_k — pass max_new_tokens instead when micro-batches are padded to their own length.
    /// </summary>
    public static AggregationNorm Of(IEnumerable<Tensor> masks, double? lengthNorm = null)
    {
        ArgumentNullException.ThrowIfNull(masks);
        double tokens = 0, sequences = 0, rows = 0, width = 0;
        using var _ = torch.no_grad();
        foreach (var mask in masks)
        {
            Guard.Rank(mask, 2, nameof(masks), "[B, T]");
            using var m = mask.to_type(ScalarType.Float64);
            using var perRow = m.sum(1);                                  // [B]
            using var nonEmpty = perRow.gt(0).sum();
            using var total = perRow.sum();
            tokens += total.item<double>();
            sequences += nonEmpty.item<long>();
            rows += mask.shape[0];
            width = Math.Max(width, mask.shape[1]);
        }
        if (lengthNorm is double l) Guard.Positive(l, nameof(lengthNorm));
        return new AggregationNorm(tokens, sequences, rows, lengthNorm ?? Math.Max(width, 1));
    }
}

/// <summary>Mask-aware reduction of a per-token loss matrix to a scalar (veRL <c>agg_loss</c>).</summary>
public static class LossAggregation
{
    /// <summary>
    /// Reduces L [B, T] with mask m [B, T] to a scalar:
    /// <list type="bullet">
    /// <item><c>token-mean</c> (DAPO, arXiv:2503.14476): Σ L·m / N_tokens.</item>
    /// <item><c>seq-mean-token-mean</c> (GRPO, arXiv:2402.03300): Σ_i (Σ_t L·m / Σ_t m) / N_seq.</item>
    /// <item><c>seq-mean-token-sum</c>: Σ_i Σ_t L·m / N_seq.</item>
    /// <item><c>seq-mean-token-sum-norm</c> (Dr. GRPO, arXiv:2503.20783): Σ L·m / (B · L_norm).</item>
    /// <item><c>token-sum</c>: Σ L·m, no normaliser (the loss scales with the batch's token count).</item>
    /// </list>
    /// The counts come from <paramref name="norm"/> when given (the whole mini-batch: use this for gradient
    /// accumulation), otherwise from this mask (L_norm = T). N_seq counts rows with a token, as veRL; TRL counts all rows.
    /// Denominators are clamped to ≥ 1, so an empty batch gives 0. lossMatrix, mask: [B, T] → scalar.
    /// </summary>
    public static Tensor Aggregate(Tensor lossMatrix, Tensor mask, AggregationMode mode, AggregationNorm? norm = null)
    {
        Guard.Rank(lossMatrix, 2, nameof(lossMatrix), "[B, T]");
        Guard.SameShape(mask, lossMatrix, nameof(mask), nameof(lossMatrix));
        var m = Masked.As(mask, lossMatrix);
        var masked = lossMatrix * m;                                      // [B, T]
        switch (mode)
        {
            case AggregationMode.TokenMean:
                return Divide(masked.sum(), norm?.Tokens, m.sum());
            case AggregationMode.SeqMeanTokenMean:
            {
                var perSeq = masked.sum(1) / m.sum(1).clamp_min(1.0);        // [B] empty rows give 0
                return Divide(perSeq.sum(), norm?.Sequences, m.sum(1).gt(0).sum());
            }
            case AggregationMode.SeqMeanTokenSum:
                return Divide(masked.sum(), norm?.Sequences, m.sum(1).gt(0).sum());
            case AggregationMode.TokenSum:
                return masked.sum();
            case AggregationMode.SeqMeanTokenSumNorm:
            {
                double rows = norm?.Rows ?? lossMatrix.shape[0];
                double lengthNorm = norm?.LengthNorm ?? lossMatrix.shape[1];
                return masked.sum() / Math.Max(rows * lengthNorm, 1.0);
            }
            default:
                throw new ArgumentException($"Unknown aggregation mode {mode}.", nameof(mode));
        }
    }

    // A given global count is a constant; otherwise the local count (a tensor: no sync); both clamped to ≥ 1.
    static Tensor Divide(Tensor numerator, double? global, Tensor localCount) =>
        global is double g ? numerator / Math.Max(g, 1.0)
                           : numerator / localCount.to_type(numerator.dtype).clamp_min(1.0);
}

/// <summary>One registered aggregation mode: its name, the mode <see cref="LossAggregation.Aggregate"/> runs, its equation and source.</summary>
public sealed record AggregationEntry(string Name, AggregationMode Mode, string Formula, string Source)
{
    /// <summary>Reduces L [B, T] with mask m [B, T] to a scalar in this mode.</summary>
    public Tensor Aggregate(Tensor lossMatrix, Tensor mask, AggregationNorm? norm = null) =>
        LossAggregation.Aggregate(lossMatrix, mask, Mode, norm);
}

/// <summary>The aggregation modes by name (veRL <c>agg_loss</c> names).</summary>
public static class AggregationRegistry
{
    /// <summary>Every mode.</summary>
    public static Registry<AggregationEntry> All { get; } = new("loss aggregation mode");

    static AggregationRegistry()
    {
        Add(AggregationMode.TokenMean, "Σ L·m / Σ m over the mini-batch", "DAPO arXiv:2503.14476; veRL agg_loss token-mean");
        Add(AggregationMode.SeqMeanTokenMean, "Σ_i (Σ_t L·m / Σ_t m) / N_seq", "GRPO arXiv:2402.03300; veRL seq-mean-token-mean");
        Add(AggregationMode.SeqMeanTokenSum, "Σ_i Σ_t L·m / N_seq", "veRL seq-mean-token-sum");
        Add(AggregationMode.SeqMeanTokenSumNorm, "Σ L·m / (B · L_max)", "Dr. GRPO arXiv:2503.20783; veRL seq-mean-token-sum-norm");
        Add(AggregationMode.TokenSum, "Σ L·m", "sum over the batch's tokens (no normaliser)");
    }

    static void Add(AggregationMode mode, string formula, string source) =>
        All.Register(mode.ToName(), new AggregationEntry(mode.ToName(), mode, formula, source));
}
