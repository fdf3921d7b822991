using System.Diagnostics;
using Aha.Models;
using Aha.Training;
using Aha.Training.Offline;
using static TorchSharp.torch;

namespace Aha.Benchmarks;

/// <param name="UsefulTokens">real tokens per step (Σ sequence lengths).</param>
/// <param name="PaddedSlots">token positions a padded step computes: sequences × longest.</param>
/// <param name="PackedSlots">token positions a packed step computes: rows × longest row.</param>
/// <param name="PaddedSeconds">median padded step (forward, backward, AdamW); the two kinds alternate step by step.</param>
public sealed record PackingBenchmarkResult(
    long Parameters, int Sequences, int MinLength, int MaxLength, int Capacity, int Steps, long UsefulTokens, long PaddedSlots,
    long PackedSlots, int PackedRows, double PaddedSeconds, double PackedSeconds, double PaddedUsefulTokensPerSecond,
    double PackedUsefulTokensPerSecond, double Speedup);

/// <summary>
/// Useful tokens/s of SFT training steps (next-token loss on every token) on sequences of lengths uniform in
/// [min, max], padded to the longest vs packed into rows of at most <c>capacity</c> tokens.
/// </summary>
public static class PackingBenchmark
{
    public static PackingBenchmarkResult Run(ModelConfig config, int sequences = 32, int minLength = 16, int maxLength = 256,
        int capacity = 512, int warmupSteps = 2, int steps = 5, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        using var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed);
        var optimizer = OptimizerFactory.AdamW(model.parameters(), lr: 1e-4);
        var random = new Random((int)seed);
        var data = Enumerable.Range(0, sequences).Select(_ =>
        {
            int n = random.Next(minLength, maxLength + 1);
            var ids = Enumerable.Range(0, n).Select(_ => random.Next(config.VocabSize)).ToArray();
            return new TokenizedSequence(ids, ids.Select((_, t) => t > 0).ToArray());
        }).ToList();
        using var padded = SftBatch.Create(data, padId: 0);
        using var packed = SftBatch.CreatePacked(data, capacity, padId: 0);

        double Step(SftBatch batch)
        {
            long start = Stopwatch.GetTimestamp();
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            SftLoss.TokenSum(model, batch).backward();
            optimizer.step();
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        model.train();
        for (int i = 0; i < warmupSteps; i++) { Step(padded); Step(packed); }
        var paddedSeconds = new double[steps];
        var packedSeconds = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            paddedSeconds[i] = Step(padded);
            packedSeconds[i] = Step(packed);
        }
        long useful = data.Sum(s => (long)s.Ids.Length);
        double pad = Statistics.Median(paddedSeconds), pack = Statistics.Median(packedSeconds);
        return new PackingBenchmarkResult(config.ParameterCount(), sequences, minLength, maxLength, capacity, steps, useful,
            padded.Ids.numel(), packed.Ids.numel(), (int)packed.Ids.shape[0], pad, pack, useful / pad, useful / pack, pad / pack);
    }
}
