using Aha.Configuration;

namespace Aha.Generation;

/// <summary>How to sample completions. Defaults follow common RL practice (pure sampling at T = 1).</summary>
public sealed record SamplingParams : IValidatableConfig
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

    /// <summary>The rules each field must meet, as data (key in snake_case, the rule, the value found).</summary>
    public IEnumerable<ConfigProblem> Problems()
    {
        if (MaxNewTokens < 1) yield return new ConfigProblem("max_new_tokens", $"must be ≥ 1 (got {MaxNewTokens}).", MaxNewTokens);
        if (!(Temperature >= 0)) yield return new ConfigProblem("temperature", $"must be ≥ 0; 0 is greedy (got {Temperature}).", Temperature);
        if (!(TopP > 0 && TopP <= 1)) yield return new ConfigProblem("top_p", $"must be in (0, 1]; 1 disables (got {TopP}).", TopP);
        if (TopK < 0) yield return new ConfigProblem("top_k", $"must be ≥ 0; 0 disables (got {TopK}).", TopK);
    }

    /// <summary>Returns this when valid.</summary>
    /// <exception cref="ConfigException">Every problem of <see cref="Problems"/>, listed together.</exception>
    public SamplingParams Validate() => Problems().ToList() is { Count: > 0 } problems ? throw new ConfigException(nameof(SamplingParams), problems) : this;
}
