using System.CommandLine;
using System.Text.Json;
using Aha.Benchmarks;
using Aha.Native;
using static TorchSharp.torch;

namespace Aha.Cli.Commands;

/// <summary><c>aha bench generate | train | lora | rollout | rl</c>: throughput figures as one JSON object.</summary>
internal static class BenchCommand
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static Command Create()
    {
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var generate = new Command("generate",
            "Decode tokens/s at batch 1 and 16 (Small4M and a Qwen2.5-0.5B-shaped model, fp32 and bf16) next to the memory-bandwidth bound; generation time with and without shared prompt prefill (8 prompts × 8, 128 + 256 tokens).");
        var models = new Option<string>("--models") { Description = "Decode models: small, 0.5b or all.", DefaultValueFactory = _ => "all" };
        var dtypes = new Option<string>("--dtypes") { Description = "Weight dtypes: fp32, bf16 or all.", DefaultValueFactory = _ => "all" };
        var decodeTokens = new Option<int>("--decode-tokens") { Description = "Tokens generated per sequence in the decode measurement.", DefaultValueFactory = _ => 32 };
        var noPrefix = new Option<bool>("--no-prefix-sharing") { Description = "Skip the shared-prefill measurement." };
        var recompute = new Option<bool>("--recompute") { Description = "Also compare the KV cache with recomputing the sequence (slow)." };
        models.AcceptOnlyFromAmong("small", "0.5b", "all");
        dtypes.AcceptOnlyFromAmong("fp32", "bf16", "all");
        decodeTokens.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 2) r.AddError("--decode-tokens: expected at least 2."); });
        foreach (var option in new Option[] { threads, models, dtypes, decodeTokens, noPrefix, recompute }) generate.Options.Add(option);
        generate.SetAction(r => CliRun.Run(r, () =>
        {
            AhaRuntime.Initialize(new RuntimeOptions { Threads = r.GetValue(threads) });
            var options = new GenerationBenchmarkOptions
            {
                Models = r.GetValue(models) switch
                {
                    "small" => [("Small4M", BenchModels.Small4M)],
                    "0.5b" => [("Qwen2.5-0.5B-shape", BenchModels.Qwen25HalfB)],
                    _ => new GenerationBenchmarkOptions().Models,
                },
                Dtypes = r.GetValue(dtypes) switch
                {
                    "fp32" => [ScalarType.Float32],
                    "bf16" => [ScalarType.BFloat16],
                    _ => [ScalarType.Float32, ScalarType.BFloat16],
                },
                DecodeTokens = r.GetValue(decodeTokens),
                PrefixSharing = !r.GetValue(noPrefix),
                KvCacheVsRecompute = r.GetValue(recompute),
            };
            Print(r, GenerationBenchmark.Run(options));
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
        var trainModel = new Option<string>("--model")
        {
            Description = "small (Small4M) or 0.5b-layer (one Qwen2.5-0.5B-shaped decoder layer, where matmuls dominate; try --batch 8 --warmup 3 --steps 10).",
            DefaultValueFactory = _ => "small",
        };
        trainModel.AcceptOnlyFromAmong("small", "0.5b-layer");
        var packing = new Option<bool>("--packing")
        {
            Description = "Instead: useful tokens/s of SFT steps on --batch sequences of 16–256 tokens, padded vs packed into rows of up to 512 (alternating; try --warmup 2 --steps 5).",
        };
        foreach (var option in new Option[] { threads, trainModel, trainBatch, sequenceLength, warmup, steps, releaseMemory, packing }) train.Options.Add(option);
        train.SetAction(r => CliRun.Run(r, () =>
        {
            AhaRuntime.Initialize(new RuntimeOptions { Threads = r.GetValue(threads), RetainFreedMemory = !r.GetValue(releaseMemory) });
            if (r.GetValue(packing))
                Print(r, PackingBenchmark.Run(BenchModels.Small4M, r.GetValue(trainBatch), warmupSteps: r.GetValue(warmup), steps: r.GetValue(steps)));
            else Print(r, TrainingBenchmark.Run(
                r.GetValue(trainModel) == "0.5b-layer" ? BenchModels.Qwen25HalfBLayer : BenchModels.Small4M, r.GetValue(trainBatch), r.GetValue(sequenceLength), r.GetValue(warmup), r.GetValue(steps)));
        }));

        var rollout = new Command("rollout",
            "aha serve on loopback: requests/s and tokens/s of 8 concurrent clients vs one engine call of the same rows (the cost of HTTP), and GRPO step time with rollout.mode sync vs one_step_off.");
        var clients = new Option<int>("--clients") { Description = "Concurrent HTTP clients, one prompt of n = G each.", DefaultValueFactory = _ => 8 };
        var rlSteps = new Option<int>("--steps") { Description = "RL steps per trainer run (the first is not timed).", DefaultValueFactory = _ => 4 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per completion.", DefaultValueFactory = _ => 64 };
        clients.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--clients: expected at least 1."); });
        rlSteps.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 2) r.AddError("--steps: expected at least 2 (the first step is not timed)."); });
        newTokens.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 2) r.AddError("--new-tokens: expected at least 2."); });
        foreach (var option in new Option[] { threads, clients, rlSteps, newTokens }) rollout.Options.Add(option);
        rollout.SetAction(r => CliRun.Run(r, () =>
        {
            AhaRuntime.Initialize(new RuntimeOptions { Threads = r.GetValue(threads) });
            Print(r, Aha.Serving.RolloutBenchmark.Run(new Aha.Serving.RolloutBenchmarkOptions
            {
                Clients = r.GetValue(clients), Steps = r.GetValue(rlSteps), NewTokens = r.GetValue(newTokens),
            }));
        }));

        var rl = new Command("rl",
            "One GRPO step at a GSM8K-like shape (8 prompts × G = 8, 128-token prompts, up to 256 new tokens, Small4M) phase by phase (timing_s/*, perf/*), with prefix sharing and packing on and off; and the update alone, padded vs packed, at completion lengths uniform in 16–256.");
        var rlTimed = new Option<int>("--steps") { Description = "Timed steps per variant, after one untimed (medians reported).", DefaultValueFactory = _ => 2 };
        var allVariants = new Option<bool>("--all-variants") { Description = "Also run prefix sharing and packing one without the other." };
        rlTimed.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--steps: expected at least 1."); });
        foreach (var option in new Option[] { threads, rlTimed, allVariants }) rl.Options.Add(option);
        rl.SetAction(r => CliRun.Run(r, () =>
        {
            AhaRuntime.Initialize(new RuntimeOptions { Threads = r.GetValue(threads) });
            Print(r, RlStepBenchmark.Run(new RlStepBenchmarkOptions { Steps = r.GetValue(rlTimed), AllVariants = r.GetValue(allVariants) }));
        }));

        var bench = new Command("bench", "Benchmarks: print JSON with throughput figures.");
        bench.Subcommands.Add(generate);
        bench.Subcommands.Add(train);
        bench.Subcommands.Add(BenchLoraCommand.Create());
        bench.Subcommands.Add(rollout);
        bench.Subcommands.Add(rl);
        return bench;
    }

    static void Print<T>(ParseResult parse, T result) => parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, Json));
}
