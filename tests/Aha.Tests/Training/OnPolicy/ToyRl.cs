using Aha.Algorithms;
using Aha.Data;
using Aha.Generation;
using Aha.Models;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.Tests.Training.OnPolicy;

/// <summary>
/// A toy RL task for a tiny random model: the character tokenizer has 8 added tokens + 22 letters + 10 digits = 40
/// ids (the tiny model's vocabulary), and the reward is 1 when the completion starts with a digit (≈ 10/40 of the
/// mass of a random model), so any working policy gradient learns it within a few dozen small steps.
/// </summary>
internal static class ToyRl
{
    public const string Alphabet = "abcdefghijklmnopqrstuv0123456789";

    public static CharTokenizer Tokenizer() => CharTokenizer.Create(Alphabet);

    public static IReadOnlyList<PromptItem> Prompts { get; } =
        new[] { "ab", "cd", "ef", "gh", "ij", "kl", "mn", "op" }.Select((p, i) => new PromptItem($"p{i}", p, "digit")).ToList();

    public static IRewardFunction StartsWithDigit { get; } =
        new DelegateReward("correct", s => s.Completion.Length > 0 && char.IsDigit(s.Completion[0]) ? 1.0 : 0.0);

    public static CausalLM Policy(long seed = 1) => TinyModels.Build(TinyModels.Qwen2(), seed);

    public static ScalarHeadModel Critic(long seed = 2)
    {
        var critic = new ScalarHeadModel(TinyModels.Qwen2());
        WeightInit.Initialize(critic, 0.2, seed);
        return critic;
    }

    /// <summary>Small and fast: 4 prompts × G = 8 per step, 4 new tokens, a learning rate for a random tiny model.</summary>
    public static OnPolicyConfig Config(string preset) => new()
    {
        Preset = preset, NumGenerations = 8, PromptsPerStep = 4, MaxNewTokens = 4, LearningRate = 3e-3,
        CriticLearningRate = 3e-3, Seed = 7, AccuracyReward = "correct",
    };

    /// <summary>A trainer on fresh models (same seeds → same initial weights) and a fresh prompt source.</summary>
    public static Run Start(OnPolicyConfig config, IRewardFunction? reward = null, IRolloutEngine? engine = null,
        Func<CausalLM, IRolloutEngine>? engineFor = null, RolloutSchedule? schedule = null)
    {
        var policy = Policy();
        engine ??= engineFor?.Invoke(policy);
        var critic = config.ResolveAlgorithm().NeedsCritic ? Critic() : null;
        var observer = new RecordingObserver();
        var scorer = new RewardScorer([new WeightedReward(reward ?? StartsWithDigit)], new RewardScorerOptions { MaxDegreeOfParallelism = 2 });
        var trainer = new OnPolicyTrainer(config, policy, Tokenizer(), scorer, new ShuffledPromptSource(Prompts, seed: 3),
            critic, engine, observer, schedule: schedule);
        return new Run(trainer, policy, critic, observer);
    }
}

internal sealed record Run(OnPolicyTrainer Trainer, CausalLM Policy, ScalarHeadModel? Critic, RecordingObserver Observer) : IDisposable
{
    public void Dispose()
    {
        Trainer.Dispose();
        Policy.Dispose();
        Critic?.Dispose();
    }
}

/// <summary>Keeps everything the trainer reports.</summary>
internal sealed class RecordingObserver : ITrainingObserver
{
    public List<(int Step, IReadOnlyDictionary<string, double> Metrics)> Steps { get; } = [];
    public List<(int Step, IReadOnlyList<SampleRecord> Samples)> Samples { get; } = [];
    public List<(TrainingMessageLevel Level, string Text)> Messages { get; } = [];

    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics) => Steps.Add((step, metrics));
    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) => Samples.Add((step, samples));
    public void OnMessage(TrainingMessageLevel level, string text) => Messages.Add((level, text));
}

/// <summary>Returns scripted completions: row i of each call gets script[i % script.Count].</summary>
internal sealed class ScriptedEngine(IReadOnlyList<(int[] Tokens, FinishReason Finish)> script) : IRolloutEngine
{
    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling) =>
        prompts.Select((p, i) =>
        {
            var (tokens, finish) = script[i % script.Count];
            return new Completion(p, tokens, new float[tokens.Length], finish);
        }).ToList();
}

/// <summary>The local engine on the policy, with every reported log-prob shifted by <paramref name="shift"/> (a mismatched rollout engine).</summary>
internal sealed class ShiftedEngine(CausalLM policy, float shift) : IRolloutEngine
{
    readonly LocalRolloutEngine _inner = new(policy, ToyRl.Tokenizer());

    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling) =>
        _inner.Generate(prompts, sampling).Select(c => c with { LogProbs = c.LogProbs.Select(x => x + shift).ToArray() }).ToList();
}
