using Aha.Data;
using Aha.R1Zero;

namespace Aha.Tests.R1Zero;

public sealed class CorpusTests
{
    static readonly R1ZeroTask Arithmetic = R1ZeroTasks.Create("arithmetic", 2000, 500, seed: 7);

    [Fact]
    public void Arithmetic_StepErrorRate_MatchesTheConfiguredRate()
    {
        var (docs, stats) = SyntheticCorpus.Build(Arithmetic.Train, Arithmetic.Writer, new CorpusOptions { Documents = 20_000, ErrorRate = 0.6 }, seed: 1);
        // Recount from the texts: a subtraction in the prompt that appears as '+' at the same position of the chain is an error.
        int eligible = 0, errors = 0;
        foreach (var d in docs.Where(d => d.Kind != "direct"))
        {
            var ops = d.Prompt.TrimEnd('=').Where(c => c is '+' or '-').ToArray();
            var steps = d.Completion["<think>".Length..d.Completion.IndexOf("</think>")].Split(';');
            for (int i = 0; i < ops.Length; i++)
            {
                if (ops[i] != '-') continue;
                eligible++;
                // the step's operator is the first + or − after the first character (which may be a minus sign)
                char written = steps[i].Skip(1).First(c => c is '+' or '-');
                if (written == '+') errors++;
            }
        }
        Assert.Equal(eligible, stats.ErrorEligibleSteps);
        Assert.Equal(errors, stats.ErrorSteps);
        Assert.InRange((double)errors / eligible, 0.58, 0.62);                      // 0.6 ± ~3σ for n ≈ 12000 steps
        Assert.InRange(stats.DirectShare, 0.14, 0.16);                              // default 0.15
    }

    [Fact]
    public void Arithmetic_CorrectDocuments_AreRightAndErrorDocuments_AreWrong()
    {
        var (docs, _) = SyntheticCorpus.Build(Arithmetic.Train, Arithmetic.Writer, new CorpusOptions { Documents = 2000 }, seed: 2);
        var answers = Arithmetic.Train.ToDictionary(p => p.Prompt, p => p.Answer);
        foreach (var d in docs)
        {
            var given = d.Completion[(d.Completion.LastIndexOf("<answer>") + 8)..d.Completion.LastIndexOf("</answer>")];
            Assert.Equal(d.AnswerCorrect, given == answers[d.Prompt]);
            if (d.Kind == "correct") Assert.True(d.AnswerCorrect, d.Prompt + d.Completion);
            // a flipped "a-0" is harmless (a+0 = a-0), so an error document is wrong unless it subtracted a zero
            if (d.Kind == "error") Assert.True(!d.AnswerCorrect || d.Prompt.Contains("-0"), d.Prompt + d.Completion);
        }
        // 7+5-3 by hand: 7+5=12, 12-3=9.
        var written = new ArithmeticSolutions().Write(new PromptItem("x", "7+5-3=", "9"), new SeededRandom(0), new CorpusOptions { ErrorRate = 0, DirectAnswerRate = 0 });
        Assert.Equal("<think>7+5=12;12-3=9</think><answer>9</answer>", written.Completion);
        written = new ArithmeticSolutions().Write(new PromptItem("x", "7+5-3=", "9"), new SeededRandom(0), new CorpusOptions { ErrorRate = 1, DirectAnswerRate = 0 });
        Assert.Equal("<think>7+5=12;12+3=15</think><answer>15</answer>", written.Completion);
    }

    [Theory]
    [InlineData("selfcheck")]
    [InlineData("arithmetic")]
    [InlineData("countdown")]
    public void HeldOutProblems_NeverAppearInTheCorpus(string name)
    {
        var task = R1ZeroTasks.Create(name, 1500, 500, seed: 3);
        Assert.Equal(500, task.Test.Count);
        var (docs, _) = SyntheticCorpus.Build(task.Train, task.Writer, new CorpusOptions { Documents = 30_000 }, seed: 3);
        var corpusPrompts = docs.Select(d => d.Prompt).ToHashSet();
        Assert.DoesNotContain(task.Test, t => corpusPrompts.Contains(t.Prompt));
        // Nor the same problem in another presentation (Countdown: same numbers in another order).
        var testKeys = task.Test.Select(Key).ToHashSet();
        Assert.DoesNotContain(task.Train, t => testKeys.Contains(Key(t)));
        static string Key(PromptItem p) => p.Metadata.TryGetValue("numbers", out var n)
            ? string.Join(",", n.Split(',').Select(int.Parse).Order()) + ">" + p.Metadata["target"]
            : p.Prompt;
    }

    [Fact]
    public void Countdown_CorrectDocuments_PassTheVerifier_ErrorDocuments_DoNot()
    {
        var task = R1ZeroTasks.Create("countdown", 300, 50, seed: 4);
        var (docs, stats) = SyntheticCorpus.Build(task.Train, task.Writer, new CorpusOptions { Documents = 3000, ErrorRate = 0.5 }, seed: 4);
        var byPrompt = task.Train.ToDictionary(p => p.Prompt);
        foreach (var d in docs)
        {
            var item = byPrompt[d.Prompt];
            var score = task.Correctness.Score(new Aha.Rewards.RewardSample(d.Prompt, d.Completion, item.Answer, item.Metadata)).Value;
            Assert.Equal(d.AnswerCorrect, score >= 1);
        }
        Assert.InRange(stats.StepErrorRate, 0.45, 0.55);
    }

    [Fact]
    public void SelfCheck_WritesVerificationsAndCorrections_AsDerivedByHand()
    {
        var problem = new PromptItem("x", "7+5-3+4=", "13");
        // Every writer checks (CheckRate 1) and every subtraction is first written as an addition (ErrorRate 1).
        // Caught (CatchRate 1): 7+5=12, recomputed 7+5=12; 12+3=15 is wrong, redone as 12-3=9; 9+4=13, recomputed.
        var o = new CorpusOptions { DirectAnswerRate = 0, CheckRate = 1, CatchRate = 1, ErrorRate = 1 };
        Assert.Equal("<think>7+5=12 check 7+5=12;12+3=15 wait 12-3=9;9+4=13 check 9+4=13</think><answer>13</answer>",
            new SelfCheckSolutions().Write(problem, new SeededRandom(0), o).Completion);
        // Missed (CatchRate 0): the check recomputes what was written (12+3=15), agrees, and the chain goes on from 15.
        var missed = new SelfCheckSolutions().Write(problem, new SeededRandom(0), o with { CatchRate = 0 });
        Assert.Equal("<think>7+5=12 check 7+5=12;12+3=15 check 12+3=15;15+4=19 check 15+4=19</think><answer>19</answer>", missed.Completion);
        Assert.False(missed.AnswerCorrect);
        // Plain writers never check: 7+5=12;12+3=15;15+4=19.
        Assert.Equal("<think>7+5=12;12+3=15;15+4=19</think><answer>19</answer>",
            new SelfCheckSolutions().Write(problem, new SeededRandom(0), o with { CheckRate = 0 }).Completion);
        // Negative values: 2-5-6+1 → 2-5=-3, -3-6=-9, -9+1=-8, each recomputed.
        Assert.Equal("<think>2-5=-3 check 2-5=-3;-3-6=-9 check -3-6=-9;-9+1=-8 check -9+1=-8</think><answer>-8</answer>",
            new SelfCheckSolutions().Write(new PromptItem("y", "2-5-6+1=", "-8"), new SeededRandom(0), o with { ErrorRate = 0 }).Completion);
    }

    [Fact]
    public void SelfCheck_CheckingDocuments_AreRare_RightMoreOften_AndLonger()
    {
        var task = R1ZeroTasks.Create("selfcheck", 3000, 200, seed: 8);
        var (docs, stats) = SyntheticCorpus.Build(task.Train, task.Writer, new CorpusOptions { Documents = 20_000 }, seed: 8);
        var answers = task.Train.ToDictionary(p => p.Prompt, p => p.Answer);
        foreach (var d in docs)   // the stored verdict is the written answer against the task's own answer
            Assert.Equal(d.AnswerCorrect, d.Completion[(d.Completion.LastIndexOf("<answer>") + 8)..d.Completion.LastIndexOf("</answer>")] == answers[d.Prompt]);
        var think = docs.Where(d => d.Kind != "direct").ToList();
        var checking = think.Where(d => ReflectionDetector.Reflects(d.Completion)).ToList();
        var plain = think.Where(d => !ReflectionDetector.Reflects(d.Completion)).ToList();
        Assert.Equal(checking.Count, docs.Count(d => d.Kind == "checked"));
        Assert.InRange((double)checking.Count / think.Count, 0.07, 0.09);           // CheckRate 0.08 ± ~3σ (n ≈ 17,000)
        Assert.Equal((double)checking.Count / docs.Count, stats.CheckingShare, 12);
        double rightChecking = checking.Average(d => d.AnswerCorrect ? 1.0 : 0.0), rightPlain = plain.Average(d => d.AnswerCorrect ? 1.0 : 0.0);
        Assert.True(rightChecking > 0.7 && rightPlain < 0.2, $"checking {rightChecking:P0}, plain {rightPlain:P0}");
        Assert.True(checking.Average(d => d.Completion.Length) > 1.5 * plain.Average(d => d.Completion.Length));
        // Problems: start 10–29, three numbers 1–9, no intermediate value below zero (recomputed left to right).
        foreach (var p in task.Train.Concat(task.Test))
        {
            var (numbers, ops) = ArithmeticSolutions.Parse(p.Prompt.TrimEnd('='));
            Assert.Equal(4, numbers.Length);
            Assert.InRange(numbers[0], 10, 29);
            long v = numbers[0];
            for (int i = 0; i < 3; i++) { Assert.InRange(numbers[i + 1], 1, 9); v = ops[i] == '+' ? v + numbers[i + 1] : v - numbers[i + 1]; Assert.True(v >= 0, p.Prompt); }
            Assert.Equal(v.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Answer);
        }
        Assert.InRange(stats.StepErrorRate, 0.88, 0.92);                               // default first-attempt error 0.9
    }

    [Fact]
    public void Corpus_IsAFunctionOfTheSeed()
    {
        var a = SyntheticCorpus.Build(Arithmetic.Train, Arithmetic.Writer, new CorpusOptions { Documents = 500 }, seed: 5).Documents;
        var b = SyntheticCorpus.Build(Arithmetic.Train, Arithmetic.Writer, new CorpusOptions { Documents = 500 }, seed: 5).Documents;
        var c = SyntheticCorpus.Build(Arithmetic.Train, Arithmetic.Writer, new CorpusOptions { Documents = 500 }, seed: 6).Documents;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void InvalidCorpusOptions_ListEveryProblem()
    {
        var e = Assert.Throws<Aha.Configuration.ConfigException>(() => new CorpusOptions { Documents = 0, ErrorRate = 1.5 }.Validate());
        Assert.Equal(["documents", "error_rate"], e.Errors.Select(x => x.KeyPath));
        Assert.Equal([0, 1.5], e.Errors.Select(x => System.Convert.ToDouble(x.Value)));
    }
}
