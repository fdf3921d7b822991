using System.CommandLine;
using System.Text.Json;
using Aha.Benchmarks;
using Aha.Native;

namespace Aha.Cli.Commands;

/// <summary><c>aha bench generate | train</c>: throughput figures as one JSON object.</summary>
internal static class BenchCommand
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static Command Create()
    {
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var generate = new Command("generate", "Decode tokens/s with the KV cache vs recomputing the sequence (batch 16, 256 new tokens, ~4M-param model).");
        var batch = new Option<int>("--batch") { Description = "Sequences per batch.", DefaultValueFactory = _ => 16 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per sequence.", DefaultValueFactory = _ => 256 };
        generate.Options.Add(threads); generate.Options.Add(batch); generate.Options.Add(newTokens);
        generate.SetAction(r => CliRun.Run(r, () =>
        {
            AhaRuntime.Initialize(new RuntimeOptions { Threads = r.GetValue(threads) });
            Print(r, GenerationBenchmark.Run(BenchModels.Small4M, r.GetValue(batch), newTokens: r.GetValue(newTokens)));
        }));

        var train = new Command("train", "Training step throughput (default batch 32 × 128 tokens, ~4M-param model) vs measured fp32 matmul GFLOP/s.");
        var warmup = new Option<int>("--warmup") { Description = "Untimed burn-in steps before the timed ones.", DefaultValueFactory = _ => 20 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (the median is reported).", DefaultValueFactory = _ => 20 };
        var trainBatch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 32 };
        var sequenceLength = new Option<int>("--seq-len") { Description = "Tokens per sequence.", DefaultValueFactory = _ => 128 };
        var releaseMemory = new Option<bool>("--release-freed-memory")
        {
            Description = "Let glibc return freed memory to the OS as it does by default, to measure what retaining it saves.",
        };
        foreach (var option in new Option[] { threads, trainBatch, sequenceLength, warmup, steps, releaseMemory }) train.Options.Add(option);
        train.SetAction(r => CliRun.Run(r, () =>
        {
            AhaRuntime.Initialize(new RuntimeOptions { Threads = r.GetValue(threads), RetainFreedMemory = !r.GetValue(releaseMemory) });
            Print(r, TrainingBenchmark.Run(BenchModels.Small4M, r.GetValue(trainBatch), r.GetValue(sequenceLength), r.GetValue(warmup), r.GetValue(steps)));
        }));

        var bench = new Command("bench", "Benchmarks: print JSON with throughput figures.");
        bench.Subcommands.Add(generate);
        bench.Subcommands.Add(train);
        return bench;
    }

    static void Print<T>(ParseResult parse, T result) => parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, Json));
}
