using Aha.Configuration;

namespace Aha.Training.Runs;

/// <summary>
/// Evaluation of a policy on problems with verifiable answers (<see cref="Aha.Evaluation.Evaluator"/>): greedy pass@1,
/// sampled pass@1, pass@k, maj@k, best-of-k (by <see cref="RewardModel"/> or the verifier), format rate and the
/// compute-scaling table, written as <c>eval.json</c>.
/// </summary>
public sealed record EvalSection : IValidatableConfig
{
    /// <summary>Evaluate the final model on the eval split (needs eval data and a math or countdown reward). The default value is true.</summary>
    public bool AtEnd { get; init; } = true;

    /// <summary>Also evaluate the starting model, into <c>eval_start.json</c>. The default value is false.</summary>
    public bool AtStart { get; init; }

    /// <summary>Samples per problem for sampled pass@1, pass@k and maj@k. The default value is 4.</summary>
    public int K { get; init; } = 4;

    /// <summary>Most problems evaluated (the first of the eval set); 0 means all. The default value is 0.</summary>
    public int MaxProblems { get; init; }

    /// <summary>Most new tokens per completion; 0 takes the trainer's. The default value is 0.</summary>
    public int MaxNewTokens { get; init; }

    /// <summary>Sampling temperature of the K samples. The default value is 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sequences generated together. The default value is 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// A reward-model folder (as <c>aha rm</c> writes it) that scores the k samples for best-of-N; unset, the task's
    /// verifier scores them. The default value is null.
    /// </summary>
    public string? RewardModel { get; init; }

    public IEnumerable<ConfigProblem> Problems()
    {
        if (K < 1) yield return new ConfigProblem("k", $"must be ≥ 1 (got {K}).", K);
        if (MaxProblems < 0) yield return new ConfigProblem("max_problems", $"must be ≥ 0; 0 means all (got {MaxProblems}).", MaxProblems);
        if (MaxNewTokens < 0) yield return new ConfigProblem("max_new_tokens", $"must be ≥ 0; 0 takes the trainer's (got {MaxNewTokens}).", MaxNewTokens);
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) yield return new ConfigProblem("temperature", $"must be > 0 (got {Temperature}).", Temperature);
        if (BatchSize < 1) yield return new ConfigProblem("batch_size", $"must be ≥ 1 (got {BatchSize}).", BatchSize);
        if (RewardModel is not null && !Directory.Exists(RewardModel))
            yield return new ConfigProblem("reward_model", $"reward model folder '{RewardModel}' not found; pass the folder aha rm wrote.", RewardModel);
    }
}
