using System.Diagnostics;
using Aha.Models;
using static TorchSharp.torch;

namespace Aha.Benchmarks;

public sealed record TrainingBenchmarkResult(
    long Parameters, int Batch, int SequenceLength, int Steps, double StepSeconds, double TokensPerSecond,
    double AchievedGflops, double MatmulGflops, double FractionOfMatmul);

/// <summary>
/// Throughput of full training steps (forward, backward, grad clip, AdamW) on next-token prediction.
/// Achieved GFLOP/s counts 6·N·tokens per step (Kaplan et al. 2020), the convention nanoGPT's MFU uses;
/// it leaves out attention's T² term, so it slightly understates the work done.
/// </summary>
public static class TrainingBenchmark
{
    public static TrainingBenchmarkResult Run(ModelConfig config, int batch = 32, int sequenceLength = 128, int steps = 5, long seed = 0)
    {
        using var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed);
        var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4);
        var generator = new Generator((ulong)seed);
        using var ids = torch.randint(config.VocabSize, [batch, sequenceLength + 1], generator: generator);

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.Forward(ids.narrow(1, 0, sequenceLength));                              // [B, T, V]
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), ids.narrow(1, 1, sequenceLength).reshape(-1));
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
        }

        model.train();
        Step(); // warm-up: allocates optimizer state
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        double stepSeconds = sw.Elapsed.TotalSeconds / steps;

        long tokens = (long)batch * sequenceLength;
        long n = config.ParameterCount();
        double achieved = 6.0 * n * tokens / stepSeconds / 1e9;
        double matmul = MatmulProbe.Gflops(1024, 1024, 1024);
        return new TrainingBenchmarkResult(n, batch, sequenceLength, steps, stepSeconds, tokens / stepSeconds, achieved, matmul, achieved / matmul);
    }
}
