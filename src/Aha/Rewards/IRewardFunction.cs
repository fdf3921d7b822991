namespace Aha.Rewards;

/// <summary>
/// A reward: score(prompt, completion, ground truth, metadata) → float or "not applicable".
/// Implementations work on strings and numbers only (no tensors) and must be thread-safe: a batch is scored in
/// parallel.
/// </summary>
public interface IRewardFunction
{
    /// <summary>Stable name under which the reward is logged (e.g. "math", "format", "countdown").</summary>
    string Name { get; }

    /// <summary>Scores one sample. Long-running rewards (a reward model, a sandbox) should honour
    /// <paramref name="cancellationToken"/>, which is cancelled when the per-call time limit passes.</summary>
    RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default);
}
