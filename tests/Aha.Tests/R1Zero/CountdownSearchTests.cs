using Aha.Evaluation;
using Aha.Data;
using Aha.R1Zero;

namespace Aha.Tests.R1Zero;

public sealed class CountdownSearchTests
{
    // Numbers 3, 7, 12 and target 8 throughout: 12-7+3 = 8 reaches it; 3+7-12 = -2 and 3+7+12 = 22 miss.
    static readonly int[] Numbers = [3, 7, 12];
    const int Target = 8;

    // Hand-written completions, the attempts a reader counts in their think blocks, and whether a miss comes before a hit.
    [Theory]
    [InlineData("<think>3+7-12=-2;12-7+3=8</think><answer>12-7+3</answer>", 2, true)]        // a miss, then the solution
    [InlineData("<think>12-7+3=8</think><answer>12-7+3</answer>", 1, false)]                  // right first time: nothing to recover from
    [InlineData("<think>12-7+3=8;3+7-12=-2</think><answer>3+7-12</answer>", 2, false)]        // the hit comes first
    [InlineData("<think>3+7+12=8;12+3-7=8</think><answer>12+3-7</answer>", 2, true)]          // 3+7+12 is 22 whatever it says
    [InlineData("<think>3+7+12=8</think><answer>3+7+12</answer>", 1, false)]                  // a written "hit" that misses
    [InlineData("<think>3+7-12=-2;3-7+12=8;12-7+3=", 3, true)]                                // cut off after "=": still an attempt
    [InlineData("<think>3+7-12</think><answer>3+7-12</answer>", 0, false)]                    // no "=": not an attempt
    [InlineData("<answer>12-7+3</answer>", 0, false)]                                          // a direct answer
    [InlineData("3+7-12=-2<think>12-7+3=8</think><answer>3+7+12=22</answer>", 1, false)]      // only the think block counts
    [InlineData("<think>3+7=10-12=-2;12-7=5+3=8</think><answer>12-7+3</answer>", 2, true)]   // worked step by step
    [InlineData("<think>3+7=10+12=8;12+3=15-7=8</think><answer>12+3-7</answer>", 2, true)]   // 3+7+12 misses whatever it says
    [InlineData("<think>3+7=10+12=22;12-7=5+", 2, false)]                                      // cut off mid-attempt: 12-7+ reaches nothing
    [InlineData("<think>3+7=10+12=22|8✗;12-7=5+3=8|8✓</think><answer>12-7+3</answer>", 2, true)] // with target and verdict
    [InlineData("<think>3+7=10+12=8|8✓;12+3=15-7=8|8✓</think><answer>12+3-7</answer>", 2, true)]  // a wrong verdict changes nothing
    [InlineData("<think>12-7=5+3=8|8✓;3+7=10+12=22|8✗</think><answer>12-7+3</answer>", 2, false)]
    public void CountsAttemptsAndRecoveries_InHandWrittenCompletions(string completion, int attempts, bool missThenHit)
    {
        Assert.Equal(attempts, CountdownSearch.Attempts(completion).Count);
        Assert.Equal(missThenHit, CountdownSearch.MissThenHit(completion, Numbers, Target));
    }

    [Fact]
    public void Attempts_AreTheExpressionsInOrder()
    {
        Assert.Equal(["3+7-12", "12-7+3"], CountdownSearch.Attempts("<think>3+7-12=-2;12-7+3=8</think><answer>12-7+3</answer>"));
        Assert.Equal(["3+7-12", "12-7+3"], CountdownSearch.Attempts("<think>3+7=10-12=-2;12-7=5+3=8</think><answer>12-7+3</answer>"));
        Assert.Equal(["3+7-12", "12-7+3"], CountdownSearch.Attempts("<think>3+7=10-12=-2|8✗;12-7=5+3=8|8✓</think><answer>12-7+3</answer>"));
    }

    [Fact]
    public void AttemptsPerCompletion_AveragesTheSampledCompletions_AndRecoveriesTakeRightOnesThatMissedFirst()
    {
        const string missThenHit = "<think>3+7-12=-2;12-7+3=8</think><answer>12-7+3</answer>";   // 2 attempts
        const string hitFirst = "<think>12-7+3=8</think><answer>12-7+3</answer>";                // 1
        const string direct = "<answer>12-7+3</answer>";                                         // 0
        const string wrongAfterMiss = "<think>3+7-12=-2;3+7+12=22</think><answer>3+7+12</answer>"; // 2, wrong
        var problems = new[] { Problem("a"), Problem("b"), Problem("c") };
        var report = Report(
            Result("a", greedy: hitFirst, greedyCorrect: true, (missThenHit, true), (direct, true)),
            Result("b", greedy: missThenHit, greedyCorrect: true, (wrongAfterMiss, false), (hitFirst, true)),
            Result("c", greedy: missThenHit, greedyCorrect: true, (direct, true), (direct, true)));
        // Samples: 2 + 0 + 2 + 1 + 0 + 0 = 5 attempts over 6 completions (greedy completions are not samples).
        Assert.Equal(5.0 / 6, CountdownSearch.AttemptsPerCompletion(report), 12);
        // a: its greedy completion hit first, so its right sample that missed first; b: its greedy completion; c: past the count.
        var found = CountdownSearch.Recoveries(report, problems, count: 2);
        Assert.Equal([("a", missThenHit), ("b", missThenHit)], found.Select(f => (f.Prompt[..1], f.Completion)));
        // A wrong completion that missed and then hit is not a recovery: the answer has to be right.
        var wrongOnly = Report(Result("a", greedy: direct, greedyCorrect: false, (missThenHit.Replace("<answer>12-7+3", "<answer>3+7-12"), false)));
        Assert.Empty(CountdownSearch.Recoveries(wrongOnly, problems));
    }

    static PromptItem Problem(string id) =>
        new(id, id + ":3,7,12>8=", "8", new Dictionary<string, string> { ["numbers"] = "3,7,12", ["target"] = "8" });

    static ProblemResult Result(string id, string greedy, bool greedyCorrect, params (string Text, bool Correct)[] samples) =>
        new(id, id + ":3,7,12>8=", "8", greedy, null, greedyCorrect, true, 0, samples.Count(s => s.Correct), samples.Length, null, false)
        {
            SampledCompletions = samples.Select(s => new SampledCompletion(s.Text, null, s.Correct, 0)).ToList(),
        };

    static EvaluationReport Report(params ProblemResult[] problems) =>
        new(problems.Length, problems[0].Samples, 0, 0, 0, 0, 0, 0, 0, 0, problems);
}
