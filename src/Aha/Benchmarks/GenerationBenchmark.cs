using System.Diagnostics;
using Aha.Generation;
using Aha.Models;

namespace Aha.Benchmarks;

public sealed record GenerationBenchmarkResult(
    long Parameters, int Batch, int PromptTokens, int NewTokens,
    double CachedTokensPerSecond, double RecomputeTokensPerSecond, double Speedup);

/// <summary>Decoding throughput with the KV cache versus recomputing the whole sequence every step.</summary>
public static class GenerationBenchmark
{
    public static GenerationBenchmarkResult Run(ModelConfig config, int batch = 16, int promptTokens = 16, int newTokens = 256, long seed = 0)
    {
        using var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed);
        var random = new Random((int)seed);
        var prompts = Enumerable.Range(0, batch)
            .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, promptTokens).Select(_ => random.Next(config.VocabSize)).ToArray())
            .ToArray();
        var engine = new LocalRolloutEngine(model);
        var sampling = new SamplingParams { MaxNewTokens = newTokens, Temperature = 1.0, Seed = seed };

        engine.Generate(prompts, sampling with { MaxNewTokens = 8 }); // warm-up
        double cached = TokensPerSecond(() => engine.Generate(prompts, sampling), batch * newTokens);
        double recompute = TokensPerSecond(() => engine.Generate(prompts, sampling with { UseKvCache = false }), batch * newTokens);
        return new GenerationBenchmarkResult(config.ParameterCount(), batch, promptTokens, newTokens, cached, recompute, cached / recompute);
    }

    static double TokensPerSecond(Func<IReadOnlyList<Completion>> generate, int expectedTokens)
    {
        var sw = Stopwatch.StartNew();
        var completions = generate();
        double seconds = sw.Elapsed.TotalSeconds;
        int tokens = completions.Sum(c => c.TokenIds.Length);
        if (tokens != expectedTokens) throw new InvalidOperationException($"Benchmark expected {expectedTokens} tokens, generated {tokens}.");
        return tokens / seconds;
    }
}
