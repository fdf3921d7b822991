using Aha.Checkpoints;
using Aha.Cli.Commands;
using Aha.Configuration;
using Aha.Data;
using Aha.Tokenization;
using Aha.Training.OnPolicy;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

public sealed class OfflineCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    string Runs => _dir["runs"];

    (int Code, string Output, string Error) Aha(params string[] args) => AhaCli.Run([.. args, "--out", Runs, "--threads", "1"]);

    /// <summary>Preference pairs with a learnable rule: the chosen completion starts with "x".</summary>
    string Preferences() => _dir.File("prefs.jsonl", string.Join("\n", Enumerable.Range(0, 8).Select(i =>
        $"{{\"prompt\": \"q{i}=\", \"chosen\": \"x{i}\", \"rejected\": \"y{i}\"}}")) + "\n");

    [Fact]
    public void Sft_OnAJsonlFile_TrainsTheGivenSteps_AndSavesALoadableModel()
    {
        var data = _dir.File("sft.jsonl", string.Join("\n", Enumerable.Range(0, 6).Select(i =>
            $"{{\"prompt\": \"{i}+1=\", \"completion\": \"{i + 1}\"}}")) + "\n");
        var (code, _, error) = Aha("sft", "--name", "s", "--set", $"data.train={data}", "--set", "trainer.max_steps=3",
            "--set", "trainer.batch_size=2", "--set", "checkpointing.every=2");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, "s");
        var rows = RunFolder.Metrics(run);
        Assert.Equal([1, 2, 3], rows.Select(r => r.Step));
        Assert.All(rows, r => Assert.True(r.Metrics["loss"] > 0));
        Assert.True(Directory.Exists(Path.Combine(run, "checkpoints", "step-000002")));
        using var model = HfCheckpoint.LoadCausalLM(Path.Combine(run, "final"));
        Assert.Equal("3+1=", TokenizerLoader.Load(Path.Combine(run, "final")).Decode(TokenizerLoader.Load(Path.Combine(run, "final")).Encode("3+1=")));
    }

    [Fact]
    public void Sft_OnATask_UsesTheSyntheticColdStart_AndEvaluatesOnItsTestSplit()
    {
        var (code, _, error) = Aha("sft", "--name", "cold", "--set", "data.train_size=8", "--set", "data.eval_size=4",
            "--set", "trainer.max_steps=2", "--set", "trainer.batch_size=4");
        Assert.True(code == 0, error);
        var rows = RunFolder.Metrics(Path.Combine(Runs, "cold"));
        Assert.Contains("eval_loss", rows[^1].Metrics.Keys);                             // the last step evaluates
        var resolved = ConfigLoader.Load<SftRunConfig>(Path.Combine(Runs, "cold", "resolved_config.yaml"));
        Assert.Equal(("arithmetic", 2, 0.001), (resolved.Data.Task, resolved.Trainer.MaxSteps, resolved.Trainer.LearningRate));
    }

    [Fact]
    public void ColdStartExample_WrapsTheQuestionAndAnswerInTheRewardedFormat()
    {
        var item = new PromptItem("a-1", "Compute 2+3. Think…", "5", new Dictionary<string, string> { ["question"] = "2+3" });
        var example = RunData.ColdStart(item);
        Assert.Equal("Compute 2+3. Think…", example.Prompt);
        Assert.Equal("<think>2+3</think><answer>5</answer>", example.Completion);
        Assert.Equal(1.1, new Aha.Rewards.MathReward().Score(new("", example.Completion!, "5", null, null)).Value!.Value
                          + new Aha.Rewards.FormatReward().Score(new("", example.Completion!, "5", null, null)).Value!.Value, 6);
    }

    [Fact]
    public void Rm_OnPreferencePairs_LogsPairwiseAccuracy_AndSavesAScalarHeadModel()
    {
        var (code, _, error) = Aha("rm", "--name", "rm", "--set", $"data.train={Preferences()}", "--set", "trainer.max_steps=2",
            "--set", "trainer.batch_size=4");
        Assert.True(code == 0, error);
        var rows = RunFolder.Metrics(Path.Combine(Runs, "rm"));
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.InRange(r.Metrics["accuracy"], 0, 1));
        using var rm = HfCheckpoint.LoadScalarHeadModel(Path.Combine(Runs, "rm", "final"));
        // The saved head is the trained one, not a fresh draw: loading twice gives the same weights.
        using var again = HfCheckpoint.LoadScalarHeadModel(Path.Combine(Runs, "rm", "final"), seed: 99);
        Assert.True(rm.get_parameter("score.weight")!.allclose(again.get_parameter("score.weight")!));
    }

    [Fact]
    public void Dpo_OnPreferencePairs_LogsRewardAccuracy_AndSavesThePolicy()
    {
        var (code, _, error) = Aha("dpo", "--name", "dpo", "--set", $"data.train={Preferences()}", "--set", "trainer.max_steps=2",
            "--set", "trainer.batch_size=4");
        Assert.True(code == 0, error);
        var rows = RunFolder.Metrics(Path.Combine(Runs, "dpo"));
        Assert.Equal(2, rows.Count);
        Assert.Equal(Math.Log(2), rows[0].Metrics["loss"], 5);                           // policy = reference at step 1: −log σ(0)
        Assert.Contains("rewards/accuracies", rows[0].Metrics.Keys);
        using var _ = HfCheckpoint.LoadCausalLM(Path.Combine(Runs, "dpo", "final"));
    }

    [Fact]
    public void Dpo_WithoutPreferenceFiles_IsAConfigError_AndCreatesNoRunFolder()
    {
        var (code, _, error) = Aha("dpo", "--name", "dpo");
        Assert.Equal(2, code);
        Assert.Contains("data.train: is required", error);
        Assert.False(Directory.Exists(Runs));
    }

    [Fact]
    public void RejectionSample_BestOfN_WritesOneReadableSftLinePerPrompt()
    {
        var (code, output, error) = Aha("rejection-sample", "--name", "rs", "--set", "data.train_size=3",
            "--set", "sampler.selection=best_of_n", "--set", "sampler.min_reward=null", "--set", "sampler.samples_per_prompt=2",
            "--set", "sampler.keep_truncated=true");
        Assert.True(code == 0, error);
        Assert.Contains("3 completions written", output);
        var written = SftDataReader.Read(Path.Combine(Runs, "rs", "sft.jsonl")).ToList();
        Assert.Equal(3, written.Count);
        Assert.All(written, e => Assert.StartsWith("Compute ", e.Prompt));
        Assert.Equal(6, RunFolder.Jsonl(Path.Combine(Runs, "rs", "completions.jsonl")).Count);  // 3 prompts × N = 2, all logged
    }

    [Fact]
    public void Eval_OnAModelFolder_PrintsTheSummary_AndWritesTheFullReport()
    {
        var (code, _, error) = Aha("sft", "--name", "m", "--set", "trainer.max_steps=1", "--set", "data.train_size=4", "--set", "data.eval_size=0");
        Assert.True(code == 0, error);
        var problems = _dir.File("problems.jsonl", "{\"prompt\": \"1+1=\", \"answer\": \"2\"}\n{\"prompt\": \"2+2=\", \"answer\": \"4\"}\n");
        var report = _dir["report.json"];
        (code, var output, error) = AhaCli.Run("eval", "--model", Path.Combine(Runs, "m", "final"), "--data", problems, "--k", "3",
            "--set", "eval.max_new_tokens=4", "--report", report, "--threads", "1");
        Assert.True(code == 0, error);
        using var summary = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(2, summary.RootElement.GetProperty("problems").GetInt32());
        Assert.Equal(3, summary.RootElement.GetProperty("k").GetInt32());
        foreach (var key in new[] { "greedy_pass1", "sampled_pass1", "pass_at_k", "maj_at_k", "format_rate" })
            Assert.InRange(summary.RootElement.GetProperty(key).GetDouble(), 0, 1);
        using var full = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        var rows = full.RootElement.GetProperty("problems").EnumerateArray().ToList();
        Assert.Equal(["1+1=", "2+2="], rows.Select(r => r.GetProperty("prompt").GetString()));
        Assert.All(rows, r => Assert.InRange(r.GetProperty("greedy_length").GetInt32(), 0, 4));
    }

    [Fact]
    public void Eval_WithoutAModel_NamesTheMissingKey()
    {
        var (code, _, error) = AhaCli.Run("eval", "--task", "arithmetic");
        Assert.Equal(2, code);
        Assert.Contains("model.path: is required", error);
    }

    [Fact]
    public void Dpo_PrintsTheHeaderOnce_AndStepLinesWithImplicitRewards_OnTheConsoleAndInLog()
    {
        var data = Preferences();
        var (code, output, error) = Aha("dpo", "--name", "d", "--set", $"data.train={data}", "--set", "trainer.max_steps=2",
            "--set", "trainer.batch_size=4");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, "d");
        var header = new[]
        {
            $"aha dpo → {run}",
            "model: init tiny (seed 0) (Qwen2, 2 layers, hidden 32, vocab ",
            $"data: {data} · 8 train, 0 eval",
            "algorithm: dpo: loss_type sigmoid, beta 0.1, reference = the starting model",
            "device: cpu · 1 threads",
        };
        foreach (var line in header) Assert.Single(output.Split('\n'), l => l.Contains(line, StringComparison.Ordinal));
        var steps = output.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, steps.Count);
        Assert.All(steps, l => Assert.Matches(@"^step \d/2 acc \S+ loss \S+ chosen \S+ rejected \S+ margin \S+ fwd tok/s \d+ \|", l));

        var log = File.ReadAllLines(Path.Combine(run, "log.txt"));
        foreach (var line in header) Assert.Single(log, l => l.Contains("[info] " + line, StringComparison.Ordinal));
        var logged = log.Where(l => l.Contains(" [step] ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[step\] step \d/2 acc \S+ loss \S+ chosen \S+ rejected \S+ margin \S+", l));
    }

    [Fact]
    public void Rm_StepLinesShowAccuracyAndMargin()
    {
        var (code, output, error) = Aha("rm", "--name", "r", "--set", $"data.train={Preferences()}", "--set", "trainer.max_steps=1",
            "--set", "trainer.batch_size=4");
        Assert.True(code == 0, error);
        Assert.Matches(@"(?m)^step 1/1 acc \S+ loss \S+ chosen \S+ rejected \S+ margin \S+", output);
        Assert.Contains("algorithm: reward model: Bradley-Terry", output);
    }

    [Fact]
    public void AnErrorThatEndsTheRun_IsTheLastLineOfLog()
    {
        // one example: KTO has no mismatched completion to pair it with, which it finds after the run folder is open
        var data = _dir.File("one.jsonl", "{\"prompt\": \"q=\", \"completion\": \"x\", \"label\": true}\n");
        var (code, _, error) = Aha("kto", "--name", "k", "--set", $"data.train={data}", "--set", "trainer.max_steps=1");
        Assert.Equal(CliRun.UserError, code);
        Assert.Contains("error: KTO train: KTO needs at least two examples", error);
        var last = File.ReadAllLines(Path.Combine(Runs, "k", "log.txt"))[^1];
        Assert.Matches(@"^\S+ \[warning\] Fatal: KTO train: KTO needs at least two examples", last);
    }

    [Fact]
    public void OnPolicyHeader_NamesThePresetAsResolved()
    {
        // DAPO (arXiv:2503.14476) as the preset table defines it: group-normalised advantage, clip-higher 0.2/0.28,
        // token-mean aggregation, no KL term, dynamic sampling and overlong shaping on
        var spec = new OnPolicyConfig { Preset = "dapo" }.ResolveAlgorithm();
        Assert.Equal("preset dapo → estimator grpo, loss vanilla (ε 0.2/0.28), aggregation token-mean, no KL, dynamic sampling, overlong shaping",
            RunHeader.Describe("dapo", spec));
        var grpo = new OnPolicyConfig { Preset = "grpo", Beta = 0.04 }.ResolveAlgorithm();
        Assert.Contains("KL k3 in loss β 0.04", RunHeader.Describe("grpo", grpo));
    }
}
