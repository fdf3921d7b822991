using Aha.Models;
using static TorchSharp.torch;

namespace Aha.Training;

/// <summary>
/// Prompt + completion pairs packed for one forward pass: prompts left-padded to the longest prompt P, completions
/// right-padded to the longest completion C, so every completion starts at column P (as in TRL/veRL).
/// <see cref="Ids"/> and <see cref="AttentionMask"/> are [B, P + C]; <see cref="CompletionMask"/> is [B, C] (1 on real
/// completion tokens, or where the optional loss mask says so) — the mask m of every loss.
/// </summary>
public sealed class SequenceBatch : IDisposable
{
    public required Tensor Ids { get; init; }
    public required Tensor AttentionMask { get; init; }
    public required Tensor CompletionIds { get; init; }
    public required Tensor CompletionMask { get; init; }
    public required int PromptLength { get; init; }
    public required int CompletionLength { get; init; }

    public long Rows => Ids.shape[0];

    /// <summary>Collates token lists on <paramref name="device"/>. Tensors are detached from any dispose scope; dispose the batch.</summary>
    /// <param name="lossMasks">Per completion token, whether it carries loss (multi-turn: only the policy's own tokens,
    /// not the observations between its turns); null: every completion token does.</param>
    public static SequenceBatch Create(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> completions, int padId,
        Device? device = null, IReadOnlyList<IReadOnlyList<bool>>? lossMasks = null)
    {
        if (prompts.Count != completions.Count)
            throw new ArgumentException($"{prompts.Count} prompts but {completions.Count} completions.", nameof(completions));
        if (lossMasks is not null && (lossMasks.Count != completions.Count || lossMasks.Where((m, i) => m.Count != completions[i].Count).Any()))
            throw new ArgumentException("Each loss mask must have one entry per completion token.", nameof(lossMasks));
        if (prompts.Count == 0) throw new ArgumentException("A batch needs at least one row.", nameof(prompts));
        int b = prompts.Count, p = prompts.Max(x => x.Count), c = Math.Max(1, completions.Max(x => x.Count));
        var ids = new long[b, p + c];
        var attention = new long[b, p + c];
        var completionIds = new long[b, c];
        var completionMask = new float[b, c];
        for (int i = 0; i < b; i++)
        {
            int offset = p - prompts[i].Count;
            for (int t = 0; t < p + c; t++) ids[i, t] = padId;
            for (int t = 0; t < c; t++) completionIds[i, t] = padId;
            for (int t = 0; t < prompts[i].Count; t++) { ids[i, offset + t] = prompts[i][t]; attention[i, offset + t] = 1; }
            for (int t = 0; t < completions[i].Count; t++)
            {
                ids[i, p + t] = completions[i][t];
                attention[i, p + t] = 1;
                completionIds[i, t] = completions[i][t];
                completionMask[i, t] = lossMasks is null || lossMasks[i][t] ? 1 : 0;
            }
        }
        device ??= CPU;
        return new SequenceBatch
        {
            Ids = torch.tensor(ids, device: device).DetachFromDisposeScope(),
            AttentionMask = torch.tensor(attention, device: device).DetachFromDisposeScope(),
            CompletionIds = torch.tensor(completionIds, device: device).DetachFromDisposeScope(),
            CompletionMask = torch.tensor(completionMask, device: device).DetachFromDisposeScope(),
            PromptLength = p,
            CompletionLength = c,
        };
    }

    /// <summary>Rows [start, start + count) as views (for micro-batches); the views share storage with this batch.</summary>
    public SequenceBatch Slice(long start, long count) => new()
    {
        Ids = Ids.narrow(0, start, count),
        AttentionMask = AttentionMask.narrow(0, start, count),
        CompletionIds = CompletionIds.narrow(0, start, count),
        CompletionMask = CompletionMask.narrow(0, start, count),
        PromptLength = PromptLength,
        CompletionLength = CompletionLength,
    };

    /// <summary>
    /// Logits at the positions that predict each completion token: [B, C, V]. Position P − 1 + t predicts completion
    /// token t. Computing the head only there saves the prompt's share of the vocabulary projection.
    /// </summary>
    public Tensor CompletionLogits(CausalLM model)
    {
        var hidden = model.Backbone.Forward(Ids, AttentionMask);            // [B, P + C, H]
        return model.Head(hidden.narrow(1, PromptLength - 1, CompletionLength)); // [B, C, V]
    }

    /// <summary>log π(completion token t | prefix) under softmax(logits / T): [B, C] (padding positions hold junk; mask them).</summary>
    public Tensor CompletionLogProbs(CausalLM model, double temperature = 1.0)
        => TokenLogProbs.Gather(CompletionLogits(model), CompletionIds, temperature);

    public void Dispose()
    {
        Ids.Dispose(); AttentionMask.Dispose(); CompletionIds.Dispose(); CompletionMask.Dispose();
    }
}
