using Aha.Models;

namespace Aha.Benchmarks;

/// <summary>The shape of one GRPO rollout batch in the benchmarks: distinct prompts, each sampled G times.</summary>
/// <param name="Model">the policy's config (random weights).</param>
/// <param name="DistinctPrompts">prompts per step.</param>
/// <param name="Generations">G, completions per prompt.</param>
/// <param name="PromptTokens">tokens per prompt.</param>
/// <param name="NewTokens">max new tokens per completion.</param>
public sealed record RolloutShape(ModelConfig Model, int DistinctPrompts, int Generations, int PromptTokens, int NewTokens)
{
    /// <summary>GSM8K-like: Small4M, 8 prompts × G = 8, prompts of 128 tokens, completions up to 256.</summary>
    public static RolloutShape Gsm8kLike => new(BenchModels.Small4M, 8, 8, 128, 256);

    /// <summary>Random prompts, each repeated <see cref="Generations"/> times in a row: [prompts·G] rows.</summary>
    public IReadOnlyList<int>[] Prompts(long seed)
        => GenerationBenchmark.RandomPrompts(Model, DistinctPrompts, PromptTokens, seed)
            .SelectMany(p => Enumerable.Repeat(p, Generations)).ToArray();
}
