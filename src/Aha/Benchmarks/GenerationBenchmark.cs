using System.Diagnostics;
using Aha.Generation;
using Aha.Models;
using Aha.Native;
using static TorchSharp.torch;
using static Aha.Benchmarks.Statistics;

namespace Aha.Benchmarks;

/// <param name="MemoryGigabytesPerSecond">copy bandwidth measured in the same run, bytes read + written (<see cref="BandwidthProbe"/>).</param>
/// <param name="ReadGigabytesPerSecond">read-only bandwidth measured in the same run (<see cref="BandwidthProbe.ReadGigabytesPerSecond"/>).</param>
/// <param name="NativeKernels">whether decode's few-row linear layers ran on <see cref="Native.FewRowsLinear"/>'s kernel.</param>
/// <param name="Decode">KV-cached decode speed per model, dtype and batch, next to its bandwidth bound.</param>
/// <param name="PrefixSharing">generation at a GRPO shape with and without <see cref="SamplingParams.SharePromptPrefill"/>.</param>
/// <param name="KvCacheVsRecompute">decoding with the KV cache vs recomputing the sequence each step, when asked for.</param>
public sealed record GenerationBenchmarkResult(
    double MemoryGigabytesPerSecond, double ReadGigabytesPerSecond, bool NativeKernels, IReadOnlyList<DecodeFigures> Decode, PrefixSharingFigures? PrefixSharing,
    KvCacheFigures? KvCacheVsRecompute);

/// <param name="StepMilliseconds">one decode step for the whole batch: (time of N new tokens − time of 1) / (N − 1), so prefill is left out.</param>
/// <param name="WeightBytes">bytes a step streams: every parameter once (a tied embedding counted once, as the head reads it all).</param>
/// <param name="BoundTokensPerSecond">batch ÷ (weight bytes ÷ copy bandwidth): the speed if a step cost only streaming the weights.</param>
/// <param name="FractionOfReadBound">tokens/s over the same bound at the read-only bandwidth, which reading the weights cannot beat.</param>
/// <param name="LibtorchTokensPerSecond">the same decode with libtorch's matmul instead of the native kernel, alternated with it; null where the kernel does not apply.</param>
/// <param name="OpByOpTokensPerSecond">the same decode with the native kernel's linear layers but each block run op by op by libtorch rather than as one native call (<see cref="DecodeLayer"/>), alternated with it; null where that call does not apply.</param>
public sealed record DecodeFigures(
    string Model, long Parameters, string Dtype, int Batch, int NewTokens, double StepMilliseconds, double TokensPerSecond,
    long WeightBytes, double BoundTokensPerSecond, double FractionOfBound, double FractionOfReadBound, double? LibtorchTokensPerSecond,
    double? OpByOpTokensPerSecond);

/// <param name="SharedSeconds">median wall time of one Generate call with each prompt prefilled once.</param>
/// <param name="UnsharedSeconds">the same with every row prefilled; the two alternate run by run.</param>
public sealed record PrefixSharingFigures(
    int Prompts, int Generations, int PromptTokens, int NewTokens, int Runs, double SharedSeconds, double UnsharedSeconds, double Speedup);

public sealed record KvCacheFigures(int Batch, int NewTokens, double CachedTokensPerSecond, double RecomputeTokensPerSecond, double Speedup);

/// <summary>What <see cref="GenerationBenchmark.Run"/> measures.</summary>
public sealed record GenerationBenchmarkOptions
{
    /// <summary>Models whose decode speed is measured. The default value is Small4M and the Qwen2.5-0.5B shape.</summary>
    public IReadOnlyList<(string Name, ModelConfig Config)> Models { get; init; } =
        [("Small4M", BenchModels.Small4M), ("Qwen2.5-0.5B-shape", BenchModels.Qwen25HalfB)];

    /// <summary>Weight dtypes measured for each model. The default value is fp32 and bf16.</summary>
    public IReadOnlyList<ScalarType> Dtypes { get; init; } = [ScalarType.Float32, ScalarType.BFloat16];

    /// <summary>Batch sizes of the decode measurement. The default value is 1 and 16.</summary>
    public IReadOnlyList<int> Batches { get; init; } = [1, 16];

    /// <summary>Tokens generated per sequence in the decode measurement. The default value is 32.</summary>
    public int DecodeTokens { get; init; } = 32;

    /// <summary>Whether to measure prefix sharing at <see cref="PrefixShape"/>. The default value is true.</summary>
    public bool PrefixSharing { get; init; } = true;

    /// <summary>The rollout shape of the prefix-sharing measurement. The default value is the GSM8K-like GRPO shape on Small4M.</summary>
    public RolloutShape PrefixShape { get; init; } = RolloutShape.Gsm8kLike;

    /// <summary>Alternated runs of each prefix-sharing variant (the medians are reported). The default value is 3.</summary>
    public int PrefixSharingRuns { get; init; } = 3;

    /// <summary>Whether to compare with recomputing the whole sequence each step (slow). The default value is false.</summary>
    public bool KvCacheVsRecompute { get; init; }

    public long Seed { get; init; }
}

/// <summary>
/// Generation speed: KV-cached decode against the memory-bandwidth bound (a decode step reads every weight once, so at
/// small batches its speed is set by bandwidth, not FLOPs), shared-prefix prefill at a GRPO shape, and optionally the
/// KV cache against recomputation. Random weights and random prompts; no stop tokens, so every row runs to the end.
/// </summary>
public static class GenerationBenchmark
{
    public static GenerationBenchmarkResult Run(GenerationBenchmarkOptions o)
    {
        double bandwidth = BandwidthProbe.GigabytesPerSecond();
        double read = BandwidthProbe.ReadGigabytesPerSecond();
        var decode = new List<DecodeFigures>();
        foreach (var (name, config) in o.Models)
            foreach (var dtype in o.Dtypes)
            {
                using var model = NewModel(config, dtype, o.Seed);
                foreach (int batch in o.Batches) decode.Add(Decode(name, model, batch, o.DecodeTokens, bandwidth, read, o.Seed));
            }
        return new GenerationBenchmarkResult(bandwidth, read, FewRowsLinear.IsAvailable && FewRowsLinear.Enabled, decode,
            o.PrefixSharing ? PrefixSharing(o.PrefixShape, o.PrefixSharingRuns, o.Seed) : null,
            o.KvCacheVsRecompute ? KvCacheVsRecompute(BenchModels.Small4M, 16, 16, 256, o.Seed) : null);
    }

    static CausalLM NewModel(ModelConfig config, ScalarType dtype, long seed)
    {
        var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed);
        if (dtype != ScalarType.Float32) model.to(dtype);
        return model;
    }

    static DecodeFigures Decode(string name, CausalLM model, int batch, int newTokens, double bandwidth, double read, long seed)
    {
        var config = model.Config;
        var prompts = RandomPrompts(config, batch, 16, seed);
        var engine = new LocalRolloutEngine(model);
        var sampling = new SamplingParams { MaxNewTokens = newTokens, Temperature = 1.0, Seed = seed };
        engine.Generate(prompts, sampling with { MaxNewTokens = 2 }); // warm-up
        var embedding = model.Backbone.EmbeddingWeight;
        double StepSeconds()
        {
            double one = Seconds(() => engine.Generate(prompts, sampling with { MaxNewTokens = 1 }));
            double all = Seconds(() => engine.Generate(prompts, sampling));
            return Math.Max(all - one, 1e-9) / (newTokens - 1);
        }
        double step = StepSeconds();
        // Tokens/s with a native path switched off, alternated with it on — on, off, off, on: each side's best of two,
        // so that a drifting host favours neither.
        double Without(Action<bool> setEnabled)
        {
            setEnabled(false);
            double off;
            try { off = batch / Math.Min(StepSeconds(), StepSeconds()); }
            finally { setEnabled(true); }
            step = Math.Min(step, StepSeconds());
            return off;
        }
        double? libtorch = FewRowsLinear.Takes(embedding, batch) // the head's weight, the largest of a step
            ? Without(on => FewRowsLinear.Enabled = on) : null;
        double? opByOp = DecodeLayer.Takes(model.Backbone.Block(0), batch) ? Without(on => DecodeLayer.Enabled = on) : null;
        long bytes = model.parameters().Sum(p => p.numel() * p.ElementSize)
            - (config.TieWordEmbeddings ? 0 : embedding.numel() * embedding.ElementSize); // an untied embedding is only looked up
        double bound = batch / (bytes / (bandwidth * 1e9));
        double readBound = batch / (bytes / (read * 1e9));
        return new DecodeFigures(name, config.ParameterCount(), embedding.dtype.ToString().ToLowerInvariant(), batch, newTokens,
            step * 1e3, batch / step, bytes, bound, batch / step / bound, batch / step / readBound, libtorch, opByOp);
    }

    /// <summary>GRPO's rollout: each distinct prompt G times in a row.</summary>
    static PrefixSharingFigures PrefixSharing(RolloutShape shape, int runs, long seed)
    {
        using var model = NewModel(shape.Model, ScalarType.Float32, seed);
        var rows = shape.Prompts(seed);
        int newTokens = shape.NewTokens;
        var engine = new LocalRolloutEngine(model);
        var sampling = new SamplingParams { MaxNewTokens = newTokens, Temperature = 1.0, Seed = seed };
        engine.Generate(rows, sampling with { MaxNewTokens = 2 }); // warm-up
        var shared = new double[runs];
        var unshared = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            shared[i] = Seconds(() => engine.Generate(rows, sampling));
            unshared[i] = Seconds(() => engine.Generate(rows, sampling with { SharePromptPrefill = false }));
        }
        double s = Median(shared), u = Median(unshared);
        return new PrefixSharingFigures(shape.DistinctPrompts, shape.Generations, shape.PromptTokens, newTokens, runs, s, u, u / s);
    }

    static KvCacheFigures KvCacheVsRecompute(ModelConfig config, int batch, int promptTokens, int newTokens, long seed)
    {
        using var model = NewModel(config, ScalarType.Float32, seed);
        var prompts = RandomPrompts(config, batch, promptTokens, seed);
        var engine = new LocalRolloutEngine(model);
        var sampling = new SamplingParams { MaxNewTokens = newTokens, Temperature = 1.0, Seed = seed };
        engine.Generate(prompts, sampling with { MaxNewTokens = 8 }); // warm-up
        double tokens = batch * newTokens;
        double cached = tokens / Seconds(() => engine.Generate(prompts, sampling));
        double recompute = tokens / Seconds(() => engine.Generate(prompts, sampling with { UseKvCache = false }));
        return new KvCacheFigures(batch, newTokens, cached, recompute, cached / recompute);
    }

    internal static IReadOnlyList<int>[] RandomPrompts(ModelConfig config, int count, int tokens, long seed)
    {
        var random = new Random((int)seed);
        return Enumerable.Range(0, count)
            .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, tokens).Select(_ => random.Next(config.VocabSize)).ToArray())
            .ToArray();
    }

    /// <summary>Wall time of one call; checks that every row ran to the end (no early stop skews tokens/s).</summary>
    static double Seconds(Func<IReadOnlyList<Completion>> generate)
    {
        var sw = Stopwatch.StartNew();
        var completions = generate();
        double seconds = sw.Elapsed.TotalSeconds;
        if (completions.Any(c => c.FinishReason != FinishReason.Length))
            throw new InvalidOperationException("Benchmark rows must all run to max_new_tokens.");
        return seconds;
    }
}
