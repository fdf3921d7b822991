using Aha.Rewards;

namespace Aha.Tests.Rewards;

public sealed class FormatRewardTests
{
    [Theory]
    [InlineData("<think>2+2 is 4</think><answer>4</answer>", true)]
    [InlineData("  <think>a\nb</think>\n<answer>4</answer>\n", true)]
    [InlineData("<think>so</think> \\boxed{4}", true)]
    [InlineData("<think>so</think> $\\boxed{\\frac{1}{2}}$.", true)]
    [InlineData("<answer>4</answer>", false)]                                   // no think
    [InlineData("<think>x</think>", false)]                                     // no answer
    [InlineData("<think>x<answer>4</answer>", false)]                           // think never closed
    [InlineData("<think> </think><answer>4</answer>", false)]                   // empty think
    [InlineData("<think>x</think><answer>4</answer> and more text", false)]     // trailing substance
    [InlineData("<think>x</think>blah <answer>4</answer>", false)]              // text before answer
    [InlineData("<think>x</think><answer>4</answer><answer>5</answer>", false)] // two answers
    [InlineData("<think>a</think><think>b</think><answer>4</answer>", false)]  // two think blocks
    [InlineData("preamble <think>x</think><answer>4</answer>", false)]
    [InlineData("<think>x</think><answer> </answer>", false)]
    [InlineData("", false)]
    public void Strict_AcceptsOnlyThinkThenAnswer(string completion, bool wellFormed)
    {
        var score = new FormatReward().Score(new RewardSample("p", completion));
        Assert.Equal(wellFormed ? 0.1 : 0.0, score.Value);
    }

    [Fact]
    public void Strict_ThinkTagInPrompt_CompletionStartsInsideThink()
    {
        var reward = new FormatReward(bonus: 0.5, thinkTagInPrompt: true);
        Assert.Equal(0.5, reward.Score(new RewardSample("Assistant: <think>", "2+2=4</think><answer>4</answer>")).Value);
    }

    [Fact]
    public void Strict_ReasonSaysWhatIsMissing()
    {
        Assert.Equal("no </think>", new FormatReward().Score(new RewardSample("p", "<think>x")).Reason);
    }

    [Theory]
    [InlineData("<think>x</think> whatever", 0.1)]
    [InlineData("text <think>x</think> text", 0.1)]
    [InlineData("<think>x", 0.0)]
    [InlineData("no tags", 0.0)]
    public void Loose_RewardsAnyClosedThinkBlock(string completion, double expected)
    {
        Assert.Equal(expected, new ThinkBlockReward().Score(new RewardSample("p", completion)).Value);
    }
}
