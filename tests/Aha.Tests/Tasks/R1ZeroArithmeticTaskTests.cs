using Aha.R1Zero;
using Aha.Tasks;
using Aha.Training.Runs;

namespace Aha.Tests.Tasks;

public sealed class R1ZeroArithmeticTaskTests
{
    [Theory]
    // By hand, left to right on the running value.
    [InlineData("7+5-3", "7+5=12;12-3=9")]
    [InlineData("9-9+0", "9-9=0;0+0=0")]
    [InlineData("0+7-6", "0+7=7;7-6=1")]
    public void Steps_AreTheLeftToRightChain(string expression, string steps) =>
        Assert.Equal(steps, R1ZeroArithmeticTask.Steps(expression));

    [Fact]
    public void Split_IsR1ZerosProblemsInItsPromptFormat_EvalAmongTheBasesHeldOut_TrainNeverAmongThem()
    {
        var r1zero = R1ZeroTasks.Create("arithmetic", 3000, R1ZeroArithmeticTask.HeldOutProblems, seed: 0);
        var heldOut = r1zero.Test.Select(p => p.Prompt).ToHashSet();
        var corpusProblems = r1zero.Train.Select(p => p.Prompt).ToHashSet();
        var split = TaskDatasets.Generate(TaskDatasets.Create(R1ZeroArithmeticTask.TaskName), 256, 64, seed: 0);

        Assert.Equal(r1zero.Test.Take(64).Select(p => p.Prompt), split.Test.Select(p => p.Prompt));
        Assert.All(split.Test, p => Assert.DoesNotContain(p.Prompt, corpusProblems));
        Assert.All(split.Train, p => Assert.DoesNotContain(p.Prompt, heldOut));
        Assert.Equal(256, split.Train.Select(p => p.Prompt).Distinct().Count());
        Assert.All(split.Train.Concat(split.Test), p =>
        {
            Assert.Matches(@"^\d[+-]\d[+-]\d=$", p.Prompt);
            Assert.Equal(R1ZeroArithmeticTask.Steps(p.Prompt.TrimEnd('=')), p.Metadata["steps"]);
            Assert.EndsWith("=" + p.Answer, p.Metadata["steps"]);
        });
    }

    [Fact]
    public void ColdStart_WritesTheWorkedStepsInsideThink()
    {
        var item = TaskDatasets.Generate(new R1ZeroArithmeticTask(), 1, 0, seed: 3).Train[0];
        var example = RunData.ColdStart(item);
        Assert.Equal($"<think>{item.Metadata["steps"]}</think><answer>{item.Answer}</answer>", example.Completion);
        Assert.Equal(item.Prompt, example.Prompt);
    }

    [Fact]
    public void TaskCapacity_CountsOnlyWhatTheHeldOutSetLeaves()
    {
        // 2 890 distinct problems (R1ZeroTasks.DistinctProblems), 500 always held out: 2 390 can be trained on.
        Assert.Null(Record.Exception(() => TaskDatasets.Generate(new R1ZeroArithmeticTask(), 2390, 16, seed: 0)));
        Assert.Throws<InvalidOperationException>(() => TaskDatasets.Generate(new R1ZeroArithmeticTask(), 2391, 16, seed: 0));
    }
}
