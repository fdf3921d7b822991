namespace Aha.Training.OnPolicy;

/// <summary>
/// Micro-batches by tokens rather than rows (<see cref="OnPolicyConfig.MicroBatchTokens"/>; veRL's dynamic batch size,
/// <c>actor.use_dynamic_bsz: true</c> with <c>actor.ppo_max_token_len_per_gpu</c>): a micro-batch of short sequences
/// holds more of them, so each forward does about the same work whatever the length spread. Rows are taken in order
/// (veRL rebalances them across partitions instead; keeping the order keeps each micro-batch a slice of the batch).
/// </summary>
internal static class TokenBudgetMicroBatches
{
    /// <summary>
    /// Splits rows [start, start + count) into consecutive runs whose <paramref name="lengths"/> (prompt + completion
    /// tokens, padding excluded) sum to at most <paramref name="budget"/>; a row longer than the budget runs alone.
    /// </summary>
    public static IEnumerable<(int Start, int Count)> Split(IReadOnlyList<int> lengths, int start, int count, int budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        int end = start + count;
        for (int s = start; s < end;)
        {
            int c = 0;
            long used = 0;
            while (s + c < end && (c == 0 || used + lengths[s + c] <= budget)) used += lengths[s + c++];
            yield return (s, c);
            s += c;
        }
    }
}
