using Aha.Data;
using Aha.Generation;
using Aha.Models;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using static Aha.Benchmarks.Statistics;

namespace Aha.Benchmarks;

/// <summary>What <see cref="RlStepBenchmark.Run"/> measures, at which shape.</summary>
public sealed record RlStepBenchmarkOptions
{
    /// <summary>Prompts, G, prompt tokens, max new tokens and the model (random weights; its vocabulary is set to the
    /// benchmark tokenizer's 1 024 ids). The default value is <see cref="RolloutShape.Gsm8kLike"/>.</summary>
    public RolloutShape Shape { get; init; } = RolloutShape.Gsm8kLike;

    /// <summary>Token ids that end a completion. A random policy meets one with p ≈ StopTokens / V per token, so
    /// completion lengths spread (geometric, mean ≈ V / StopTokens, cut at the maximum). The default value is 8.</summary>
    public int StopTokens { get; init; } = 8;

    /// <summary>Completions per optimiser step; two mini-batches make the trainer recompute π_old, as veRL always does. The default value is 32.</summary>
    public int MiniBatchSize { get; init; } = 32;

    /// <summary>Rows per micro-batch without packing. The default value is 8.</summary>
    public int MicroBatchSize { get; init; } = 8;

    /// <summary>Token budget per micro-batch with packing (<see cref="OnPolicyConfig.MicroBatchTokens"/>). The default value
    /// is 3 072, the slots of 8 rows of 128 + 256 tokens.</summary>
    public int MicroBatchTokens { get; init; } = 3072;

    /// <summary>Timed steps per variant, after one untimed; the variants alternate step by step. The default value is 2.</summary>
    public int Steps { get; init; } = 2;

    /// <summary>Also the two mixed variants (sharing without packing and the reverse). The default value is false.</summary>
    public bool AllVariants { get; init; }

    /// <summary>Shortest scripted completion in the packing comparison. The default value is 16.</summary>
    public int MinCompletionTokens { get; init; } = 16;

    public long Seed { get; init; } = 1;
}

/// <param name="Metrics">median over the timed steps of every timing_s/* and perf/* metric and the mean completion length.</param>
public sealed record RlStepVariantFigures(bool PrefixSharing, bool Packing, string MicroBatches, IReadOnlyDictionary<string, double> Metrics);

/// <param name="UsefulTokens">prompt + completion tokens of the batch (what both variants train on).</param>
/// <param name="PaddedUpdateActorSeconds">median timing_s/update_actor with micro-batches of rows, padded.</param>
/// <param name="PackedUpdateActorSeconds">the same with token-budget micro-batches, packed.</param>
/// <param name="PaddedUpdateSeconds">median timing_s/update (ref and π_old forwards, advantages, update) padded.</param>
public sealed record RlPackingFigures(
    int Rows, int PromptTokens, int MinCompletionTokens, int MaxCompletionTokens, int MicroBatchSize, int MicroBatchTokens,
    double UsefulTokens, double PaddedUpdateActorSeconds, double PackedUpdateActorSeconds, double PaddedUsefulTokensPerSecond,
    double PackedUsefulTokensPerSecond, double ActorSpeedup, double PaddedUpdateSeconds, double PackedUpdateSeconds, double UpdateSpeedup);

/// <param name="MatmulGflops">the ceiling perf/mfu divides by (<see cref="MatmulProbe.Ceiling"/>, measured once).</param>
/// <param name="Steps">a GRPO step phase by phase, per variant.</param>
/// <param name="Packing">the update alone at completion lengths uniform in [min, max new tokens] (scripted, no generation).</param>
public sealed record RlStepBenchmarkResult(
    long Parameters, int Prompts, int Generations, int PromptTokens, int MaxNewTokens, int TimedSteps, double MatmulGflops,
    IReadOnlyList<RlStepVariantFigures> Steps, RlPackingFigures Packing);

/// <summary>
/// <c>aha bench rl</c>: (1) one GRPO step (β = 0.04, so the reference runs; two mini-batches, so π_old is recomputed)
/// at a GSM8K-like shape on a random policy, phase by phase (the trainer's own timing_s/* and perf/* metrics), with
/// shared prompt prefill and packed token-budget micro-batches on and off; (2) the update alone on scripted
/// completions of lengths uniform in [16, 256], padded row micro-batches vs packed token-budget ones: useful tokens/s.
/// Prefix sharing changes only generation and packing only the trainer's forwards, so the two default variants (all on,
/// all off) show each lever in its own phases.
/// </summary>
public static class RlStepBenchmark
{
    public static RlStepBenchmarkResult Run(RlStepBenchmarkOptions o)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(o.Steps, 1);
        var shape = o.Shape;
        // one character per id: 8 control/added tokens + (V − 8) characters from the CJK block, none of which the added tokens contain
        var tokenizer = CharTokenizer.Create(new string(Enumerable.Range(0x4E00, shape.Model.VocabSize - 8).Select(c => (char)c).ToArray()));
        var model = shape.Model with
        {
            VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = Math.Max(shape.Model.MaxPositionEmbeddings, shape.PromptTokens + shape.NewTokens + 8),
        };
        var random = new Random((int)o.Seed);
        var prompts = Enumerable.Range(0, 4 * shape.DistinctPrompts).Select(i => new PromptItem($"p{i}",
            new string(Enumerable.Range(0, shape.PromptTokens).Select(_ => (char)(0x4E00 + random.Next(o.StopTokens, tokenizer.VocabSize - 8))).ToArray()), null)).ToList();
        var stops = Enumerable.Range(0, o.StopTokens).Select(i => tokenizer.Encode(((char)(0x4E00 + i)).ToString())[0]).ToArray();
        var config = new OnPolicyConfig
        {
            Preset = "grpo", NumGenerations = shape.Generations, PromptsPerStep = shape.DistinctPrompts, MaxNewTokens = shape.NewTokens,
            LearningRate = 1e-6, Seed = o.Seed, StopTokenIds = stops, MiniBatchSize = o.MiniBatchSize,
        };
        OnPolicyConfig Micro(bool packing) => packing
            ? config with { Packing = true, MicroBatchTokens = o.MicroBatchTokens }
            : config with { MicroBatchSize = o.MicroBatchSize };

        (bool Share, bool Pack)[] variants = o.AllVariants ? [(true, true), (false, false), (true, false), (false, true)] : [(true, true), (false, false)];
        var runs = variants.Select(v => new Trainee(model, tokenizer, Micro(v.Pack), prompts, o.Seed,
            policy => new PrefillEngine(new LocalRolloutEngine(policy, tokenizer), v.Share))).ToList();
        var steps = Alternate(runs, o.Steps);
        var figures = variants.Select((v, i) => new RlStepVariantFigures(v.Share, v.Pack,
            v.Pack ? $"{o.MicroBatchTokens} tokens, packed" : $"{o.MicroBatchSize} rows, padded", Medians(steps[i]))).ToList();
        foreach (var run in runs) run.Dispose();

        // the update alone: scripted completions, so both sides train on exactly the same tokens
        var scripted = new[] { false, true }.Select(pack => new Trainee(model, tokenizer, Micro(pack), prompts, o.Seed,
            _ => new UniformLengthEngine(o.MinCompletionTokens, shape.NewTokens, model.VocabSize, o.Seed))).ToList();
        var packingSteps = Alternate(scripted, o.Steps);
        foreach (var run in scripted) run.Dispose();
        double useful = Median(packingSteps[0].Select(m => m[MetricNames.Throughput] * m[MetricNames.TimingStep]));
        double paddedActor = Median(packingSteps[0].Select(m => m[MetricNames.TimingUpdateActor]));
        double packedActor = Median(packingSteps[1].Select(m => m[MetricNames.TimingUpdateActor]));
        double paddedUpdate = Median(packingSteps[0].Select(m => m[MetricNames.TimingUpdate]));
        double packedUpdate = Median(packingSteps[1].Select(m => m[MetricNames.TimingUpdate]));
        var packing = new RlPackingFigures(shape.DistinctPrompts * shape.Generations, shape.PromptTokens, o.MinCompletionTokens, shape.NewTokens,
            o.MicroBatchSize, o.MicroBatchTokens, useful, paddedActor, packedActor, useful / paddedActor, useful / packedActor,
            paddedActor / packedActor, paddedUpdate, packedUpdate, paddedUpdate / packedUpdate);

        return new RlStepBenchmarkResult(model.ParameterCount(), shape.DistinctPrompts, shape.Generations, shape.PromptTokens, shape.NewTokens,
            o.Steps, MatmulProbe.Ceiling, figures, packing);
    }

    /// <summary>One untimed step each, then <paramref name="steps"/> timed ones, alternating run by run; the timed steps' metrics per run.</summary>
    static List<IReadOnlyDictionary<string, double>>[] Alternate(IReadOnlyList<Trainee> runs, int steps)
    {
        var timed = runs.Select(_ => new List<IReadOnlyDictionary<string, double>>()).ToArray();
        for (int s = 0; s <= steps; s++)
            for (int r = 0; r < runs.Count; r++)
            {
                var metrics = runs[r].Trainer.Step();
                if (s > 0) timed[r].Add(metrics);
            }
        return timed;
    }

    static Dictionary<string, double> Medians(IReadOnlyList<IReadOnlyDictionary<string, double>> steps) =>
        steps[0].Keys.Where(k => k.StartsWith("timing_s/", StringComparison.Ordinal) || k.StartsWith("perf/", StringComparison.Ordinal) || k == MetricNames.CompletionLenMean)
            .Order(StringComparer.Ordinal).ToDictionary(k => k, k => Median(steps.Select(m => m[k])));


    /// <summary>A fresh random policy (same seed for every variant) and its GRPO trainer.</summary>
    sealed class Trainee : IDisposable
    {
        readonly CausalLM _policy;

        public Trainee(ModelConfig model, ITokenizer tokenizer, OnPolicyConfig config, IReadOnlyList<PromptItem> prompts, long seed,
            Func<CausalLM, IRolloutEngine> engine)
        {
            _policy = new CausalLM(model);
            WeightInit.Initialize(_policy, model.InitializerRange, seed);
            // a reward with spread in every group, so every group carries signal
            var reward = new DelegateReward("length", s => s.Completion.Length / (double)config.MaxNewTokens);
            Trainer = new OnPolicyTrainer(config, _policy, tokenizer, new RewardScorer(reward), new ShuffledPromptSource(prompts, seed),
                engine: engine(_policy), observer: NullTrainingObserver.Instance);
        }

        public OnPolicyTrainer Trainer { get; }

        public void Dispose()
        {
            Trainer.Dispose();
            _policy.Dispose();
        }
    }

    /// <summary>The local engine with shared prompt prefill forced on or off.</summary>
    sealed class PrefillEngine(LocalRolloutEngine inner, bool share) : IRolloutEngine
    {
        public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
            => inner.Generate(prompts, sampling with { SharePromptPrefill = share });
    }

    /// <summary>Random completions of lengths uniform in [min, max], the same sequence of calls for every engine with the same seed.</summary>
    sealed class UniformLengthEngine(int min, int max, int vocab, long seed) : IRolloutEngine
    {
        readonly Random _random = new((int)seed);

        public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling) =>
            prompts.Select(p =>
            {
                var ids = Enumerable.Range(0, _random.Next(min, max + 1)).Select(_ => _random.Next(8, vocab)).ToArray();
                return new Completion(p, ids, new float[ids.Length], FinishReason.Eos);
            }).ToList();
    }
}
