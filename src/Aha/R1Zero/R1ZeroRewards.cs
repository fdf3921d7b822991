using Aha.Data;
using Aha.Rewards;

namespace Aha.R1Zero;

/// <summary>
/// The rewards of the R1-Zero recipe: correctness + a format bonus only (DeepSeek-R1-Zero's), or for the control a
/// coin flip; and weight-0 rewards that only log behaviour (format rate, think usage, reflection) for the curves.
/// </summary>
public static class R1ZeroRewards
{
    /// <param name="control"><c>none</c>, or <c>random-reward</c>: the coin flip replaces the reward, correctness is only logged.</param>
    /// <param name="seed">The run's seed (the coin flips derive from it).</param>
    /// <param name="correctness">The task's verifier.</param>
    /// <param name="formatBonus">Weight of the format reward.</param>
    public static RewardScorer Scorer(string control, long seed, IRewardFunction correctness, double formatBonus)
    {
        var rewards = new List<WeightedReward>();
        if (control == "random-reward")
        {
            rewards.Add(new WeightedReward(new RandomReward(SeededRandom.Derive(seed, "random-reward"))));
            rewards.Add(new WeightedReward(correctness, 0));   // logged (accuracy), not rewarded
            rewards.Add(new WeightedReward(new FormatReward(formatBonus), 0));
        }
        else
        {
            rewards.Add(new WeightedReward(correctness));
            rewards.Add(new WeightedReward(new FormatReward(formatBonus)));
        }
        rewards.Add(new WeightedReward(new FormatReward(1.0, name: "format_ok"), 0));   // the format rate, for the curves
        rewards.Add(new WeightedReward(new ThinkBlockReward(1.0, name: "think_used"), 0));
        // Behaviour only logged (weight 0): the reflection curves and the aha step (ReflectionObserver).
        rewards.Add(new WeightedReward(new ReflectionReward("reflection"), 0));
        rewards.Add(new WeightedReward(new ReflectionReward("backtrack"), 0));
        rewards.Add(new WeightedReward(new ReflectionReward("right_after_backtrack", correctness), 0));
        // One worker: the rewards are microseconds each, and a fixed order keeps the random control deterministic.
        return new RewardScorer(rewards, new RewardScorerOptions { MaxDegreeOfParallelism = 1 });
    }
}
