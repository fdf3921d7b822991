namespace Aha.Training.Offline;

/// <summary>Collation of preference pairs into one <see cref="SequenceBatch"/>: rows 0..B−1 chosen, B..2B−1 rejected.</summary>
public static class PairBatch
{
    /// <summary>[prompt | chosen] rows then [prompt | rejected] rows, prompts left-padded, completions right-padded.</summary>
    public static SequenceBatch Create(IReadOnlyList<TokenizedPair> pairs, int padId, TorchSharp.torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var prompts = new List<IReadOnlyList<int>>(2 * pairs.Count);
        var completions = new List<IReadOnlyList<int>>(2 * pairs.Count);
        foreach (var p in pairs) { prompts.Add(p.Prompt); completions.Add(p.Chosen); }
        foreach (var p in pairs) { prompts.Add(p.Prompt); completions.Add(p.Rejected); }
        return SequenceBatch.Create(prompts, completions, padId, device);
    }

    /// <summary>Real tokens of a pair (both rows).</summary>
    public static long Tokens(TokenizedPair p) => 2L * p.Prompt.Length + p.Chosen.Length + p.Rejected.Length;
}
