using Aha.Models;
using static TorchSharp.torch;

namespace Aha.Training.OnPolicy;

/// <summary>
/// The trainer's forwards over a micro-batch (rows [start, start + count) of the step's <see cref="SequenceBatch"/>),
/// returned at the positions that predict each completion token, [b, C, ...] as the padded layout has them.
/// <para>Padded: prompts left-padded to the longest prompt, completions right-padded to the longest completion.</para>
/// <para>Packed (<see cref="OnPolicyConfig.Packing"/>; veRL's <c>use_remove_padding</c>, TRL's <c>padding_free</c>):
/// each row's prompt + completion laid side by side into rows no longer than the step's longest sequence
/// (<see cref="PackedRows"/>, best-fit decreasing), attending block-diagonally and causally with positions restarting
/// per sequence, so each sequence gets the logits it gets alone and only the padding's work is saved. The LM head
/// still runs at all C positions of each row, as padded, beyond a completion's end on its last position (masked out).</para>
/// </summary>
internal sealed class CompletionForward
{
    readonly SequenceBatch _batch;
    readonly IReadOnlyList<IReadOnlyList<int>>? _sequences;   // prompt + completion per row; null: padded forwards
    readonly int[] _promptLengths = [];
    readonly int _capacity, _padId;

    /// <summary>Padded forwards of <paramref name="batch"/>.</summary>
    public CompletionForward(SequenceBatch batch) => _batch = batch;

    /// <summary>Packed forwards; <paramref name="prompts"/> and <paramref name="completions"/> are the rows <paramref name="batch"/> was made from.</summary>
    public CompletionForward(SequenceBatch batch, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> completions, int padId)
    {
        if (prompts.Count != batch.Rows || completions.Count != batch.Rows)
            throw new ArgumentException($"{prompts.Count} prompts and {completions.Count} completions for a batch of {batch.Rows} rows.", nameof(prompts));
        if (prompts.Any(p => p.Count == 0))
            throw new ArgumentException("Every prompt needs a token: the logits of a completion's first token are read at its last one.", nameof(prompts));
        _batch = batch;
        _sequences = prompts.Select((p, i) => (IReadOnlyList<int>)[.. p, .. completions[i]]).ToList();
        _promptLengths = prompts.Select(p => p.Count).ToArray();
        _capacity = _sequences.Max(s => s.Count);
        _padId = padId;
    }

    /// <summary>Completion ids of the rows: [b, C].</summary>
    public Tensor CompletionIds(long start, long count) => _batch.CompletionIds.narrow(0, start, count);

    /// <summary>Logits at the positions that predict each completion token: [b, C, V].</summary>
    public Tensor Logits(CausalLM model, long start, long count)
    {
        if (_sequences is null) return _batch.Slice(start, count).CompletionLogits(model);
        using var rows = Pack(start, count);
        var hidden = model.Backbone.Forward(rows.Ids, positionIds: rows.PositionIds, segmentIds: rows.SegmentIds); // [R, L, H]
        return model.Head(AtCompletions(hidden, rows, start, count));                                              // [b, C, V]
    }

    /// <summary>log π(completion token t | prefix) under softmax(logits / T): [b, C] (junk beyond each completion; mask it).</summary>
    public Tensor LogProbs(CausalLM model, long start, long count, double temperature)
        => TokenLogProbs.Gather(Logits(model, start, count), CompletionIds(start, count), temperature);

    /// <summary>Critic values V(s_t) at the positions that predict each completion token (s_t = prefix before token t): [b, C].</summary>
    public Tensor Values(ScalarHeadModel critic, long start, long count)
    {
        if (_sequences is null)
        {
            var b = _batch.Slice(start, count);
            return critic.Forward(b.Ids, b.AttentionMask).narrow(1, b.PromptLength - 1, b.CompletionLength);
        }
        using var rows = Pack(start, count);
        var values = critic.Forward(rows.Ids, positionIds: rows.PositionIds, segmentIds: rows.SegmentIds);        // [R, L]
        return AtCompletions(values.unsqueeze(-1), rows, start, count).squeeze(-1);                               // [b, C]
    }

    PackedRows Pack(long start, long count) =>
        PackedRows.Create(Enumerable.Range((int)start, (int)count).Select(i => _sequences![i]).ToList(), _capacity, _padId, _batch.Ids.device);

    /// <summary>[R, L, D] per packed position → [b, C, D]: sequence j's position p_j − 1 + t for completion token t.</summary>
    Tensor AtCompletions(Tensor perPosition, PackedRows rows, long start, long count)
    {
        int width = _batch.CompletionLength;
        var index = new long[count * width];
        for (int j = 0; j < count; j++)
        {
            var (row, column, length) = rows.Placement[j];
            int prompt = _promptLengths[start + j];
            int last = Math.Max(length - prompt - 1, 0);
            for (int t = 0; t < width; t++)
                index[j * width + t] = (long)row * rows.Length + column + prompt - 1 + Math.Min(t, last);
        }
        var flat = perPosition.flatten(0, 1);                                                                      // [R·L, D]
        return flat.index_select(0, torch.tensor(index, device: flat.device)).view(count, width, -1);
    }
}
