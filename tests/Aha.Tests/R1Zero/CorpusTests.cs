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
        var problem = new PromptItem("x", "9-5-3=", "1");
        // Every writer checks (CheckRate 1) and every first attempt at a subtraction slips to the sum (ErrorRate 1).
        // Caught (CatchRate 1): 9-5 written as 14, redone 9-5=4; 4-3 written as 7, redone 4-3=1; answer 1.
        var o = new CorpusOptions { FactRate = 0, DirectAnswerRate = 0, CheckRate = 1, CatchRate = 1, ErrorRate = 1 };
        var caught = new SelfCheckSolutions().Write(problem, new SeededRandom(0), o);
        Assert.Equal("<think>9-5=14 wait 9-5=4;4-3=7 wait 4-3=1</think><answer>1</answer>", caught.Completion);
        Assert.True(caught.AnswerCorrect);
        // Missed (CatchRate 0): the check copies what was written (9-5=14), agrees, and the chain goes on from 14: 14-3 → 17.
        var missed = new SelfCheckSolutions().Write(problem, new SeededRandom(0), o with { CatchRate = 0 });
        Assert.Equal("<think>9-5=14 check 9-5=14;14-3=17 check 14-3=17</think><answer>17</answer>", missed.Completion);
        Assert.False(missed.AnswerCorrect);
        // Plain writers never check: 9-5=14;14-3=17.
        Assert.Equal("<think>9-5=14;14-3=17</think><answer>17</answer>",
            new SelfCheckSolutions().Write(problem, new SeededRandom(0), o with { CheckRate = 0 }).Completion);
        // No slip (ErrorRate 0): each right step is recomputed and agrees.
        Assert.Equal("<think>9-5=4 check 9-5=4;4-3=1 check 4-3=1</think><answer>1</answer>",
            new SelfCheckSolutions().Write(problem, new SeededRandom(0), o with { ErrorRate = 0 }).Completion);
        // Additions never slip: 8+5=13 is checked, 13-3 written as 16 is caught and redone as 10.
        Assert.Equal("<think>8+5=13 check 8+5=13;13-3=16 wait 13-3=10</think><answer>10</answer>",
            new SelfCheckSolutions().Write(new PromptItem("y", "8+5-3=", "10"), new SeededRandom(0), o).Completion);
        // A fact (FactRate 1) is one step of the right chain under its own prompt: 9-5=4, or 4-3=1; never a slip.
        for (int seed = 0; seed < 20; seed++)
        {
            var fact = new SelfCheckSolutions().Write(problem, new SeededRandom(seed), o with { FactRate = 1 });
            Assert.Contains((fact.Prompt ?? "", fact.Completion), new[]
            {
                ("9-5=", "<think>9-5=4</think><answer>4</answer>"), ("4-3=", "<think>4-3=1</think><answer>1</answer>"),
            });
            Assert.True(fact.AnswerCorrect);
        }
    }

    [Fact]
    public void SelfCheck_ProblemSpace_IsEveryThreeDigitChainWithASubtraction_AndNoNegativeStep()
    {
        // By hand, over digits a, b, c in 0–9: a+b-c needs c ≤ a+b — 1000 minus Σ_{s=0..8} (s+1)(9-s) = 165 → 835;
        // a-b+c needs b ≤ a — 55 pairs × 10 → 550; a-b-c needs b+c ≤ a — Σ_{a=0..9} (a+1)(a+2)/2 = C(12,3) = 220.
        // a+b+c has no subtraction and is not a problem: 835 + 550 + 220 = 1605.
        Assert.Equal(1605, R1ZeroTasks.DistinctProblems("selfcheck"));
        var task = R1ZeroTasks.Create("selfcheck", 5000, 500, seed: 2);
        Assert.Equal((1105, 500), (task.Train.Count, task.Test.Count));   // the train set is what the test set leaves
        foreach (var p in task.Train.Concat(task.Test))
        {
            var (numbers, ops) = ArithmeticSolutions.Parse(p.Prompt.TrimEnd('='));
            Assert.Equal(3, numbers.Length);
            Assert.Contains('-', ops);
            long v = numbers[0];
            Assert.InRange(v, 0, 9);
            for (int i = 0; i < 2; i++) { Assert.InRange(numbers[i + 1], 0, 9); v = ops[i] == '+' ? v + numbers[i + 1] : v - numbers[i + 1]; Assert.True(v >= 0, p.Prompt); }
            Assert.Equal(v.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Answer);
        }
    }

    [Fact]
    public void SelfCheck_CheckingDocuments_AreRare_RightMoreOften_Longer_AndTheirChecksAreRight()
    {
        var task = R1ZeroTasks.Create("selfcheck", 3000, 200, seed: 8);
        var (docs, stats) = SyntheticCorpus.Build(task.Train, task.Writer, new CorpusOptions { Documents = 20_000 }, seed: 8);
        var answers = task.Train.ToDictionary(p => p.Prompt, p => p.Answer);
        foreach (var d in docs.Where(d => d.Kind != "fact"))   // the stored verdict is the written answer against the task's own answer
            Assert.Equal(d.AnswerCorrect, d.Completion[(d.Completion.LastIndexOf("<answer>") + 8)..d.Completion.LastIndexOf("</answer>")] == answers[d.Prompt]);
        var facts = docs.Where(d => d.Kind == "fact").ToList();
        Assert.InRange((double)facts.Count / docs.Count, 0.24, 0.26);               // FactRate 0.25 ± ~3σ (σ ≈ 0.003, n = 20,000)
        foreach (var f in facts)                                                    // one right step of a training problem's chain
        {
            var (numbers, ops) = ArithmeticSolutions.Parse(f.Prompt.TrimEnd('='));
            long value = ops[0] == '+' ? numbers[0] + numbers[1] : numbers[0] - numbers[1];
            Assert.Equal($"<think>{f.Prompt}{value}</think><answer>{value}</answer>", f.Completion);
        }
        var think = docs.Where(d => d.Kind is not ("direct" or "fact")).ToList();   // the chains
        var checking = think.Where(d => ReflectionDetector.Reflects(d.Completion)).ToList();
        var plain = think.Where(d => !ReflectionDetector.Reflects(d.Completion)).ToList();
        Assert.Equal(checking.Count, docs.Count(d => d.Kind == "checked"));
        Assert.InRange((double)checking.Count / think.Count, 0.072, 0.088);         // CheckRate 0.08 ± ~3σ (σ ≈ 0.0024, n ≈ 12,750)
        Assert.Equal((double)checking.Count / docs.Count, stats.CheckingShare, 12);
        double rightChecking = checking.Average(d => d.AnswerCorrect ? 1.0 : 0.0), rightPlain = plain.Average(d => d.AnswerCorrect ? 1.0 : 0.0);
        Assert.True(rightChecking > 0.8 && rightPlain < 0.2, $"checking {rightChecking:P0}, plain {rightPlain:P0}");
        // Each checked step adds " check a+b=c" or " wait a-b=c" (≈ 11 characters) to a ≈ 47-character plain completion: ≈ 1.5×.
        Assert.True(checking.Average(d => d.Completion.Length) > 1.4 * plain.Average(d => d.Completion.Length));
        foreach (var d in checking) AssertChecksAreRight(d.Prompt, d.Completion);
        Assert.InRange(stats.StepErrorRate, 0.985, 0.995);                             // default first-attempt slip 0.99 (σ ≈ 0.0008)
    }

    /// <summary>
    /// Reads a checking document step by step, independently of the writer: each step uses the prompt's operator and
    /// number in turn and starts from the value the previous step ended on; a "check" copies the step; a "wait" follows
    /// a wrong step and redoes it right; the answer is the last value.
    /// </summary>
    static void AssertChecksAreRight(string prompt, string completion)
    {
        var (numbers, ops) = ArithmeticSolutions.Parse(prompt.TrimEnd('='));
        var body = completion[(completion.IndexOf("<think>") + 7)..completion.IndexOf("</think>")];
        var segments = body.Split(';');
        Assert.Equal(ops.Length, segments.Length);
        long value = numbers[0];
        for (int i = 0; i < segments.Length; i++)
        {
            bool wait = segments[i].Contains(" wait ");
            var parts = segments[i].Split(wait ? " wait " : " check ");
            Assert.Equal(2, parts.Length);
            var first = ParseStep(parts[0]);
            var second = ParseStep(parts[1]);
            Assert.Equal((value, ops[i], numbers[i + 1]), (first.A, first.Op, first.B));
            Assert.Equal((first.A, first.Op, first.B), (second.A, second.Op, second.B));
            long right = ops[i] == '+' ? value + numbers[i + 1] : value - numbers[i + 1];
            if (wait)
            {
                Assert.NotEqual(right, first.Result);                                 // a correction follows a wrong step
                Assert.Equal(right, second.Result);                                   // and writes the right value
            }
            else Assert.Equal(first.Result, second.Result);                           // a check copies the step
            value = second.Result;
        }
        Assert.EndsWith($"<answer>{value}</answer>", completion);
    }

    static (long A, char Op, long B, long Result) ParseStep(string step)
    {
        var (numbers, ops) = ArithmeticSolutions.Parse(step[..step.IndexOf('=')]);
        return (numbers[0], ops[0], numbers[1], long.Parse(step[(step.IndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
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
