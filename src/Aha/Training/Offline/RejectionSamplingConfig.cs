using Aha.Configuration;
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
public sealed record RejectionSamplingConfig : IValidatableConfig
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

    /// <summary>One problem per invalid knob, at its snake_case key.</summary>
    public IEnumerable<ConfigProblem> Problems()
    {
        if (SamplesPerPrompt < 1) yield return new ConfigProblem("samples_per_prompt", $"samples_per_prompt must be ≥ 1 (got {SamplesPerPrompt})", SamplesPerPrompt);
        if (!Enum.IsDefined(Selection)) yield return new ConfigProblem("selection", $"selection must be all_accepted or best_of_n (got {Selection})", Selection);
        if (MinReward is double m && !double.IsFinite(m)) yield return new ConfigProblem("min_reward", $"min_reward must be finite or null (got {m})", m);
        if (MaxPerPrompt < 0) yield return new ConfigProblem("max_per_prompt", $"max_per_prompt must be ≥ 0; 0 keeps all (got {MaxPerPrompt})", MaxPerPrompt);
        if (PromptsPerBatch < 1) yield return new ConfigProblem("prompts_per_batch", $"prompts_per_batch must be ≥ 1 (got {PromptsPerBatch})", PromptsPerBatch);
        if (MaxNewTokens < 1) yield return new ConfigProblem("max_new_tokens", $"max_new_tokens must be ≥ 1 (got {MaxNewTokens})", MaxNewTokens);
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) yield return new ConfigProblem("temperature", $"temperature must be ≥ 0 and finite (got {Temperature})", Temperature);
        if (!(TopP > 0 && TopP <= 1)) yield return new ConfigProblem("top_p", $"top_p must be in (0, 1] (got {TopP})", TopP);
        if (TopK < 0) yield return new ConfigProblem("top_k", $"top_k must be ≥ 0 (got {TopK})", TopK);
    }
}
