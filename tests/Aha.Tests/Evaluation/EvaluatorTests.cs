using Aha.Data;
using Aha.Evaluation;
using Aha.Generation;
using Aha.Rewards;
using Aha.Tokenization;

namespace Aha.Tests.Evaluation;

public sealed class EvaluatorTests
{
    [Theory]
    [InlineData(8, 2, 1, 0.25)]         // k = 1: c / n
    [InlineData(8, 2, 8, 1.0)]          // all samples drawn: any correct → 1
    [InlineData(5, 2, 2, 0.7)]          // 1 − C(3,2)/C(5,2) = 1 − 3/10
    [InlineData(4, 0, 2, 0.0)]
    [InlineData(10, 3, 4, 1 - 35.0 / 210)] // 1 − C(7,4)/C(10,4) = 1 − 35/210
    public void PassAtK_IsTheUnbiasedEstimator(int n, int c, int k, double expected)
        => Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Majority_PrefersMostFrequent_ThenFirstSeen_IgnoresMissing()
    {
        Assert.Equal("7", PassAtK.MajorityAnswer(["3", null, "7", "7", null, null]));
        Assert.Equal("3", PassAtK.MajorityAnswer(["3", "7", "7", "3"]));
        Assert.Null(PassAtK.MajorityAnswer([null, null]));
    }

    /// <summary>Returns scripted completions in order, cycling, so the evaluation's arithmetic can be checked by hand.</summary>
    sealed class ScriptedEngine(ITokenizer tokenizer, Func<SamplingParams, int, string> script) : IRolloutEngine
    {
        int _greedy, _sampled;
        public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
            => prompts.Select(p =>
            {
                var text = script(sampling, sampling.Temperature == 0 ? _greedy++ : _sampled++);
                var ids = tokenizer.Encode(text).ToArray();
                return new Completion(p, ids, new float[ids.Length], FinishReason.Eos);
            }).ToList();
    }

    [Fact]
    public void Report_CountsGreedySampledMajorityAndFormat()
    {
        var tokenizer = CharTokenizer.Create("0123456789+-= ");
        PromptItem[] problems = [new("a", "1+1=", "2"), new("b", "2+2=", "4")];
        // Greedy: problem a right with format, problem b wrong without think.
        string[] greedy = ["<think>1 1</think><answer>2</answer>", "<answer>5</answer>"];
        // Samples (K = 4): a → 2,2,3,- (2 correct, majority 2); b → 5,4,5,4 (2 correct, majority 5: first seen wins the tie)
        string[] sampled =
        [
            "<think>1</think><answer>2</answer>", "<answer>2</answer>", "<think>1</think><answer>3</answer>", "<think>1</think>",
            "<answer>5</answer>", "<think>2</think><answer>4</answer>", "<answer>5</answer>", "<think>2</think><answer>4</answer>",
        ];
        var engine = new ScriptedEngine(tokenizer, (s, i) => s.Temperature == 0 ? greedy[i] : sampled[i]);
        var format = new FormatReward();
        var report = new Evaluator(engine, tokenizer, new MathReward(), c => format.Check(c).Ok)
            .Run(problems, new EvaluationOptions { K = 4, BatchSize = 3 });

        Assert.Equal(0.5, report.GreedyPass1, 12);              // a right, b wrong
        Assert.Equal((2 / 4.0 + 2 / 4.0) / 2, report.SampledPass1, 12);
        Assert.Equal(1.0, report.PassAtK, 12);                  // each problem has a correct sample among its 4
        Assert.Equal(0.5, report.MajAtK, 12);                   // a: majority 2 ✓; b: majority 5 ✗
        Assert.Equal(0.5, report.FormatRate, 12);               // only a's greedy completion has <think>…</think><answer>
        Assert.Equal(4 / 8.0, report.SampledFormatRate, 12);    // samples with think + answer: a0, a2, b1, b3
        Assert.Equal((tokenizer.Encode(greedy[0]).Count + tokenizer.Encode(greedy[1]).Count) / 2.0, report.MeanCompletionLength, 12);
        Assert.Equal("2", report.Problems[0].GreedyExtracted);
    }

    /// <summary>Scores each problem's samples with a fixed list chosen by the test.</summary>
    sealed class StubScorer(Dictionary<string, double[]> scores) : ISampleScorer
    {
        public string Name => "stub";
        public IReadOnlyList<double> Score(PromptItem problem, IReadOnlyList<SampledCompletion> completions) => scores[problem.Id];
    }

    [Fact]
    public void BestOfK_TakesTheTopScoredSample_AndTheScalingTableEndsAtK()
    {
        var tokenizer = CharTokenizer.Create("0123456789+-= ");
        PromptItem[] problems = [new("a", "1+1=", "2"), new("b", "2+2=", "4")];
        // a → 2, 2, 3, (none): correct, correct, wrong, wrong;  b → 5, 4, 5, 4: wrong, correct, wrong, correct
        string[] sampled =
        [
            "<answer>2</answer>", "<answer>2</answer>", "<answer>3</answer>", "<think>1</think>",
            "<answer>5</answer>", "<answer>4</answer>", "<answer>5</answer>", "<answer>4</answer>",
        ];
        var engine = new ScriptedEngine(tokenizer, (s, i) => s.Temperature == 0 ? "<answer>0</answer>" : sampled[i]);
        // a: the stub puts the wrong "3" on top; b: the correct "4" (sample 3) on top
        var scorer = new StubScorer(new() { ["a"] = [0.1, 0.2, 0.9, 0.5], ["b"] = [0.3, 0.1, 0.2, 0.8] });
        var report = new Evaluator(engine, tokenizer, new MathReward(), _ => true, scorer: scorer)
            .Run(problems, new EvaluationOptions { K = 4, BatchSize = 8 });

        Assert.Equal("stub", report.Scorer);
        Assert.Equal(0.5, report.BestOfK!.Value, 12);                            // a ✗, b ✓
        Assert.Equal([0.1, 0.2, 0.9, 0.5], report.Problems[0].SampledCompletions.Select(c => c.Score!.Value).ToArray());
        Assert.Equal([1, 2, 4], report.Scaling.Select(p => p.N).ToArray());
        var atK = report.Scaling[^1];
        Assert.Equal((report.PassAtK, report.MajAtK, 0.5), (atK.PassAtN, atK.MajAtN, atK.BestOfN));
        // best-of-2 by hand. a: ranks 3(0.9 ✗) 4(0.5 ✗) 2(0.2 ✓) 1(0.1 ✓): only {1,2} picks a correct one → 1/6.
        // b: ranks 4(0.8 ✓) 1(0.3 ✗) 3(0.2 ✗) 2(0.1 ✓): the 3 pairs with sample 4 ✓; {1,2}, {1,3}, {2,3} pick 1 or 3 ✗ → 3/6.
        Assert.Equal((1 / 6.0 + 3 / 6.0) / 2, report.Scaling[1].BestOfN, 12);
    }

    [Fact]
    public void DefaultScorer_IsTheVerifier_SoBestOfKPicksAVerifiedSampleWhenThereIsOne()
    {
        var tokenizer = CharTokenizer.Create("0123456789+-= ");
        PromptItem[] problems = [new("a", "1+1=", "2")];
        string[] sampled = ["<answer>3</answer>", "<answer>5</answer>", "<answer>2</answer>"];
        var engine = new ScriptedEngine(tokenizer, (s, i) => s.Temperature == 0 ? "<answer>0</answer>" : sampled[i]);
        var report = new Evaluator(engine, tokenizer, new MathReward(), _ => true).Run(problems, new EvaluationOptions { K = 3 });
        Assert.Equal(Evaluator.VerifierScorer, report.Scorer);
        Assert.Equal(1.0, report.BestOfK!.Value, 12);
        Assert.Equal(0.0, report.MajAtK, 12);                                    // 3, 5, 2: a three-way tie goes to "3"
    }
}
