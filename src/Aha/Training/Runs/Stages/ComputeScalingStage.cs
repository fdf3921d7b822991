using System.Text.Json;
using Aha.Data;
using Aha.Evaluation;
using Aha.Models;
using Aha.R1Zero;
using Aha.Tokenization;
using Aha.Training.Offline;

namespace Aha.Training.Runs;

/// <summary>
/// Test-time compute before and after RL (Snell et al. 2024, arXiv:2408.03314), a stage of <see cref="R1ZeroRecipe"/>:
/// <list type="number">
/// <item>the base model samples training problems (never held-out ones), the task's verifier scores the samples, and
/// each problem with both right and wrong samples gives preference pairs, a right completion over a wrong one
/// (<see cref="VerifiedPairs"/>): the verifier's verdicts are the only labels;</item>
/// <item>an outcome reward model — the base model with a new scalar head — learns the pairs with the Bradley-Terry loss
/// (<see cref="RewardModelTrainer"/>);</item>
/// <item>a model (the base, later the RL-trained policy) draws N_max samples per held-out problem, and pass@N, maj@N and
/// best-of-N ranked by the reward model are read from them for N = 1, 2, 4, … (<see cref="ComputeScaling"/>).</item>
/// </list>
/// The same reward model ranks both models' samples, so their curves differ only in the policy.
/// </summary>
public sealed class ComputeScalingStage : IDisposable
{
    readonly R1ZeroScalingSection _config;
    readonly RewardModelScorer? _rewardModel; // null: best-of-N ranks by the verifier, the evaluator's default

    ComputeScalingStage(R1ZeroScalingSection config, RewardModelScorer? rewardModel, int pairs)
    {
        _config = config;
        _rewardModel = rewardModel;
        Pairs = pairs;
    }

    /// <summary>Preference pairs the reward model learned from (0: none could be made, best-of-N falls back to the verifier).</summary>
    public int Pairs { get; }

    /// <summary>What ranks best-of-N: <c>reward_model</c>, or <c>verifier</c> when the base's samples gave no pair.</summary>
    public string ScorerName => _rewardModel?.Name ?? Evaluator.VerifierScorer;

    /// <summary>
    /// Steps 1–2: samples <paramref name="train"/> with the base model behind <paramref name="evaluation"/> and trains
    /// <paramref name="rewardModel"/> (the base with a scalar head; owned from here on) on the pairs they give.
    /// </summary>
    /// <param name="save">Writes the trained reward model and <see cref="InfoFile"/>'s text into the run's <c>reward_model/</c>.</param>
    public static ComputeScalingStage Train(R1ZeroEvaluation evaluation, IReadOnlyList<PromptItem> train, ScalarHeadModel rewardModel, ITokenizer tokenizer,
        R1ZeroScalingSection config, long seed, Action<ScalarHeadModel, string> save, Action<string> say)
    {
        var rm = config.RewardModel;
        var problems = train.Take(rm.TrainProblems).ToList();
        var samples = evaluation.Run(problems, rm.SamplesPerProblem, SeededRandom.Derive(seed, "scaling/reward-model-samples"));
        var pairs = VerifiedPairs.From(samples, rm.PairsPerProblem);
        if (pairs.Count == 0)
        {
            rewardModel.Dispose();
            say($"test-time compute: the base model's {problems.Count * rm.SamplesPerProblem} samples of training problems gave no right/wrong pair; best-of-N ranks by the verifier");
            return new ComputeScalingStage(config, null, 0);
        }
        try
        {
            var result = new RewardModelTrainer(rewardModel, tokenizer, rm.Trainer(SeededRandom.Derive(seed, "scaling/reward-model"))).Train(pairs);
            save(rewardModel, JsonSerializer.Serialize(new RewardModelInfo(pairs.Count, problems.Count), R1ZeroSummary.Json) + "\n");
            say($"test-time compute: reward model trained on {pairs.Count} pairs from the base model's samples of {problems.Count} training problems " +
                $"({result.Steps} steps, last batch accuracy {result.LastMetrics.GetValueOrDefault("accuracy", double.NaN):P0})");
        }
        catch
        {
            rewardModel.Dispose();
            throw;
        }
        return new ComputeScalingStage(config, new RewardModelScorer(rewardModel, tokenizer), pairs.Count);
    }

    /// <summary>What the saved reward model learned from, beside its weights: a resumed run reports it without training again.</summary>
    public const string InfoFile = "reward_model.json";

    sealed record RewardModelInfo(int Pairs, int TrainProblems);

    /// <summary>The reward model a stopped run saved in <paramref name="dir"/> (steps 1–2 done).</summary>
    public static ComputeScalingStage Load(string dir, R1ZeroScalingSection config, TorchSharp.torch.Device device, Action<string> say)
    {
        var info = JsonSerializer.Deserialize<RewardModelInfo>(File.ReadAllText(Path.Combine(dir, InfoFile)), R1ZeroSummary.Json)
                   ?? throw new InvalidDataException($"{dir}/{InfoFile} is empty.");
        say($"test-time compute: reward model {dir} (saved by the run being resumed, {info.Pairs} pairs)");
        return new ComputeScalingStage(config, RewardModelScorer.Load(dir, device), info.Pairs);
    }

    /// <summary>Step 3 for the model behind <paramref name="evaluation"/>: its curve on the first held-out problems.</summary>
    public ScalingSeries Measure(R1ZeroEvaluation evaluation, IReadOnlyList<PromptItem> heldout, string label, long seed) =>
        new(label, evaluation.Run(heldout.Take(_config.HeldoutProblems).ToList(), _config.Samples, SeededRandom.Derive(seed, $"scaling/{label}"), _rewardModel));

    public void Dispose() => _rewardModel?.Dispose();
}
