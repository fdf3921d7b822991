using Aha.Rewards;

namespace Aha.R1Zero;

/// <summary>
/// A weight-0 reward that only logs behaviour, so it reaches <c>reward/{name}/mean</c> every RL step:
/// <c>reflection</c> (1 when the completion verifies or backtracks), <c>backtrack</c> (1 when it self-corrects), or
/// <c>right_after_backtrack</c> (1 when it self-corrects and <paramref name="correctness"/> scores it right — divided
/// by the accuracy this gives the share of right completions that self-correct, whose first majority is the aha step).
/// </summary>
public sealed class ReflectionReward(string name, IRewardFunction? correctness = null) : IRewardFunction
{
    public string Name { get; } = name is "reflection" or "backtrack" or "right_after_backtrack"
        ? name : throw new ArgumentException($"Unknown reflection reward '{name}'; known: reflection, backtrack, right_after_backtrack.", nameof(name));

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        bool hit = Name switch
        {
            "reflection" => ReflectionDetector.Reflects(sample.Completion),
            "backtrack" => ReflectionDetector.Backtracks(sample.Completion),
            _ => ReflectionDetector.Backtracks(sample.Completion)
                 && (correctness ?? throw new InvalidOperationException("right_after_backtrack needs a correctness reward.")).Score(sample, cancellationToken).Value >= 1,
        };
        return RewardScore.Of(hit ? 1 : 0, null, hit ? Name : "no " + Name);
    }
}
