namespace Aha.Data;

/// <summary>
/// A small deterministic PRNG (SplitMix64, Steele et al. 2014) whose sequence is fixed by this code, not by the .NET
/// version, so shuffles, splits and synthetic tasks are reproducible everywhere from a seed; its state is one ulong
/// (<see cref="State"/>), so a resumed run continues the same stream. Not thread-safe.
/// </summary>
public sealed class SeededRandom
{
    private ulong _state;

    public SeededRandom(long seed) => _state = unchecked((ulong)seed);

    /// <summary>The whole generator state: save it in a checkpoint and set it back to continue the same sequence.</summary>
    public ulong State { get => _state; set => _state = value; }

    /// <summary>A seed derived from this seed and a label (e.g. "train"/"test"), for independent streams.</summary>
    public static long Derive(long seed, string label)
    {
        ulong h = unchecked((ulong)seed) ^ 0xCBF29CE484222325UL;
        foreach (char c in label) h = unchecked((h ^ c) * 0x100000001B3UL);
        return unchecked((long)Mix(h));
    }

    public ulong NextUInt64() => Mix(_state = unchecked(_state + 0x9E3779B97F4A7C15UL));

    /// <summary>Uniform in [0, maxExclusive), without modulo bias.</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentException($"maxExclusive must be > 0, got {maxExclusive}.", nameof(maxExclusive));
        ulong bound = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(x % bound);
    }

    /// <summary>Uniform in [min, max] (inclusive).</summary>
    public int NextInclusive(int min, int max)
    {
        if (max < min) throw new ArgumentException($"max ({max}) must be ≥ min ({min}).", nameof(max));
        return min + Next(max - min + 1);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
