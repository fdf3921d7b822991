namespace Aha.Generation;

/// <summary>Why a sequence stopped.</summary>
public enum FinishReason
{
    /// <summary>A stop token id (EOS, &lt;|im_end|&gt;, …) was sampled.</summary>
    Eos,
    /// <summary>The decoded completion contains a stop string.</summary>
    StopString,
    /// <summary>MaxNewTokens was reached.</summary>
    Length,
}

/// <summary>
/// One sampled completion. <see cref="LogProbs"/>[i] is log π(token i | prefix) under the temperature-scaled
/// distribution (logits / T, before top-k/top-p truncation; T = 1 for greedy) — the quantity a trainer recomputes.
/// </summary>
public sealed record Completion(IReadOnlyList<int> PromptIds, int[] TokenIds, float[] LogProbs, FinishReason FinishReason)
{
    public bool Truncated => FinishReason == FinishReason.Length;

    /// <summary>The policy version (optimizer steps) whose weights sampled this completion; null when the engine does not say (the local engine samples the current weights).</summary>
    public long? WeightVersion { get; init; }
}
