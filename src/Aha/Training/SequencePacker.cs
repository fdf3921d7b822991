namespace Aha.Training;

/// <summary>
/// Packs variable-length sequences into rows of at most <c>capacity</c> tokens, best-fit decreasing (TRL's default
/// packing strategy "bfd"): longest first, each into the row whose free space it fills best, a new row when none has
/// room. No sequence is split.
/// </summary>
public static class SequencePacker
{
    /// <summary>lengths → rows, each a list of sequence indices in the order they sit in the row.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> Pack(IReadOnlyList<int> lengths, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        for (int i = 0; i < lengths.Count; i++)
            if (lengths[i] < 1 || lengths[i] > capacity)
                throw new ArgumentException($"Sequence {i} has {lengths[i]} tokens; packing needs 1 to {capacity} (the row capacity).", nameof(lengths));
        var rows = new List<List<int>>();
        var free = new List<int>();
        foreach (int i in Enumerable.Range(0, lengths.Count).OrderByDescending(i => lengths[i]).ThenBy(i => i))
        {
            int best = -1;
            for (int r = 0; r < rows.Count; r++)
                if (free[r] >= lengths[i] && (best < 0 || free[r] < free[best])) best = r;
            if (best < 0) { rows.Add([]); free.Add(capacity); best = rows.Count - 1; }
            rows[best].Add(i);
            free[best] -= lengths[i];
        }
        return rows;
    }
}
