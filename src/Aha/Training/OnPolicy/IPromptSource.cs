using Aha.Data;

namespace Aha.Training.OnPolicy;

/// <summary>
/// An endless stream of prompts that the on-policy trainer pulls from, with a position that a checkpoint saves and a
/// resumed run restores (the same position gives the same next prompts).
/// </summary>
public interface IPromptSource
{
    /// <summary>The next prompt; advances <see cref="Position"/> by one.</summary>
    PromptItem Next();

    /// <summary>Prompts drawn so far (across epochs). Setting it restores the stream to that point.</summary>
    long Position { get; set; }
}

/// <summary>
/// Cycles over a fixed list of prompts, each epoch in a fresh order (<see cref="DataShuffle.EpochOrder"/>), so the
/// stream depends only on the items, the seed and the position.
/// </summary>
public sealed class ShuffledPromptSource : IPromptSource
{
    readonly IReadOnlyList<PromptItem> _items;
    readonly long _seed;
    readonly bool _shuffle;
    long _epoch = -1;
    int[] _order = [];

    /// <param name="items">At least one prompt.</param>
    /// <param name="seed">Seed of the per-epoch shuffles.</param>
    /// <param name="shuffle">False keeps the given order every epoch.</param>
    public ShuffledPromptSource(IReadOnlyList<PromptItem> items, long seed = 0, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("A prompt source needs at least one prompt.", nameof(items));
        _items = items;
        _seed = seed;
        _shuffle = shuffle;
    }

    public long Position { get; set; }

    public PromptItem Next()
    {
        if (Position < 0) throw new InvalidOperationException($"Position must be ≥ 0; got {Position}.");
        long epoch = Position / _items.Count;
        if (epoch != _epoch)
        {
            _order = _shuffle ? DataShuffle.EpochOrder(_items.Count, _seed, epoch) : Enumerable.Range(0, _items.Count).ToArray();
            _epoch = epoch;
        }
        var item = _items[_order[(int)(Position % _items.Count)]];
        Position++;
        return item;
    }
}
