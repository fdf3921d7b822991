using System.Text.Json;
using System.Text.Json.Nodes;
using Aha.Models;
using Aha.Tests.Cli;
using Aha.Tokenization;

namespace Aha.Tests.R1Zero;

/// <summary>A shortened <c>aha r1zero</c> (tiny model, a few steps) through the real CLI, checked file by file.</summary>
[Collection(SerialCollection.Name)]
public sealed class R1ZeroEndToEndTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Test-time compute sized down: 4 samples on 8 held-out problems; the reward model from 2 samples of 24 training problems.</summary>
    static readonly string[] Scaling =
        ["scaling.samples=4", "scaling.heldout_problems=8", "scaling.reward_model.train_problems=24", "scaling.reward_model.samples_per_problem=2"];

    static readonly string[] Tiny =
    [
        "--task", "selfcheck", "--pretrain-steps", "40", "--corpus-docs", "3000", "--test-problems", "40", "--train-problems", "300", "--steps", "3",
        "--hidden", "32", "--layers", "1", "--num-generations", "4", "--prompts-per-step", "4", "--max-new-tokens", "32",
        "--eval-k", "4", "--heldout-every", "2", "--threads", "2",
        .. Scaling.SelectMany(kv => new[] { "--set", kv }),
    ];
    static JsonObject Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();

    static List<JsonObject> Jsonl(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    /// <summary>The same run as <see cref="Tiny"/>, written as the shipped config file plus --set keys.</summary>
    static string[] TinyAsConfig() =>
    [
        "--config", Path.Combine(RepoRoot.Find(), "configs", "r1zero.yaml"),
        .. ((string[])
        [
            "task=selfcheck", "pretrain.max_steps=40", "corpus.documents=3000", "data.test_problems=40", "data.train_problems=300", "rl.steps=3",
            "model.hidden_size=32", "model.layers=1", "rl.num_generations=4", "rl.prompts_per_step=4", "rl.max_new_tokens=32",
            "eval.k=4", "eval.heldout_every=2", "threads=2", .. Scaling,
        ]).SelectMany(kv => new[] { "--set", kv }),
    ];

    [Fact]
    public void ShortRun_WritesEveryFile_AndSummaryAgreesWithTheLogs_AndIsDeterministic()
    {
        var out1 = Path.Combine(_dir.Path, "run1");
        var (code, output, error) = AhaCli.Run(["r1zero", "--out", _dir.Path, "--name", "run1", .. Tiny]);
        Assert.True(code == 0, error + output);
        Assert.Contains("before RL", output);

        foreach (var f in new[] { "summary.json", "metrics.jsonl", "metrics.csv", "completions.jsonl", "eval_completions.jsonl", "report.md", "corpus_sample.txt",
                     "resolved_config.yaml", "log.txt", "base_model/base.json", "final/config.json" })
            Assert.True(new FileInfo(Path.Combine(out1, f)).Length > 0, f);
        var pngs = Directory.GetFiles(Path.Combine(out1, "plots"), "*.png");
        Assert.Contains(pngs, p => p.EndsWith("r1zero_accuracy.png"));
        Assert.All(pngs, p => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(p)[..4]));

        var s = Summary(out1);
        foreach (var key in new[] { "accuracy_before", "accuracy_after", "sampled_pass1_before", "sampled_pass1_after", "maj8_before", "maj8_after",
                     "pass8_before", "pass8_after", "format_rate_before", "format_rate_after", "mean_completion_len_before", "mean_completion_len_after",
                     "rl_steps", "pretrain_seconds", "rl_seconds", "total_seconds", "seed", "preset",
                     "reflection_rate_before", "reflection_rate_after", "backtrack_rate_before", "backtrack_rate_after", "aha_step",
                     "eval_k", "pass_at_k_before", "pass_at_k_after", "maj_at_k_before", "maj_at_k_after" })
            Assert.True(s.ContainsKey(key), key);
        Assert.Equal(4, (int)s["eval_k"]!);
        // The deprecated names repeat the honest ones.
        foreach (var (old, now) in new[] { ("pass8", "pass_at_k"), ("maj8", "maj_at_k") })
            foreach (var phase in new[] { "before", "after" })
                Assert.Equal((double)s[$"{now}_{phase}"]!, (double)s[$"{old}_{phase}"]!);
        Assert.Equal("dr_grpo", (string)s["preset"]!);     // rl.preset null: the selfcheck task's
        Assert.Equal("selfcheck", (string)s["task"]!);

        // Recompute the before/after figures from the per-problem file.
        var eval = Jsonl(Path.Combine(out1, "eval_completions.jsonl"));
        foreach (var phase in new[] { "before", "after" })
        {
            var rows = eval.Where(r => (string)r["phase"]! == phase).ToList();
            Assert.Equal(40, rows.Count);
            Assert.Equal((double)s[$"accuracy_{phase}"]!, rows.Average(r => (bool)r["greedy_correct"]! ? 1.0 : 0.0), 12);
            Assert.Equal((double)s[$"format_rate_{phase}"]!, rows.Average(r => (bool)r["greedy_format_ok"]! ? 1.0 : 0.0), 12);
            Assert.Equal((double)s[$"mean_completion_len_{phase}"]!, rows.Average(r => (double)(int)r["greedy_length"]!), 12);
            Assert.Equal((double)s[$"sampled_pass1_{phase}"]!, rows.Average(r => (double)(int)r["sampled_correct"]! / (int)r["samples"]!), 12);
            Assert.Equal((double)s[$"pass_at_k_{phase}"]!, rows.Average(r => (int)r["sampled_correct"]! > 0 ? 1.0 : 0.0), 12); // pass@k with n = k
            Assert.Equal((double)s[$"maj_at_k_{phase}"]!, rows.Average(r => (bool)r["majority_correct"]! ? 1.0 : 0.0), 12);
            Assert.All(rows, r => Assert.Equal(4, (int)r["samples"]!));
            // Reflection: share of all sampled completions that verify or backtrack; mean sampled length.
            int samples = rows.Sum(r => (int)r["samples"]!);
            Assert.Equal((double)s[$"reflection_rate_{phase}"]!, rows.Sum(r => (int)r["sampled_reflective"]!) / (double)samples, 12);
            Assert.Equal((double)s[$"backtrack_rate_{phase}"]!, rows.Sum(r => (int)r["sampled_backtracking"]!) / (double)samples, 12);
            Assert.Equal((double)s[$"sampled_mean_len_{phase}"]!, rows.Sum(r => (int)r["sampled_length"]!) / (double)samples, 12);
            // The greedy verdict itself: the <answer> equals the ground truth.
            foreach (var r in rows)
                Assert.Equal((bool)r["greedy_correct"]!, (string?)r["greedy_answer"] == (string)r["answer"]!);
        }

        // metrics.jsonl: a step-0 row (held-out before RL), then rl_steps training rows; the last carries the held-out curve.
        var metrics = Jsonl(Path.Combine(out1, "metrics.jsonl"));
        int steps = (int)s["rl_steps"]!;
        Assert.Equal(Enumerable.Range(0, steps + 1), metrics.Select(m => (int)m["step"]!));
        Assert.True(metrics[^1].ContainsKey("heldout/accuracy"));
        Assert.All(metrics.Skip(1), m => Assert.InRange((double)m["accuracy"]!, 0, 1));
        // reflection/rate on every training row, equal to the logged reflection reward; aha_step = the first row t whose
        // right completions of rows t … t+4 (fewer at the end), pooled, mostly self-corrected (null when none).
        Assert.All(metrics.Skip(1), m => Assert.Equal((double)m["rewards/reflection/mean"]!, (double)m["reflection/rate"]!));
        var rl = metrics.Skip(1).ToList();
        int? aha = null;
        for (int i = 0; i < rl.Count && aha is null; i++)
        {
            double right = rl.Skip(i).Take(5).Sum(m => (double)m["rewards/math/mean"]!);
            double both = rl.Skip(i).Take(5).Sum(m => (double)m["rewards/right_after_backtrack/mean"]!);
            if (right > 0 && both / right > 0.5) aha = (int)rl[i]["step"]!;
        }
        Assert.Equal(aha, (int?)s["aha_step"]);
        // completions.jsonl: 8 logged samples per step; their total reward is the weighted sum of correctness + format;
        // the weight-0 reflection rewards agree with the detector on the logged text.
        var completions = Jsonl(Path.Combine(out1, "completions.jsonl"));
        Assert.Equal(steps * 8, completions.Count);
        foreach (var c in completions)
        {
            var rewards = c["rewards"]!.AsObject();
            Assert.Equal((double)c["reward"]!, (double)rewards["math"]! + (double)rewards["format"]!, 9);
            Assert.Equal((double)rewards["format"]! > 0, (double)rewards["format_ok"]! == 1.0);
            string text = (string)c["completion"]!;
            Assert.Equal(Aha.R1Zero.ReflectionDetector.Reflects(text) ? 1.0 : 0.0, (double)rewards["reflection"]!);
            Assert.Equal(Aha.R1Zero.ReflectionDetector.Backtracks(text) && (double)rewards["math"]! == 1 ? 1.0 : 0.0, (double)rewards["right_after_backtrack"]!);
        }
        // The mean training accuracy of step 1 is consistent with what was logged of it: a fraction of 16 samples.
        double acc1 = (double)metrics[1]["accuracy"]!;
        Assert.Equal(Math.Round(acc1 * 16), acc1 * 16, 9);

        // The RL-trained policy is saved as a HF folder with its tokenizer: it moved away from the base model exactly
        // when some step had a non-zero gradient (a tiny run may see only all-equal rewards, hence zero advantages).
        using (var final = Aha.Checkpoints.HfCheckpoint.LoadCausalLM(Path.Combine(out1, "final")))
        using (var start = Aha.Checkpoints.HfCheckpoint.LoadCausalLM(Path.Combine(out1, "base_model")))
        {
            Assert.Equal(TokenizerLoader.Load(Path.Combine(out1, "base_model")).VocabSize, TokenizerLoader.Load(Path.Combine(out1, "final")).VocabSize);
            bool stepped = metrics.Skip(1).Any(m => (double)m["grad_norm"]! > 0);
            Assert.Equal(stepped, !final.Backbone.EmbeddingWeight.allclose(start.Backbone.EmbeddingWeight, rtol: 0, atol: 0));
        }

        // Test-time compute: the table's last point (N = scaling.samples) per model is what the summary reports, and the
        // reward model exists exactly when the base model's samples gave right/wrong pairs to train it on.
        var ttc = s["test_time_compute"]!.AsObject();
        var scalingJson = JsonNode.Parse(File.ReadAllText(Path.Combine(out1, "compute_scaling.json")))!;
        Assert.Equal(4, (int)scalingJson["samples_per_problem"]!);
        Assert.Equal(8, (int)scalingJson["problems"]!);
        Assert.Equal(["base", "rl"], scalingJson["models"]!.AsArray().Select(m => (string)m!["label"]!).ToArray());
        foreach (var (model, phase) in new[] { (0, "before"), (1, "after") })
        {
            var points = scalingJson["models"]![model]!["points"]!.AsArray();
            Assert.Equal([1, 2, 4], points.Select(p => (int)p!["n"]!).ToArray());
            foreach (var metric in new[] { "pass_at_n", "maj_at_n", "best_of_n" })
                Assert.Equal((double)points[^1]![metric]!, (double)ttc[$"{metric}_{phase}"]!, 12);
            Assert.Equal((string)ttc["scorer"]!, (string)scalingJson["models"]![model]!["scorer"]!);
        }
        bool trained = (int)ttc["reward_model_pairs"]! > 0;
        Assert.Equal(trained ? "reward_model" : "verifier", (string)ttc["scorer"]!);
        Assert.Equal(trained, File.Exists(Path.Combine(out1, "reward_model", "config.json")));
        Assert.True(new FileInfo(Path.Combine(out1, "compute_scaling.png")).Length > 0);

        var report = File.ReadAllText(Path.Combine(out1, "report.md"));
        Assert.Contains("## Test-time compute", report);
        Assert.Contains("plots/r1zero_accuracy.png", report);
        Assert.Contains("plots/r1zero_reflection.png", report);
        Assert.Contains("## The aha step", report);

        // Same seed → same summary (timings aside), whether the settings come as the old flags or as the config file + --set.
        var out2 = Path.Combine(_dir.Path, "run2");
        var second = AhaCli.Run(["r1zero", "--out", _dir.Path, "--name", "run2", .. TinyAsConfig()]);
        Assert.True(second.ExitCode == 0, second.Error + second.Output);
        Assert.Equal(File.ReadAllLines(Path.Combine(out1, "resolved_config.yaml")).Skip(1), File.ReadAllLines(Path.Combine(out2, "resolved_config.yaml")).Skip(1));
        var (a, b) = (Summary(out1), Summary(out2));
        foreach (var key in a.Select(kv => kv.Key).Where(k => !k.EndsWith("_seconds")))
            Assert.True(JsonNode.DeepEquals(a[key], b[key]), $"{key}: {a[key]?.ToJsonString()} vs {b[key]?.ToJsonString()}");
    }

    [Fact]
    public void ModelOption_RunsOnATinyCheckpointFromModelInit_WithJsonlData()
    {
        // A character tokenizer over printable ASCII so the R1-Zero template and GSM8K text encode.
        var alphabet = new string(Enumerable.Range(32, 95).Select(i => (char)i).ToArray()) + "\n";
        var tokenizer = CharTokenizer.Create(alphabet);
        tokenizer.Save(_dir["tok"]);
        var config = _dir.File("config.json", (TinyModels.Qwen2() with { VocabSize = tokenizer.VocabSize }).ToJson());
        Assert.Equal(0, AhaCli.Run("model", "init", "--config", config, "--out", _dir["model"], "--tokenizer", _dir["tok"]).ExitCode);
        var lines = Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new { question = $"What is {i} + {i}?", answer = $"{i} plus {i}.\n#### {2 * i}" }));
        var data = _dir.File("gsm8k.jsonl", string.Join("\n", lines) + "\n");

        var outDir = Path.Combine(_dir.Path, "out");
        var (code, output, error) = AhaCli.Run("r1zero", "--model", _dir["model"], "--data", data, "--out", _dir.Path, "--name", "out", "--steps", "2",
            "--num-generations", "2", "--prompts-per-step", "2", "--max-new-tokens", "8", "--eval-k", "2", "--test-problems", "4", "--threads", "2");
        Assert.True(code == 0, error + output);
        var s = Summary(outDir);
        Assert.Equal(4, (int)s["eval_problems"]!);
        Assert.Equal(0, (int)s["pretrain_steps"]!);
        Assert.Equal(2, (int)s["rl_steps"]!);
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
        // The held-out problems are the first 4 records, with their GSM8K '#### n' answers.
        var eval = Jsonl(Path.Combine(outDir, "eval_completions.jsonl"));
        Assert.Equal(["0", "2", "4", "6"], eval.Where(r => (string)r["phase"]! == "before").Select(r => (string)r["answer"]!).ToArray());
    }

    [Fact]
    public void BadOptions_AreOneClearError()
    {
        var (code, _, error) = AhaCli.Run("r1zero", "--task", "chess", "--out", _dir["bad"]);
        Assert.Equal(2, code);
        Assert.Contains("task: must be one of arithmetic, selfcheck, countdown, tool-arithmetic", error);
        (code, _, error) = AhaCli.Run("r1zero", "--data", _dir.File("d.jsonl", "{}\n"), "--out", _dir["bad"]);
        Assert.Equal(2, code);
        Assert.Contains("data.path: needs model.path (--model)", error);
        (code, _, error) = AhaCli.Run("r1zero", "--model", _dir["nowhere"], "--out", _dir["bad"]);
        Assert.Equal(2, code);
        Assert.Contains("does not exist", error);
    }
}
