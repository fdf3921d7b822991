using System.Diagnostics;
using System.Net.Http.Json;
using Aha.Checkpoints;
using Aha.Data;
using Aha.Generation;
using Aha.Generation.Remote;
using Aha.Models;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using static Aha.Benchmarks.Statistics;

namespace Aha.Serving;

/// <summary>What <see cref="RolloutBenchmark.Run"/> measures, at which shape.</summary>
public sealed record RolloutBenchmarkOptions
{
    /// <summary>The model (random weights); its vocabulary is set to the benchmark tokenizer's. The default value is the Small4M shape.</summary>
    public ModelConfig Model { get; init; } = Benchmarks.BenchModels.Small4M;

    /// <summary>Concurrent HTTP clients, one prompt each. The default value is 8.</summary>
    public int Clients { get; init; } = 8;

    /// <summary>Completions per prompt (n per request, G per group). The default value is 8.</summary>
    public int Generations { get; init; } = 8;

    /// <summary>Prompt tokens. The default value is 64.</summary>
    public int PromptTokens { get; init; } = 64;

    /// <summary>Tokens generated per completion (EOS ignored, so every row runs to the end). The default value is 64.</summary>
    public int NewTokens { get; init; } = 64;

    /// <summary>Alternated runs of HTTP vs engine (medians reported). The default value is 3.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Prompts per RL step in the sync vs one_step_off comparison. The default value is 4.</summary>
    public int StepPrompts { get; init; } = 4;

    /// <summary>RL steps per trainer run; the first is not timed. The default value is 4.</summary>
    public int Steps { get; init; } = 4;

    /// <summary>Trainer runs per mode, alternated sync, one_step_off, sync, … (medians reported). The default value is 2.</summary>
    public int StepRuns { get; init; } = 2;

    public long Seed { get; init; } = 1;
}

/// <param name="ServerSeconds">median wall time for all clients' requests, sent at once to aha serve on loopback.</param>
/// <param name="EngineSeconds">median wall time of one in-process engine call on the same rows.</param>
/// <param name="HttpOverhead">ServerSeconds ÷ EngineSeconds: what serving over HTTP costs on top of the engine.</param>
/// <param name="EngineCallsPerRun">engine calls the server made per run (1 when dynamic batching merged every request).</param>
public sealed record ServingFigures(
    int Clients, int Generations, int PromptTokens, int NewTokens, int Runs, double ServerSeconds, double ServerRequestsPerSecond,
    double ServerTokensPerSecond, double EngineSeconds, double EngineTokensPerSecond, double HttpOverhead, double EngineCallsPerRun);

/// <param name="SyncStepSeconds">median over runs of the mean step time (steps after the first) with <c>rollout.mode: sync</c>.</param>
/// <param name="OneStepOffStepSeconds">the same with <c>one_step_off</c>.</param>
/// <param name="Speedup">SyncStepSeconds ÷ OneStepOffStepSeconds.</param>
/// <param name="GenSeconds">median timing_s/gen (sync runs): generation time of one batch.</param>
/// <param name="UpdateSeconds">median timing_s/update (sync runs): forwards, advantages and optimizer step of one batch.</param>
public sealed record StepFigures(
    int Prompts, int Generations, int PromptTokens, int NewTokens, int TimedSteps, int Runs, double SyncStepSeconds,
    double OneStepOffStepSeconds, double Speedup, double GenSeconds, double UpdateSeconds);

public sealed record RolloutBenchmarkResult(ServingFigures Serving, StepFigures Steps);

/// <summary>
/// <c>aha bench rollout</c>: (1) the cost of HTTP — <see cref="RolloutBenchmarkOptions.Clients"/> concurrent clients
/// against <c>aha serve</c> on loopback vs one in-process engine call of the same rows; (2) the RL step time of GRPO
/// against <c>aha serve</c> with <c>rollout.mode: sync</c> vs <c>one_step_off</c>. Server and trainer share this
/// process and its cores, so the overlap can only use what the other side leaves idle.
/// </summary>
public static class RolloutBenchmark
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static RolloutBenchmarkResult Run(RolloutBenchmarkOptions o)
    {
        var tokenizer = CharTokenizer.Create(Alphabet);
        var config = o.Model with { VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = Math.Max(o.Model.MaxPositionEmbeddings, o.PromptTokens + o.NewTokens + 8) };
        var dir = Path.Combine(Path.GetTempPath(), $"aha-bench-rollout-{Guid.NewGuid():N}");
        try
        {
            using (var model = NewModel(config, o.Seed))
            {
                HfCheckpoint.Save(model, config, Path.Combine(dir, "model"));
                tokenizer.Save(Path.Combine(dir, "model"));
            }
            return new RolloutBenchmarkResult(Serving(o, dir, tokenizer), Steps(o, dir, tokenizer));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    static CausalLM NewModel(ModelConfig config, long seed)
    {
        var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed);
        model.eval();
        return model;
    }

    static ServingFigures Serving(RolloutBenchmarkOptions o, string dir, ITokenizer tokenizer)
    {
        var modelDir = Path.Combine(dir, "model");
        var random = new Random((int)o.Seed);
        var prompts = Enumerable.Range(0, o.Clients)
            .Select(_ => Enumerable.Range(0, o.PromptTokens).Select(_ => random.Next(8, tokenizer.VocabSize)).ToArray()).ToList();
        var sampling = new SamplingParams { MaxNewTokens = o.NewTokens, Temperature = 1.0, Seed = o.Seed };
        var rows = prompts.SelectMany(p => Enumerable.Repeat((IReadOnlyList<int>)p, o.Generations)).ToList();
        long tokens = (long)rows.Count * o.NewTokens;

        using var direct = HfCheckpoint.LoadCausalLM(modelDir);
        var engine = new LocalRolloutEngine(direct);
        var server = AhaServer.StartAsync(new ServeOptions { ModelDir = modelDir, Port = 0, MaxBatch = rows.Count }.Validate(),
            ServedModel.Load(modelDir, torch.CPU, "bench")).GetAwaiter().GetResult();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        try
        {
            Send(http, server.Address, prompts, o, 2);                      // warm-up: JIT, Kestrel, first engine call
            engine.Generate(rows, sampling with { MaxNewTokens = 2 });
            var serverTimes = new List<double>();
            var engineTimes = new List<double>();
            int callsBefore = server.EngineCalls;
            for (int r = 0; r < o.Runs; r++)
            {
                serverTimes.Add(Seconds(() => Send(http, server.Address, prompts, o, o.NewTokens)));
                engineTimes.Add(Seconds(() => engine.Generate(rows, sampling)));
            }
            double calls = (server.EngineCalls - callsBefore) / (double)o.Runs;
            double s = Median(serverTimes), e = Median(engineTimes);
            return new ServingFigures(o.Clients, o.Generations, o.PromptTokens, o.NewTokens, o.Runs, s, o.Clients / s, tokens / s,
                e, tokens / e, s / e, calls);
        }
        finally { server.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>All clients at once, each one request of n = G for its prompt; returns when every reply is in.</summary>
    static void Send(HttpClient http, Uri server, IReadOnlyList<int[]> prompts, RolloutBenchmarkOptions o, int maxTokens)
    {
        var url = new Uri(server, "v1/completions");
        // one seed for all: the server batches only requests that sample alike (seed included)
        var tasks = prompts.Select(p => Task.Run(async () =>
        {
            using var reply = await http.PostAsJsonAsync(url, new
            {
                model = "bench", prompt = p, n = o.Generations, max_tokens = maxTokens, temperature = 1.0, seed = o.Seed,
                ignore_eos = true, logprobs = 0,
            });
            reply.EnsureSuccessStatusCode();
            await reply.Content.ReadAsByteArrayAsync();
        })).ToArray();
        Task.WaitAll(tasks);
    }

    static StepFigures Steps(RolloutBenchmarkOptions o, string dir, ITokenizer tokenizer)
    {
        var modelDir = Path.Combine(dir, "model");
        var random = new Random((int)o.Seed + 1);
        var items = Enumerable.Range(0, 4 * o.StepPrompts).Select(i => new PromptItem($"p{i}",
            new string(Enumerable.Range(0, o.PromptTokens).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray()), null)).ToList();
        // a reward with signal in every group, so every step trains on every sample
        var reward = new DelegateReward("digits", s => s.Completion.Count(char.IsDigit) / (double)Math.Max(1, s.Completion.Length));
        var config = new OnPolicyConfig
        {
            Preset = "grpo", NumGenerations = o.Generations, PromptsPerStep = o.StepPrompts, MaxNewTokens = o.NewTokens,
            LearningRate = 1e-4, Seed = o.Seed, StopTokenIds = [],
        };
        var server = AhaServer.StartAsync(new ServeOptions { ModelDir = modelDir, Port = 0, MaxBatch = o.StepPrompts * o.Generations }.Validate(),
            ServedModel.Load(modelDir, torch.CPU, "bench")).GetAwaiter().GetResult();
        try
        {
            var sync = new List<double>();
            var offPolicy = new List<double>();
            var gen = new List<double>();
            var update = new List<double>();
            for (int r = 0; r < o.StepRuns; r++)
                foreach (var mode in new[] { RolloutMode.Sync, RolloutMode.OneStepOff })
                {
                    var metrics = Train(config, modelDir, tokenizer, items, reward, server.Address, mode, o.Steps, Path.Combine(dir, $"sync-{r}-{mode}"));
                    var timed = metrics.Skip(1).ToList();
                    (mode == RolloutMode.Sync ? sync : offPolicy).Add(timed.Average(m => m[MetricNames.TimingStep]));
                    if (mode == RolloutMode.Sync)
                    {
                        gen.Add(timed.Average(m => m[MetricNames.TimingGen]));
                        update.Add(timed.Average(m => m[MetricNames.TimingUpdate]));
                    }
                }
            double s = Median(sync), a = Median(offPolicy);
            return new StepFigures(o.StepPrompts, o.Generations, o.PromptTokens, o.NewTokens, o.Steps - 1, o.StepRuns, s, a, s / a,
                Median(gen), Median(update));
        }
        finally { server.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    static List<IReadOnlyDictionary<string, double>> Train(OnPolicyConfig config, string modelDir, ITokenizer tokenizer,
        IReadOnlyList<PromptItem> items, IRewardFunction reward, Uri server, RolloutMode mode, int steps, string syncDir)
    {
        using var policy = HfCheckpoint.LoadCausalLM(modelDir);
        using var engine = new RemoteRolloutEngine(new RemoteRolloutOptions { Endpoints = [server.ToString()], SyncDir = syncDir, Model = "bench" });
        var observer = new MetricsObserver();
        using var trainer = new OnPolicyTrainer(config, policy, tokenizer, new RewardScorer(reward), new ShuffledPromptSource(items, 1),
            engine: engine, observer: observer, schedule: new RolloutSchedule(mode));
        trainer.Train(steps);
        return observer.Steps;
    }

    sealed class MetricsObserver : Tracking.ITrainingObserver
    {
        public List<IReadOnlyDictionary<string, double>> Steps { get; } = [];
        public void OnStep(int step, IReadOnlyDictionary<string, double> metrics) => Steps.Add(metrics);
        public void OnSamples(int step, IReadOnlyList<Tracking.SampleRecord> samples) { }
        public void OnMessage(Tracking.TrainingMessageLevel level, string text) { }
    }

    static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
