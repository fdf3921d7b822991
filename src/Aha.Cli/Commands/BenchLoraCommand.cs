using System.CommandLine;
using System.Text.Json;
using Aha.Benchmarks;
using Aha.Models.Lora;
using Aha.Native;

namespace Aha.Cli.Commands;

/// <summary><c>aha bench lora</c>: memory (counted from the tensors) and step time of LoRA vs full fine-tuning, as JSON.</summary>
internal static class BenchLoraCommand
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static Command Create()
    {
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var model = new Option<string>("--model") { Description = "small (Small4M) or 0.5b (Qwen2.5-0.5B's shape, ~8 GB for full fine-tuning).", DefaultValueFactory = _ => "0.5b" };
        model.AcceptOnlyFromAmong("small", "0.5b");
        var r = new Option<int>("--r") { Description = "LoRA rank.", DefaultValueFactory = _ => 16 };
        var alpha = new Option<double>("--alpha") { Description = "LoRA alpha.", DefaultValueFactory = _ => 32 };
        var targets = new Option<string>("--targets") { Description = "Comma-separated target modules, or all-linear.", DefaultValueFactory = _ => LoraConfig.AllLinear };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 4 };
        var sequenceLength = new Option<int>("--seq-len") { Description = "Tokens per sequence.", DefaultValueFactory = _ => 128 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps of each kind first.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Timed steps of each kind, alternating (the medians are reported).", DefaultValueFactory = _ => 3 };
        var command = new Command("lora", "LoRA vs full fine-tuning: parameter + gradient + AdamW-state bytes and step time on the same model and batch.")
            { threads, model, r, alpha, targets, batch, sequenceLength, warmup, steps };
        command.SetAction(p => CliRun.Run(p, () =>
        {
            AhaRuntime.Initialize(new RuntimeOptions { Threads = p.GetValue(threads) });
            var lora = new LoraConfig { R = p.GetValue(r), Alpha = p.GetValue(alpha), TargetModules = p.GetRequiredValue(targets).Split(',', StringSplitOptions.TrimEntries) };
            var (name, config) = p.GetValue(model) == "small" ? ("Small4M", BenchModels.Small4M) : ("Qwen2.5-0.5B-shape", BenchModels.Qwen25HalfB);
            var result = LoraBenchmark.Run(name, config, lora, p.GetValue(batch), p.GetValue(sequenceLength), p.GetValue(warmup), p.GetValue(steps));
            p.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, Json));
        }));
        return command;
    }
}
