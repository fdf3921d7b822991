namespace Aha.Generation;

/// <summary>How to sample completions. Defaults follow common RL practice (pure sampling at T = 1).</summary>
public sealed record SamplingParams
{
    /// <summary>Most tokens generated per sequence. The default value is 256.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Softmax temperature; 0 means greedy (argmax). The default value is 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability sums to ≥ p. 1 disables. The default value is 1.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens; 0 disables. The default value is 0.</summary>
    public int TopK { get; init; }

    /// <summary>Token ids that end a sequence (EOS, &lt;|im_end|&gt;, …); the stop token is kept in the completion.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Strings that end a sequence once the decoded completion contains them (needs a tokenizer).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Seed for the sampler; the same seed, model and prompts give the same samples. The default value is 0.</summary>
    public long Seed { get; init; }

    /// <summary>Use the KV cache (true) or recompute the whole sequence each step (false: slow; a reference for tests and benchmarks).</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>
    /// Prefill each distinct prompt once and copy its KV cache to every row that repeats it (GRPO's G completions of one
    /// prompt), instead of prefilling every row. Samples are unchanged (up to floating-point rounding). The default value
    /// is true; it applies with the KV cache only.
    /// </summary>
    public bool SharePromptPrefill { get; init; } = true;

    public SamplingParams Validate()
    {
        var errors = new List<string>();
        if (MaxNewTokens < 1) errors.Add($"MaxNewTokens must be ≥ 1 (got {MaxNewTokens})");
        if (Temperature < 0 || double.IsNaN(Temperature)) errors.Add($"Temperature must be ≥ 0 (got {Temperature})");
        if (!(TopP > 0 && TopP <= 1)) errors.Add($"TopP must be in (0, 1] (got {TopP})");
        if (TopK < 0) errors.Add($"TopK must be ≥ 0 (got {TopK})");
        if (errors.Count > 0) throw new ArgumentException("Invalid sampling parameters: " + string.Join("; ", errors) + ".");
        return this;
    }
}
