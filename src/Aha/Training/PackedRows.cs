using static TorchSharp.torch;

namespace Aha.Training;

/// <summary>
/// Sequences packed side by side into rows (<see cref="SequencePacker"/>) for one forward pass without padding between
/// them: <see cref="Ids"/>, <see cref="PositionIds"/> (restarting at 0 for each sequence) and <see cref="SegmentIds"/>
/// (1, 2, … per sequence in its row, 0 on the padding at a row's end) are [R, L] int64, L the longest row. With
/// <c>segmentIds</c> the model attends block-diagonally and causally: a token sees the earlier tokens of its own sequence only,
/// so each sequence's logits are those it gets alone.
/// </summary>
public sealed class PackedRows : IDisposable
{
    public required Tensor Ids { get; init; }
    public required Tensor PositionIds { get; init; }
    public required Tensor SegmentIds { get; init; }

    /// <summary>Where sequence i sits: row, first column, length.</summary>
    public required IReadOnlyList<(int Row, int Start, int Length)> Placement { get; init; }

    /// <summary>Row length L.</summary>
    public int Length => (int)Ids.shape[1];

    /// <summary>Packs <paramref name="sequences"/> into rows of at most <paramref name="capacity"/> tokens on <paramref name="device"/>; dispose the result.</summary>
    public static PackedRows Create(IReadOnlyList<IReadOnlyList<int>> sequences, int capacity, int padId, Device? device = null)
    {
        if (sequences.Count == 0) throw new ArgumentException("Packing needs at least one sequence.", nameof(sequences));
        var rows = SequencePacker.Pack(sequences.Select(s => s.Count).ToArray(), capacity);
        int length = rows.Max(r => r.Sum(i => sequences[i].Count));
        var ids = new long[rows.Count, length];
        var positions = new long[rows.Count, length];
        var segments = new long[rows.Count, length];
        var placement = new (int, int, int)[sequences.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int t = 0; t < length; t++) ids[r, t] = padId;
            int column = 0, segment = 0;
            foreach (int i in rows[r])
            {
                segment++;
                var s = sequences[i];
                placement[i] = (r, column, s.Count);
                for (int t = 0; t < s.Count; t++)
                {
                    ids[r, column + t] = s[t];
                    positions[r, column + t] = t;
                    segments[r, column + t] = segment;
                }
                column += s.Count;
            }
        }
        device ??= CPU;
        return new PackedRows
        {
            Ids = torch.tensor(ids, device: device).DetachFromDisposeScope(),
            PositionIds = torch.tensor(positions, device: device).DetachFromDisposeScope(),
            SegmentIds = torch.tensor(segments, device: device).DetachFromDisposeScope(),
            Placement = placement,
        };
    }

    /// <summary>
    /// Per-token values [R, L, ...] → per-sequence [N, T, ...] with T the longest sequence, right-padded with zeros: sequence
    /// i's tokens at [i, 0..length_i).
    /// </summary>
    public Tensor Unpack(Tensor packed)
    {
        int longest = Placement.Max(p => p.Length);
        var rows = new long[Placement.Count * longest];
        var valid = new bool[Placement.Count * longest];
        for (int i = 0; i < Placement.Count; i++)
        {
            var (row, start, count) = Placement[i];
            for (int t = 0; t < longest; t++)
            {
                rows[i * longest + t] = (long)row * Length + start + Math.Min(t, count - 1);
                valid[i * longest + t] = t < count;
            }
        }
        var flat = packed.flatten(0, 1);                                                          // [R·L, ...]
        var index = torch.tensor(rows, device: packed.device);
        var gathered = flat.index_select(0, index);                                               // [N·T, ...]
        var mask = torch.tensor(valid, device: packed.device).view([-1, .. Enumerable.Repeat(1L, (int)packed.dim() - 2)]);
        return gathered.mul(mask.to_type(gathered.dtype)).view([Placement.Count, longest, .. packed.shape.Skip(2)]);
    }

    public void Dispose()
    {
        Ids.Dispose(); PositionIds.Dispose(); SegmentIds.Dispose();
    }
}
