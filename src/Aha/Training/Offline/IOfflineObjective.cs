using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>
/// What a trainer supplies to <see cref="OfflineLoop{TItem}"/>: its loss on a micro-batch, as a sum over loss units
/// (completion tokens for SFT, pairs for RM and DPO). The loop divides by the units of the whole optimizer step, so
/// gradient accumulation reproduces the full-batch mean exactly.
/// </summary>
public interface IOfflineObjective<TItem>
{
    /// <summary>Loss units in <paramref name="items"/> (the denominator of the step's mean loss).</summary>
    double Units(IReadOnlyList<TItem> items);

    /// <summary>Real (non-padding) tokens a forward pass over <paramref name="items"/> processes, for perf/throughput.</summary>
    long Tokens(IReadOnlyList<TItem> items);

    /// <summary>
    /// Σ of the per-unit loss over one micro-batch (a scalar with its graph, when grad is enabled) and metric sums
    /// (each Σ over units of a per-unit mean; the loop divides by the units). Called inside a dispose scope.
    /// </summary>
    OfflineLoss Loss(IReadOnlyList<TItem> microBatch);

    /// <summary>
    /// Adds metrics derived from the step's (or evaluation's) averaged ones, e.g. KTO's rewards/margins = chosen −
    /// rejected; called once per step before logging, and once per evaluation before the <c>eval_</c> prefix.
    /// </summary>
    void Derive(Dictionary<string, double> metrics) { }
}

/// <summary>
/// A micro-batch's summed loss and its metric sums (both weighted by loss units). A metric named in
/// <paramref name="MetricUnits"/> is a sum over its own units instead (KTO's rewards/chosen: over desirable examples);
/// the loop divides it by the step's total of those units and leaves it out when that total is 0.
/// </summary>
public sealed record OfflineLoss(Tensor Sum, IReadOnlyDictionary<string, double> MetricSums,
    IReadOnlyDictionary<string, double>? MetricUnits = null);

/// <summary>What a training run ended with.</summary>
/// <param name="Steps">Optimizer steps done in total (including any before a resume).</param>
/// <param name="LastMetrics">The metrics of the last step.</param>
/// <param name="Eval">The last evaluation's metrics (names prefixed <c>eval_</c>), or empty without eval data.</param>
public sealed record OfflineRunResult(int Steps, IReadOnlyDictionary<string, double> LastMetrics, IReadOnlyDictionary<string, double> Eval);
