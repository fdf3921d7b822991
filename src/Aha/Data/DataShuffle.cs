namespace Aha.Data;

/// <summary>Deterministic shuffles and train/eval splits from a seed.</summary>
public static class DataShuffle
{
    /// <summary>A Fisher–Yates shuffle of all items; the same seed gives the same order.</summary>
    public static List<T> Shuffle<T>(IEnumerable<T> items, long seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        var rng = new SeededRandom(seed);
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }

    /// <summary>
    /// The order of epoch <paramref name="epoch"/> over items 0 … <paramref name="count"/> − 1: a Fisher–Yates shuffle
    /// seeded by <c>Derive(seed, "epoch/{epoch}")</c>. Every trainer that cycles over its data uses this one rule, so an
    /// order depends only on the count, the seed and the epoch (and a resumed run recomputes it).
    /// </summary>
    public static int[] EpochOrder(int count, long seed, long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Shuffle(Enumerable.Range(0, count), SeededRandom.Derive(seed, $"epoch/{epoch}")).ToArray();
    }

    /// <summary>
    /// Shuffles by seed, then puts round(n · evalFraction) items (at least 1 when n ≥ 2 and the fraction is &gt; 0)
    /// in Eval and the rest in Train. Disjoint, and together exactly the input.
    /// </summary>
    public static (List<T> Train, List<T> Eval) Split<T>(IEnumerable<T> items, double evalFraction, long seed)
    {
        if (!(evalFraction >= 0 && evalFraction < 1))
            throw new ArgumentException($"evalFraction must be in [0, 1), got {evalFraction}.", nameof(evalFraction));
        var all = Shuffle(items, seed);
        int evalCount = (int)Math.Round(all.Count * evalFraction, MidpointRounding.AwayFromZero);
        if (evalFraction > 0 && evalCount == 0 && all.Count >= 2) evalCount = 1;
        return (all.GetRange(evalCount, all.Count - evalCount), all.GetRange(0, evalCount));
    }
}
