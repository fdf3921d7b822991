using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// Which group each row of a batch belongs to — veRL's <c>index</c>: arbitrary ids, groups of unequal sizes, rows of
/// one group need not be adjacent. Groups get dense numbers 0..n−1 in order of first appearance.
/// A group of one row (singleton) has no baseline: as veRL, its mean is taken as 0 and its std as 1.
/// </summary>
public sealed class GroupIds
{
    readonly long[] _dense;

    GroupIds(long[] dense, int[] sizes)
    {
        _dense = dense;
        Sizes = sizes;
    }

    /// <summary>Rows B.</summary>
    public int Rows => _dense.Length;

    /// <summary>Number of distinct groups n.</summary>
    public int Count => Sizes.Count;

    /// <summary>Rows per group, indexed by dense group number.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Dense group number of each row.</summary>
    public IReadOnlyList<long> Dense => _dense;

    /// <summary>Groups from one id per row (any values; equal ids are one group).</summary>
    public static GroupIds From(IReadOnlyList<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) throw new ArgumentException("A batch needs at least one row.", nameof(ids));
        var numbers = new Dictionary<long, int>();
        var sizes = new List<int>();
        var dense = new long[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            if (!numbers.TryGetValue(ids[i], out var g))
            {
                g = numbers.Count;
                numbers[ids[i]] = g;
                sizes.Add(0);
            }
            sizes[g]++;
            dense[i] = g;
        }
        return new GroupIds(dense, sizes.ToArray());
    }

    /// <summary>Consecutive blocks of <paramref name="groupSize"/> rows (the layout of G samples per prompt).</summary>
    /// <exception cref="ArgumentException">groupSize &lt; 1 or does not divide rows.</exception>
    public static GroupIds Contiguous(int rows, int groupSize)
    {
        if (groupSize < 1) throw new ArgumentException($"{nameof(groupSize)} must be ≥ 1; got {groupSize}.", nameof(groupSize));
        if (rows < 1 || rows % groupSize != 0)
            throw new ArgumentException(
                $"{nameof(groupSize)} ({groupSize}) must divide the batch size B ({rows}): a group is G consecutive rows.", nameof(groupSize));
        return From(Enumerable.Range(0, rows).Select(i => (long)(i / groupSize)).ToArray());
    }

    /// <summary>Dense group number per row as an int64 tensor: [B].</summary>
    public Tensor Index(Device device) => torch.tensor(_dense, device: device);

    /// <summary>
    /// Per-row group statistics of <paramref name="values"/> [B] (no grad): mean and unbiased std of the row's group,
    /// and the group's size, each [B]. Singletons get mean 0 and std 1 (veRL <c>compute_grpo_outcome_advantage</c>).
    /// </summary>
    internal (Tensor Mean, Tensor Std, Tensor Size) RowStats(Tensor values)
    {
        if (values.shape[0] != Rows)
            throw new ArgumentException($"The batch has {values.shape[0]} rows but the group ids cover {Rows}.", nameof(values));
        var idx = Index(values.device);                                                        // [B]
        var size = torch.tensor(Sizes.Select(s => (double)s).ToArray(), dtype: values.dtype, device: values.device); // [n]
        var sum = torch.zeros(Count, dtype: values.dtype, device: values.device).scatter_add(0, idx, values); // [n]
        var mean = sum / size;                                                                 // [n]
        var centered = values - mean.index_select(0, idx);                                     // [B]
        var squares = torch.zeros_like(sum).scatter_add(0, idx, centered.square());              // [n]
        var std = (squares / (size - 1).clamp_min(1.0)).sqrt();                                // [n]
        var single = size.eq(1);                                                               // [n]
        mean = torch.where(single, torch.zeros_like(mean), mean);
        std = torch.where(single, torch.ones_like(std), std);
        return (mean.index_select(0, idx), std.index_select(0, idx), size.index_select(0, idx)); // [B] each
    }
}
