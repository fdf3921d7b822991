using System.Text.RegularExpressions;
using Aha.Data;
using Aha.Rewards;
using Aha.Tasks;

namespace Aha.Tests.Rewards;

public sealed class CountdownPropertyTests
{
    [Fact]
    public void GeneratedProblems_SolutionScoresOne_MutationsScoreBelowOne()
    {
        var task = new CountdownTask();
        var rng = new SeededRandom(2024);
        var reward = new CountdownReward();
        for (int i = 0; i < 1000; i++)
        {
            var p = task.Generate(rng);
            var numbers = p.Metadata["numbers"].Split(',').Select(int.Parse).ToArray();
            int target = int.Parse(p.Metadata["target"]);
            var solution = p.Metadata["solution"];

            // Independent check of the generator: the solution's digits are exactly the given numbers.
            var used = Regex.Matches(solution, @"\d+").Select(m => int.Parse(m.Value)).Order().ToArray();
            Assert.Equal(numbers.Order().ToArray(), used);
            Assert.InRange(numbers.Length, 3, 4);
            Assert.All(numbers, n => Assert.InRange(n, 1, 99));

            double Score(string answer, int t) => reward.Score(new RewardSample(
                "p", $"<think>...</think><answer>{answer}</answer>", null,
                new Dictionary<string, string> { ["numbers"] = p.Metadata["numbers"], ["target"] = t.ToString() })).Value!.Value;

            Assert.True(Score(solution, target) == 1.0, $"problem {i}: {solution} should reach {target}");

            // A number reused: append "+ n - n", value unchanged but n is used once more than given.
            int n0 = numbers[0];
            Assert.True(Score($"({solution}) + {n0} - {n0}", target) < 1.0, $"problem {i}: reuse");

            // A number not given: one above the largest given.
            int absent = numbers.Max() + 1;
            Assert.True(Score($"({solution}) * {absent} / {absent}", target) < 1.0, $"problem {i}: not given");

            // Wrong value: same expression, other target.
            Assert.True(Score(solution, target + 1) < 1.0, $"problem {i}: wrong value");
        }
    }
}
