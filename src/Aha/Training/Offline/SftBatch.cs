using Aha.Models;
using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>
/// SFT sequences, right-padded one per row or packed several per row (<see cref="PackedRows"/>): <see cref="Ids"/> and
/// <see cref="Labels"/> [B, T] int64, <see cref="LossMask"/> [B, T] float (1 where the label is a training target), and
/// either <see cref="AttentionMask"/> (padded) or <see cref="PositionIds"/> + <see cref="SegmentIds"/> (packed). Labels
/// equal the ids; they are a separate tensor so tests can show that labels outside the mask have no effect.
/// </summary>
public sealed class SftBatch : IDisposable
{
    public required Tensor Ids { get; init; }
    public Tensor? AttentionMask { get; init; }
    public Tensor? PositionIds { get; init; }
    public Tensor? SegmentIds { get; init; }
    public required Tensor Labels { get; init; }
    public required Tensor LossMask { get; init; }

    /// <summary>
    /// Packs sequences into rows of at most <paramref name="capacity"/> tokens (TRL's <c>packing</c>). A sequence's
    /// first token is never a target (<see cref="TokenizedSequence.Trained"/>[0] is false), so no loss crosses from one
    /// sequence to the next.
    /// </summary>
    public static SftBatch CreatePacked(IReadOnlyList<TokenizedSequence> sequences, int capacity, int padId, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var rows = PackedRows.Create(sequences.Select(s => (IReadOnlyList<int>)s.Ids).ToArray(), capacity, padId, device);
        var loss = new float[rows.Ids.shape[0], rows.Length];
        for (int i = 0; i < sequences.Count; i++)
        {
            var (row, start, length) = rows.Placement[i];
            for (int t = 1; t < length; t++) loss[row, start + t] = sequences[i].Trained[t] ? 1 : 0;
        }
        return new SftBatch
        {
            Ids = rows.Ids,
            PositionIds = rows.PositionIds,
            SegmentIds = rows.SegmentIds,
            Labels = rows.Ids.clone().DetachFromDisposeScope(),
            LossMask = torch.tensor(loss, device: device ?? CPU).DetachFromDisposeScope(),
        };
    }

    /// <summary>Collates sequences on <paramref name="device"/>; tensors are detached from any dispose scope (dispose the batch).</summary>
    public static SftBatch Create(IReadOnlyList<TokenizedSequence> sequences, int padId, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        int b = sequences.Count, t = sequences.Max(s => s.Ids.Length);
        var ids = new long[b, t];
        var attention = new long[b, t];
        var loss = new float[b, t];
        for (int i = 0; i < b; i++)
        {
            var s = sequences[i];
            for (int j = 0; j < t; j++)
            {
                bool real = j < s.Ids.Length;
                ids[i, j] = real ? s.Ids[j] : padId;
                attention[i, j] = real ? 1 : 0;
                loss[i, j] = real && s.Trained[j] ? 1 : 0;
            }
        }
        device ??= CPU;
        var idsTensor = torch.tensor(ids, device: device).DetachFromDisposeScope();
        return new SftBatch
        {
            Ids = idsTensor,
            AttentionMask = torch.tensor(attention, device: device).DetachFromDisposeScope(),
            Labels = idsTensor.clone().DetachFromDisposeScope(),
            LossMask = torch.tensor(loss, device: device).DetachFromDisposeScope(),
        };
    }

    public void Dispose()
    {
        Ids.Dispose(); AttentionMask?.Dispose(); PositionIds?.Dispose(); SegmentIds?.Dispose(); Labels.Dispose(); LossMask.Dispose();
    }
}

/// <summary>The completion-only SFT loss.</summary>
public static class SftLoss
{
    /// <summary>
    /// Σ_{b,t} −log π(labels[b, t] | ids[b, &lt;t]) · lossMask[b, t] (a sum: divide by the step's target count for
    /// the token mean). Position t − 1's logits predict label t. Returns a scalar with its graph.
    /// </summary>
    public static Tensor TokenSum(CausalLM model, SftBatch batch)
    {
        long t = batch.Ids.shape[1];
        if (t < 2) return torch.zeros([], device: batch.Ids.device);
        var logits = model.Forward(batch.Ids, batch.AttentionMask, batch.PositionIds, segmentIds: batch.SegmentIds); // [B, T, V]
        var logp = TokenLogProbs.Gather(logits.narrow(1, 0, t - 1), batch.Labels.narrow(1, 1, t - 1)); // [B, T-1]
        return -(logp * batch.LossMask.narrow(1, 1, t - 1)).sum();
    }
}
