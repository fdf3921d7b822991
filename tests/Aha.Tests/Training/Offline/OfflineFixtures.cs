using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Tracking;

namespace Aha.Tests.Training.Offline;

/// <summary>Tiny models, a character tokenizer and synthetic data with learnable rules for the offline trainers.</summary>
internal static class OfflineFixtures
{
    public static readonly CharTokenizer Tokenizer = CharTokenizer.Create("abcdefghijklmnopqrstuvwxyz\n =0123456789");

    public static ModelConfig Config => TinyModels.Qwen2() with { VocabSize = Tokenizer.VocabSize };

    public static CausalLM Policy(long seed = 1) => TinyModels.Build(Config, seed);

    public static ScalarHeadModel RewardModel(long seed = 1)
    {
        var model = new ScalarHeadModel(Config);
        WeightInit.Initialize(model, 0.2, seed);
        return model;
    }

    static string Letters(SeededRandom rng, int n, string from = "abcd") =>
        new(Enumerable.Range(0, n).Select(_ => from[rng.Next(from.Length)]).ToArray());

    /// <summary>Prompt "abc=" → completion: the prompt's first letter three times ("aaa").</summary>
    public static List<SftExample> CopyTask(int n, long seed)
    {
        var rng = new SeededRandom(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var p = Letters(rng, 3);
            return SftExample.Text($"c{i}", p + "=", new string(p[0], 3));
        }).ToList();
    }

    /// <summary>Chosen completions contain an "x" (at a random place); rejected ones are letters from "abcd" only.</summary>
    public static List<PreferenceExample> ContainsXRule(int n, long seed)
    {
        var rng = new SeededRandom(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var chosen = Letters(rng, 3).ToCharArray();
            chosen[rng.Next(3)] = 'x';
            return new PreferenceExample($"p{i}", TextOrMessages.FromText(Letters(rng, 3) + "="),
                TextOrMessages.FromText(new string(chosen)), TextOrMessages.FromText(Letters(rng, 3)));
        }).ToList();
    }

    /// <summary>Chosen completions start with "x", rejected ones with "y"; the rest is random.</summary>
    public static List<PreferenceExample> StartsWithXRule(int n, long seed)
    {
        var rng = new SeededRandom(seed);
        return Enumerable.Range(0, n).Select(i =>
            new PreferenceExample($"d{i}", TextOrMessages.FromText(Letters(rng, 3) + "="),
                TextOrMessages.FromText("x" + Letters(rng, 2)), TextOrMessages.FromText("y" + Letters(rng, 2)))).ToList();
    }
}

/// <summary>Keeps everything a trainer reports.</summary>
internal sealed class RecordingObserver : ITrainingObserver
{
    public List<(int Step, IReadOnlyDictionary<string, double> Metrics)> Steps { get; } = [];
    public List<(int Step, IReadOnlyList<SampleRecord> Samples)> Samples { get; } = [];
    public List<(TrainingMessageLevel Level, string Text)> Messages { get; } = [];

    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics) => Steps.Add((step, metrics));
    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) => Samples.Add((step, samples));
    public void OnMessage(TrainingMessageLevel level, string text) => Messages.Add((level, text));
}
