namespace Aha.Training.Offline;

/// <summary>Which accepted completions of a prompt are kept.</summary>
public enum RejectionSelection
{
    /// <summary>Every completion whose reward is ≥ <see cref="RejectionSamplingConfig.MinReward"/> (R1 stage 3: all verified-correct).</summary>
    AllAccepted,
    /// <summary>The single highest-reward completion (first on ties), if it passes <see cref="RejectionSamplingConfig.MinReward"/> (best-of-N).</summary>
    BestOfN,
}

/// <summary>
/// Rejection sampling for SFT data (DeepSeek-R1 stage 3, arXiv:2501.12948; Llama 2's best-of-N, arXiv:2307.09288):
/// sample N completions per prompt, score them, keep the accepted ones.
/// </summary>
public sealed record RejectionSamplingConfig
{
    /// <summary>Completions sampled per prompt (N). The default value is 8.</summary>
    public int SamplesPerPrompt { get; init; } = 8;

    /// <summary>Keep all accepted completions or only the best one. The default value is AllAccepted.</summary>
    public RejectionSelection Selection { get; init; } = RejectionSelection.AllAccepted;

    /// <summary>
    /// A completion is accepted when its total reward is ≥ this; null accepts any (best-of-N by a reward model).
    /// The default value is 1.0 (a correctness reward's "correct").
    /// </summary>
    public double? MinReward { get; init; } = 1.0;

    /// <summary>Most completions kept per prompt with AllAccepted; 0 keeps all. The default value is 0.</summary>
    public int MaxPerPrompt { get; init; }

    /// <summary>Keep only the first of identical completions of a prompt. The default value is true.</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>Keep completions cut off at MaxNewTokens (they never stopped; SFT would teach them to end). The default value is false.</summary>
    public bool KeepTruncated { get; init; }

    /// <summary>
    /// false: the prompt text is fed as is and the output is <c>{"prompt","completion"}</c>. true: the prompt is
    /// wrapped as a ChatML user turn with the generation prompt and the output is <c>{"messages"}</c> (user +
    /// assistant), which the SFT trainer renders back to exactly the sampled tokens. The default value is false.
    /// </summary>
    public bool ChatFormat { get; init; }

    /// <summary>Prompts per generation call (each expanded to N rows). The default value is 8.</summary>
    public int PromptsPerBatch { get; init; } = 8;

    /// <summary>Most tokens per completion. The default value is 256.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Sampling temperature (0 would make the N samples identical). The default value is 1.0.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling threshold; 1 disables. The default value is 1.0.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Top-k truncation; 0 disables. The default value is 0.</summary>
    public int TopK { get; init; }

    /// <summary>Seed of the sampler; batch i uses seed + i. The default value is 0.</summary>
    public long Seed { get; init; }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every invalid knob; returns this when valid.</summary>
    public RejectionSamplingConfig Validate()
    {
        var errors = new List<string>();
        if (SamplesPerPrompt < 1) errors.Add($"SamplesPerPrompt must be ≥ 1 (got {SamplesPerPrompt})");
        if (!Enum.IsDefined(Selection)) errors.Add($"Selection must be AllAccepted or BestOfN (got {Selection})");
        if (MinReward is double m && !double.IsFinite(m)) errors.Add($"MinReward must be finite or null (got {m})");
        if (MaxPerPrompt < 0) errors.Add($"MaxPerPrompt must be ≥ 0; 0 keeps all (got {MaxPerPrompt})");
        if (PromptsPerBatch < 1) errors.Add($"PromptsPerBatch must be ≥ 1 (got {PromptsPerBatch})");
        if (MaxNewTokens < 1) errors.Add($"MaxNewTokens must be ≥ 1 (got {MaxNewTokens})");
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) errors.Add($"Temperature must be ≥ 0 and finite (got {Temperature})");
        if (!(TopP > 0 && TopP <= 1)) errors.Add($"TopP must be in (0, 1] (got {TopP})");
        if (TopK < 0) errors.Add($"TopK must be ≥ 0 (got {TopK})");
        if (errors.Count > 0)
            throw new ArgumentException($"Invalid rejection-sampling config ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}): " + string.Join("; ", errors) + ".", "config");
        return this;
    }
}
