using System.Data;
using System.Text.RegularExpressions;
using Aha.Data;
using Aha.Rewards;
using Aha.Tasks;

namespace Aha.Tests.Tasks;

public sealed class ArithmeticTaskTests
{
    [Fact]
    public void Answers_MatchAnIndependentEvaluator()
    {
        // DataTable.Compute is an independent expression evaluator with the usual precedence; the numbers are
        // written as decimals ("12.0") so it computes in System.Decimal and products cannot overflow Int32.
        var task = new ArithmeticTask(ArithmeticOptions.ForDifficulty(4));
        var rng = new SeededRandom(7);
        var table = new DataTable();
        for (int i = 0; i < 300; i++)
        {
            var p = task.Generate(rng);
            var expected = Convert.ToInt64(table.Compute(Regex.Replace(p.Question, @"\d+", "$0.0"), null));
            Assert.Equal(expected.ToString(), p.Answer);
            Assert.True(expected >= 0, "negative results are off by default");
        }
    }

    [Fact]
    public void SmallDifficulty_GivesShortProblems()
    {
        var task = new ArithmeticTask(new ArithmeticOptions { MinOperands = 2, MaxOperands = 3, MaxDigits = 2 });
        var rng = new SeededRandom(1);
        for (int i = 0; i < 200; i++)
        {
            var q = task.Generate(rng).Question;
            var numbers = q.Split('+', '-');
            Assert.InRange(numbers.Length, 2, 3);
            Assert.All(numbers, n => Assert.InRange(n.Length, 1, 2));
        }
    }

    [Fact]
    public void Split_IsDeterministic_Disjoint_AndTestIsStableWhenTrainGrows()
    {
        var task = TaskDatasets.Create("arithmetic");
        var a = TaskDatasets.Generate(task, 500, 200, seed: 42);
        var b = TaskDatasets.Generate(task, 500, 200, seed: 42);
        var bigger = TaskDatasets.Generate(task, 900, 200, seed: 42);
        var other = TaskDatasets.Generate(task, 500, 200, seed: 43);

        Assert.Equal(a.Train.Select(x => x.Prompt), b.Train.Select(x => x.Prompt));
        Assert.Equal(a.Test.Select(x => x.Prompt), bigger.Test.Select(x => x.Prompt));
        Assert.NotEqual(a.Test.Select(x => x.Prompt), other.Test.Select(x => x.Prompt));
        var testKeys = a.Test.Select(x => x.Metadata["expression"]).ToHashSet();
        Assert.Equal(200, testKeys.Count);
        Assert.DoesNotContain(a.Train, x => testKeys.Contains(x.Metadata["expression"]));
        Assert.Equal(500, a.Train.Select(x => x.Metadata["expression"]).Distinct().Count());
    }

    [Fact]
    public void Prompt_AsksForThinkThenAnswer_AndTheReferenceAnswerScoresOne()
    {
        var item = TaskDatasets.Generate(TaskDatasets.Create("arithmetic"), 1, 1, 3).Test[0];
        Assert.Contains("<think></think>", item.Prompt);
        Assert.Contains("<answer></answer>", item.Prompt);
        Assert.Contains(item.Metadata["question"], item.Prompt);
        var completion = $"<think>compute</think><answer>{item.Answer}</answer>";
        Assert.Equal(1.1, new RewardScorer(new MathReward(), new FormatReward())
            .Score(new RewardSample(item.Prompt, completion, item.Answer, item.Metadata)).Total, 12);
    }

    [Fact]
    public void TooManyProblemsForTheDifficulty_IsAClearError()
    {
        // Difficulty 1 is a+b with one-digit numbers: 10·10 = 100 distinct problems at most.
        var e = Assert.Throws<InvalidOperationException>(() => TaskDatasets.Generate(TaskDatasets.Create("arithmetic", 1), 100, 50, 0));
        Assert.Contains("distinct", e.Message);
    }

    [Fact]
    public void InvalidOptions_AreAllReported()
    {
        var e = Assert.Throws<ArgumentException>(() => new ArithmeticTask(new ArithmeticOptions { MinOperands = 1, Operators = "/" }));
        Assert.Contains("MinOperands", e.Message);
        Assert.Contains("Operators", e.Message);
    }

    [Fact]
    public void UnknownTask_ListsKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => TaskDatasets.Create("sudoku"));
        Assert.Contains("arithmetic, countdown", e.Message);
    }
}
