using Aha.R1Zero;

namespace Aha.Tests.R1Zero;

public sealed class ReflectionDetectorTests
{
    // Hand-written completions and what a reader says they do.
    [Theory]
    [InlineData("<think>7+5=12 check 12-5=7;12-3=9;9+4=13</think><answer>13</answer>", true, false)]          // verifies one step
    [InlineData("<think>7+5=12;12+3=15 wait 12-3=9;9+4=13</think><answer>13</answer>", false, true)]          // catches and redoes
    [InlineData("<think>12+3=15 wait 12-3=9 check 9+3=12</think><answer>9</answer>", true, true)]             // both
    [InlineData("<think>-3+9=6 CHECK: -6+... wait, -3-9=-12</think><answer>-12</answer>", true, true)]         // case, colon, sign
    [InlineData("Let me verify (3+4)=7 first.", true, false)]
    [InlineData("<think>7+5=12;12+3=15;15+4=19</think><answer>19</answer>", false, false)]                    // plain chain
    [InlineData("<answer>13</answer>", false, false)]                                                       // direct answer
    [InlineData("<think>wait</think><answer>wait</answer>", false, false)]                                  // the word alone
    [InlineData("<think>checked 12;awaited 3;checkmate 4</think>", false, false)]                           // not whole words
    [InlineData("<think>waiting 5 check</think>", false, false)]                                            // keyword not before a number
    public void Detector_CountsHandWrittenExamples(string completion, bool verifies, bool backtracks)
    {
        Assert.Equal(verifies, ReflectionDetector.Verifies(completion));
        Assert.Equal(backtracks, ReflectionDetector.Backtracks(completion));
        Assert.Equal(verifies || backtracks, ReflectionDetector.Reflects(completion));
    }

    [Fact]
    public void Count_AddsVerificationsAndBacktracks()
    {
        // 2 checks + 1 wait, counted by hand.
        Assert.Equal(3, ReflectionDetector.Count("<think>7+5=12 check 12-5=7;12+3=15 wait 12-3=9;9+4=13 check 13-4=9</think><answer>13</answer>"));
        Assert.Equal(0, ReflectionDetector.Count("<think>7+5=12;12+3=15</think><answer>15</answer>"));
    }

    [Fact]
    public void RightAfterBacktrack_NeedsBothTheCorrectionAndTheRightAnswer()
    {
        var math = new Aha.Rewards.MathReward("math", Aha.Rewards.AnswerSources.AnswerTag);
        var reward = new ReflectionReward("right_after_backtrack", math);
        double Score(string c) => reward.Score(new Aha.Rewards.RewardSample("7+5-3=", c, "9")).Value ?? double.NaN;
        Assert.Equal(1, Score("<think>7+5=12;12+3=15 wait 12-3=9</think><answer>9</answer>"));
        Assert.Equal(0, Score("<think>7+5=12;12+3=15 wait 12-3=9</think><answer>15</answer>"));   // corrected, answered wrong
        Assert.Equal(0, Score("<think>7+5=12;12-3=9</think><answer>9</answer>"));                 // right, no correction
        Assert.Throws<ArgumentException>(() => new ReflectionReward("aha"));
    }
}
