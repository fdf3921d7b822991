using Aha.Rewards;

namespace Aha.Tests.Rewards;

public sealed class OverlongShapingTests
{
    // L_max = 100, L_buf = 20, λ = 1: ramp starts after 80.
    //   |o| = 80  → 0 (last length with no penalty)
    //   |o| = 81  → −(81 − 80)/20 = −0.05
    //   |o| = 90  → −10/20 = −0.5
    //   |o| = 100 → −20/20 = −1 (still inside the buffer, the ramp's end)
    //   |o| = 101 → −1 (beyond L_max)
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(79, 0.0)]
    [InlineData(80, 0.0)]
    [InlineData(81, -0.05)]
    [InlineData(90, -0.5)]
    [InlineData(99, -0.95)]
    [InlineData(100, -1.0)]
    [InlineData(101, -1.0)]
    [InlineData(5000, -1.0)]
    public void Soft_GoldenValuesAtBufferEdges(int length, double expected)
    {
        Assert.Equal(expected, OverlongShaping.Soft(length, maxLength: 100, buffer: 20), 12);
    }

    // λ = 0.5 halves every value: 90 → −0.25.
    [Fact]
    public void Soft_ScalesWithLambda() => Assert.Equal(-0.25, OverlongShaping.Soft(90, 100, 20, 0.5), 12);

    [Theory]
    [InlineData(100, 0.0)]   // |o| = L_max is not over
    [InlineData(101, -2.0)]  // −λ with λ = 2
    public void Hard_PenalisesOnlyBeyondMax(int length, double expected)
    {
        Assert.Equal(expected, OverlongShaping.Hard(length, maxLength: 100, penalty: 2.0));
    }

    [Fact]
    public void Soft_BufferLargerThanMax_IsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => OverlongShaping.Soft(1, 10, 11));
        Assert.Equal("buffer", e.ParamName);
    }

    [Fact]
    public void Reward_UsesTokenCountWhenGiven_ElseCharacters()
    {
        var reward = new OverlongReward(maxLength: 100, buffer: 20);
        Assert.Equal(-0.5, reward.Score(new RewardSample("p", "short", CompletionTokens: 90)).Value!.Value, 12);
        Assert.Equal(0.0, reward.Score(new RewardSample("p", new string('a', 80))).Value);
        Assert.Equal(-1.0, reward.Score(new RewardSample("p", new string('a', 101))).Value);
    }
}
