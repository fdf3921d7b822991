namespace Aha.Rewards;

/// <summary>
/// Adapts any function to <see cref="IRewardFunction"/>. This is also the slot for a learned reward model:
/// wrap its scalar-head scoring, e.g. <c>new DelegateReward("rm", (s, ct) =&gt; RewardScore.Of(rm.Score(s.Prompt, s.Completion), null, "reward model"))</c>.
/// </summary>
public sealed class DelegateReward : IRewardFunction
{
    private readonly Func<RewardSample, CancellationToken, RewardScore> _score;

    public DelegateReward(string name, Func<RewardSample, CancellationToken, RewardScore> score)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _score = score ?? throw new ArgumentNullException(nameof(score));
    }

    public DelegateReward(string name, Func<RewardSample, double> score)
        : this(name, (s, _) => RewardScore.Of(score(s), null, name))
    {
    }

    public string Name { get; }

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default) =>
        _score(sample, cancellationToken);
}
