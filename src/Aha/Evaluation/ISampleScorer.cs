using Aha.Data;
using Aha.Rewards;

namespace Aha.Evaluation;

/// <summary>Scores a problem's sampled completions for best-of-N: the highest score is the one kept.</summary>
public interface ISampleScorer
{
    /// <summary>What scores (<c>verifier</c>, <c>reward_model</c>), for reports.</summary>
    string Name { get; }

    /// <summary>One score per completion, in order; NaN for a completion the scorer cannot score (ranked last).</summary>
    IReadOnlyList<double> Score(PromptItem problem, IReadOnlyList<SampledCompletion> completions);
}

/// <summary>
/// Best-of-N by a reward function: the task's verifier (its correctness reward, so best-of-N picks a verified answer
/// when there is one) or a trained reward model (<see cref="RewardModelReward"/>, the ORM of Snell et al. 2024).
/// </summary>
/// <param name="reward">The reward function; its <see cref="RewardScore.Value"/> is the score.</param>
/// <param name="name">The scorer's name in reports.</param>
public sealed class RewardFunctionScorer(IRewardFunction reward, string name) : ISampleScorer
{
    readonly IRewardFunction _reward = reward ?? throw new ArgumentNullException(nameof(reward));

    public string Name { get; } = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A scorer needs a name.", nameof(name)) : name;

    public IReadOnlyList<double> Score(PromptItem problem, IReadOnlyList<SampledCompletion> completions)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(completions);
        return completions.Select(c =>
        {
            var score = _reward.Score(new RewardSample(problem.Prompt, c.Text, problem.Answer, problem.Metadata, c.Length));
            return score.Value ?? double.NaN;
        }).ToList();
    }
}
