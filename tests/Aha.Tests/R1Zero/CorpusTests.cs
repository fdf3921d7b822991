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
        var e = Assert.Throws<ArgumentException>(() => new CorpusOptions { Documents = 0, ErrorRate = 1.5 }.Validate());
        Assert.Contains("documents", e.Message);
        Assert.Contains("error_rate", e.Message);
    }
}
