using Aha.Checkpoints;
using Aha.Data;
using Aha.Evaluation;
using Aha.Generation;
using Aha.Models;
using Aha.R1Zero;
using Aha.Rewards;
using Aha.Tests.Cli;
using Aha.Tokenization;
using Aha.Training.Runs;

namespace Aha.Tests.R1Zero;

/// <summary>
/// The test-time-compute stage with a scripted "base model": its samples of a problem are right (with a think block)
/// or wrong (a bare answer off by one) in a fixed pattern, so the pairs it gives and what a reward model can learn from
/// them are known by hand.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ComputeScalingStageTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly CharTokenizer Tokenizer = CharTokenizer.Create("0123456789+=<>/abcdehiknrstw");

    /// <summary>Sample i of a problem is right when i % 4 ∈ {0, 1} (half of them), else wrong; the greedy completion is right.</summary>
    sealed class PatternEngine(ITokenizer tokenizer, Func<int, bool>? right = null) : IRolloutEngine
    {
        readonly Func<int, bool> _right = right ?? (i => i % 4 < 2);

        public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling) =>
            prompts.Select((p, row) =>
            {
                var prompt = tokenizer.Decode(p);
                long a = long.Parse(prompt[..prompt.IndexOf('+')]), b = long.Parse(prompt[(prompt.IndexOf('+') + 1)..^1]);
                // The evaluator asks for a problem's K samples as consecutive rows; the row index within a batch is enough
                // to alternate right and wrong the same way for every problem when K divides the batch size.
                bool isRight = sampling.Temperature == 0 || _right(row);
                var text = isRight ? $"<think>{a}+{b}</think><answer>{a + b}</answer>" : $"<answer>{a + b + 1}</answer>";
                var ids = tokenizer.Encode(text).ToArray();
                return new Completion(p, ids, new float[ids.Length], FinishReason.Eos);
            }).ToList();
    }

    static List<PromptItem> Problems(int count, int offset) =>
        Enumerable.Range(offset, count).Select(i => new PromptItem($"p{i}", $"{i % 7 + 1}+{i % 5 + 2}=", $"{i % 7 + 1 + i % 5 + 2}")).ToList();

    static R1ZeroEvaluation Evaluation(IRolloutEngine engine) =>
        new(engine, Tokenizer, new MathReward(), null, new EvaluationOptions { K = 4, MaxNewTokens = 32, BatchSize = 64, Temperature = 1 });

    static R1ZeroScalingSection Config => new()
    {
        Samples = 8, HeldoutProblems = 6,
        RewardModel = new R1ZeroRewardModelSection { TrainProblems = 12, SamplesPerProblem = 4, PairsPerProblem = 3, Epochs = 10, BatchSize = 8, LearningRate = 3e-3 },
    };

    static ScalarHeadModel BaseWithHead()
    {
        var model = new ScalarHeadModel(TinyModels.Qwen2() with { VocabSize = Tokenizer.VocabSize });
        WeightInit.Initialize(model, 0.02, seed: 5);
        return model;
    }

    [Fact]
    public void RewardModel_LearnsTheBaseModelsOwnVerifiedPairs_AndRanksHeldOutSamples()
    {
        var evaluation = Evaluation(new PatternEngine(Tokenizer));
        string? savedInfo = null;
        var saved = _dir["reward_model"];
        using var stage = ComputeScalingStage.Train(evaluation, Problems(20, 0), BaseWithHead(), Tokenizer, Config, seed: 0,
            (model, info) => { HfCheckpoint.Save(model, model.Config, saved); Tokenizer.Save(saved); File.WriteAllText(Path.Combine(saved, ComputeScalingStage.InfoFile), info); savedInfo = info; },
            _ => { });

        // 12 training problems (train_problems caps the 20), each with 2 right and 2 wrong samples of its 4:
        // min(pairs_per_problem 3, max(2, 2)) = 2 pairs each.
        Assert.Equal(12 * 2, stage.Pairs);
        Assert.Equal(RewardModelScorer.ScorerName, stage.ScorerName);
        Assert.Equal(24, System.Text.Json.Nodes.JsonNode.Parse(savedInfo!)!["pairs"]!.GetValue<int>());

        // Held-out problems (never sampled for the reward model): 8 samples each, 4 right.
        var curve = stage.Measure(evaluation, Problems(10, 100), "base", seed: 0);
        var report = curve.Report;
        Assert.Equal(6, report.ProblemCount);                       // heldout_problems caps the 10
        Assert.Equal([1, 2, 4, 8], report.Scaling.Select(p => p.N));
        Assert.Equal(0.5, report.Scaling[0].PassAtN, 12);           // sampled pass@1: half the samples are right
        Assert.True(report.ScorerPairAccuracy > 0.95, $"held-out pair accuracy {report.ScorerPairAccuracy}");
        // A reward model that ranks every right sample first makes best-of-N the oracle: 1 − C(4, N)/C(8, N).
        Assert.True(report.Scaling[^1].BestOfN > 0.95, $"best-of-8 {report.Scaling[^1].BestOfN}");
        Assert.True(report.Scaling[1].BestOfN > report.Scaling[0].BestOfN + 0.2, "best-of-2 should beat one sample");

        // A resumed run loads the saved reward model: the same ranking, without training again.
        using var loaded = ComputeScalingStage.Load(saved, Config, TorchSharp.torch.CPU, _ => { });
        Assert.Equal(24, loaded.Pairs);
        var again = loaded.Measure(evaluation, Problems(10, 100), "base", seed: 0).Report;
        Assert.Equal(report.Problems.SelectMany(p => p.SampledCompletions.Select(c => c.Score!.Value)),
            again.Problems.SelectMany(p => p.SampledCompletions.Select(c => c.Score!.Value)), new ToleranceComparer(1e-5));
    }

    [Fact]
    public void BaseSamplesThatAreAllRight_GiveNoPair_AndBestOfNFallsBackToTheVerifier()
    {
        var evaluation = Evaluation(new PatternEngine(Tokenizer, _ => true));
        var messages = new List<string>();
        var model = BaseWithHead();
        using var stage = ComputeScalingStage.Train(evaluation, Problems(20, 0), model, Tokenizer, Config, seed: 0,
            (_, _) => throw new InvalidOperationException("nothing to save without pairs"), messages.Add);
        Assert.Equal(0, stage.Pairs);
        Assert.Equal(Evaluator.VerifierScorer, stage.ScorerName);
        Assert.Contains(messages, m => m.Contains("no right/wrong pair"));
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
