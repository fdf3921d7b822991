namespace Aha.Training.Checkpointing;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014) with its whole state exposed as one <see cref="ulong"/>, so a trainer can
/// save it in <c>trainer_state.json</c> and resume a data shuffle exactly. The same sequence as
/// <see cref="Aha.Data.SeededRandom"/> for the same seed. Not thread-safe.
/// </summary>
public sealed class SplitMix64
{
    /// <summary>Starts the sequence of <paramref name="seed"/>.</summary>
    public SplitMix64(long seed) => State = unchecked((ulong)seed);

    /// <summary>The complete generator state; set it to a saved value to continue that sequence.</summary>
    public ulong State { get; set; }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = State = unchecked(State + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentException($"maxExclusive must be > 0, got {maxExclusive}.", nameof(maxExclusive));
        ulong bound = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % bound);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
