using Aha.Algorithms;

namespace Aha.Training.OnPolicy;

/// <summary>One optimiser step's rows: its micro-batches (start row, rows, loss tokens) and the aggregation counts of the whole mini-batch.</summary>
internal sealed record MiniBatch(IReadOnlyList<(long Start, long Count, double Tokens)> Micro, AggregationNorm Norm);

/// <summary>
/// How a step's batch of B rows splits into mini-batches (optimiser steps) and micro-batches (forward/backward
/// chunks), in row order; micro-batches hold <see cref="OnPolicyConfig.MicroBatchSize"/> rows or, with
/// <see cref="OnPolicyConfig.MicroBatchTokens"/>, as many rows as fit that many tokens (<see cref="TokenBudgetMicroBatches"/>).
/// Counts come from the host-side lengths, so no device read is needed.
/// <see cref="OnPolicy"/>: μ = 1 and one mini-batch, so every forward sees the policy that sampled (ρ ≡ 1).
/// </summary>
internal sealed record BatchPlan(IReadOnlyList<MiniBatch> MiniBatches, double Tokens, bool OnPolicy)
{
    /// <param name="rowTokens">Loss tokens per row (completion length, 0 for a masked row).</param>
    /// <param name="rowLengths">Prompt + completion tokens per row (padding excluded), what a token budget counts.</param>
    public static BatchPlan Create(IReadOnlyList<int> rowTokens, IReadOnlyList<int> rowLengths, OnPolicyConfig config, AlgorithmSpec algorithm)
    {
        int rows = rowTokens.Count;
        int miniRows = config.MiniBatchSize > 0 ? Math.Min(config.MiniBatchSize, rows) : rows;
        int microRows = config.MicroBatchSize > 0 ? Math.Min(config.MicroBatchSize, miniRows) : miniRows;
        var minis = new List<MiniBatch>();
        for (int start = 0; start < rows; start += miniRows)
        {
            int count = Math.Min(miniRows, rows - start);
            var slices = config.MicroBatchTokens > 0
                ? TokenBudgetMicroBatches.Split(rowLengths, start, count, config.MicroBatchTokens)
                : Enumerable.Range(0, (count + microRows - 1) / microRows).Select(k => (start + k * microRows, Math.Min(microRows, count - k * microRows)));
            var micro = slices.Select(m => ((long)m.Item1, (long)m.Item2, Enumerable.Range(m.Item1, m.Item2).Sum(i => (double)rowTokens[i]))).ToList();
            var rowRange = Enumerable.Range(start, count).Select(i => rowTokens[i]).ToList();
            var norm = new AggregationNorm(rowRange.Sum(), rowRange.Count(t => t > 0), count, config.MaxNewTokens);
            minis.Add(new MiniBatch(micro, norm));
        }
        return new BatchPlan(minis, rowTokens.Sum(), config.NumIterations == 1 && minis.Count == 1);
    }
}
