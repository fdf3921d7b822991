using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aha.Tests.Cli;

namespace Aha.Tests.R1Zero;

/// <summary>A shortened <c>aha r1zero --task tool-arithmetic</c> (tiny model, two RL steps) through the real CLI: the files the tool task adds.</summary>
[Collection(SerialCollection.Name)]
public sealed class ToolArithmeticEndToEndTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static List<JsonObject> Jsonl(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    [Fact]
    public void ShortToolRun_CountsGreedyCalls_RewardsCorrectnessOnly_AndReportsToolUse()
    {
        var dir = Path.Combine(_dir.Path, "tool");
        var (code, output, error) = AhaCli.Run(["r1zero", "--out", _dir.Path, "--name", "tool",
            "--task", "tool-arithmetic", "--pretrain-steps", "30", "--corpus-docs", "2000", "--test-problems", "12", "--train-problems", "200",
            "--steps", "2", "--hidden", "32", "--layers", "1", "--num-generations", "4", "--prompts-per-step", "4", "--eval-k", "2",
            "--heldout-every", "1", "--threads", "2",
            // test-time compute sized down (4 samples on 8 held-out problems, its reward model from 2 samples of 24 problems): episodes with tools
            "--set", "scaling.samples=4", "--set", "scaling.heldout_problems=8", "--set", "scaling.reward_model.train_problems=24",
            "--set", "scaling.reward_model.samples_per_problem=2"]);
        Assert.True(code == 0, error + output);

        // summary.json's tool-call rates are the shares of held-out greedy trajectories that contain a call.
        var s = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
        var eval = Jsonl(Path.Combine(dir, "eval_completions.jsonl"));
        foreach (var phase in new[] { "before", "after" })
        {
            var rows = eval.Where(r => (string)r["phase"]! == phase).ToList();
            Assert.Equal(12, rows.Count);
            Assert.Equal(rows.Average(r => ((string)r["greedy"]!).Contains("<tool_call>") ? 1.0 : 0.0), (double)s[$"tool_call_rate_{phase}"]!, 12);
        }

        // The corpus: restated guesses and calls, each expression the prompt's own, each answer the value before it.
        var docs = File.ReadAllLines(Path.Combine(dir, "corpus_sample.txt")).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(40, docs.Count);
        var mental = new Regex(@"^\[mental\] ([0-9*+]+)=<think>\1=(\d+)</think><answer>\2</answer>$");
        var tool = new Regex(@"^\[tool\] ([0-9*+]+)=<tool_call>\{""name"":""calculator"",""arguments"":\{""expression"":""\1""\}\}</tool_call><tool_response>(\d+)</tool_response><answer>\2</answer>$");
        Assert.All(docs, d => Assert.True(mental.IsMatch(d) || tool.IsMatch(d), d));

        // No format bonus for this task: every logged sample's reward is its correctness; the format is only logged.
        var completions = Jsonl(Path.Combine(dir, "completions.jsonl"));
        Assert.NotEmpty(completions);
        foreach (var c in completions)
        {
            var rewards = c["rewards"]!.AsObject();
            Assert.Equal(0.0, (double)rewards["format"]!);
            Assert.Equal((double)rewards["math"]!, (double)c["reward"]!, 12);
        }

        var metrics = Jsonl(Path.Combine(dir, "metrics.jsonl"));
        Assert.All(metrics.Where(m => m.ContainsKey("heldout/accuracy")), m => Assert.InRange((double)m["heldout/tool_call_rate"]!, 0, 1));
        var report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("| greedy completions that call a tool |", report);
        Assert.Contains("plots/r1zero_tools.png", report);
        Assert.True(File.Exists(Path.Combine(dir, "plots", "r1zero_tools.png")));
        Assert.True(File.Exists(Path.Combine(dir, "compute_scaling.json")));
    }
}
