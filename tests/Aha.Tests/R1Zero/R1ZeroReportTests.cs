using Aha.Evaluation;
using Aha.R1Zero;

namespace Aha.Tests.R1Zero;

public sealed class R1ZeroReportTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("r1zero-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static readonly R1ZeroSummary Summary = new()
    {
        Task = "countdown", Preset = "grpo", Control = "none", Seed = 0, ModelParameters = 1000, EvalProblems = 1, EvalK = 2,
        AccuracyBefore = 0, AccuracyAfter = 1, SampledPass1Before = 0, SampledPass1After = 1, MajAtKBefore = 0, MajAtKAfter = 1,
        PassAtKBefore = 0, PassAtKAfter = 1, FormatRateBefore = 1, FormatRateAfter = 1, MeanCompletionLenBefore = 20, MeanCompletionLenAfter = 40,
        RlSteps = 3, PretrainSteps = 0, PretrainSeconds = 0, RlSeconds = 0, TotalSeconds = 0,
    };

    static EvaluationReport Report(string greedy, bool correct) =>
        new(1, 2, correct ? 1 : 0, 0, 0, 0, 1, 20, 1, 20, [new ProblemResult("p", "3,7,12>8=", "8", greedy, null, correct, true, 20, 0, 2, null, false)]);

    string Write(R1ZeroSummary summary, IReadOnlyList<(string, string)> searchExamples)
    {
        R1ZeroReport.Write(_dir, 1.0, summary, Report("<think>3+7=10+12=22|8✗</think><answer>3+7+12</answer>", false),
            Report("<think>3+7=10+12=22|8✗;12-7=5+3=8|8✓</think><answer>12-7+3</answer>", true), [], searchExamples);
        return File.ReadAllText(Path.Combine(_dir, R1ZeroOutput.ReportFile));
    }

    [Fact]
    public void SearchTasks_ShowAttemptsPerCompletion_AndTheExamples_OtherTasksNoSearchSection()
    {
        var md = Write(Summary with { AttemptsPerCompletionBefore = 1.25, AttemptsPerCompletionAfter = 2.5 },
            [("3,7,12>8=", "<think>3+7=10+12=22|8✗;12-7=5+3=8|8✓</think><answer>12-7+3</answer>")]);
        Assert.Contains("| attempts per sampled completion (search) | 1.25 | 2.50 |", md);
        Assert.Contains("## Search", md);
        Assert.Contains("- `3,7,12>8=<think>3+7=10+12=22|8✗;12-7=5+3=8|8✓</think><answer>12-7+3</answer>`", md);

        var none = Write(Summary with { AttemptsPerCompletionBefore = 1.25, AttemptsPerCompletionAfter = 1.0 }, []);
        Assert.Contains("No right held-out completion after RL has an attempt that misses followed by one that reaches the target.", none);

        var arithmetic = Write(Summary with { Task = "arithmetic" }, []);
        Assert.DoesNotContain("## Search", arithmetic);
        Assert.DoesNotContain("attempts per sampled completion", arithmetic);
    }
}
