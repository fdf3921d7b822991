using Aha.Checkpoints;
using Aha.Configuration;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

public sealed class OnPolicyCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    string Runs => _dir["runs"];

    (int Code, string Output, string Error) Aha(params string[] args) => AhaCli.Run([.. args, "--out", Runs, "--threads", "1"]);

    [Fact]
    public void GrpoPresetDapo_WithNoConfig_WritesAFullRunFolderThatLoadsBack()
    {
        var (code, output, error) = Aha("grpo", "--preset", "dapo", "--name", "demo");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, "demo");
        Assert.Contains(run, output);

        var rows = RunFolder.Metrics(run);
        Assert.Equal([1, 2, 3, 4], rows.Select(r => r.Step));                          // the tiny default: 4 steps
        Assert.All(rows, r => Assert.Contains("reward", r.Metrics.Keys));
        Assert.All(rows, r => Assert.Contains("gen_rounds", r.Metrics.Keys));          // dapo's dynamic sampling is on
        var completions = RunFolder.Jsonl(Path.Combine(run, "completions.jsonl"));
        Assert.NotEmpty(completions);
        Assert.Contains("Compute", completions[0].GetProperty("prompt").GetString());  // the arithmetic task's prompts

        var resolved = ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(run, "resolved_config.yaml"));
        Assert.Equal("dapo", resolved.Trainer.Preset);
        Assert.Equal(new Dictionary<string, double> { ["math"] = 1.0, ["format"] = 0.1 }, resolved.Rewards);
        Assert.Equal("math", resolved.Trainer.AccuracyReward);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "plots"), "*.png"));
        Assert.True(File.Exists(Path.Combine(run, "eval.json")));

        var tokenizer = TokenizerLoader.Load(Path.Combine(run, "final"));
        using var model = HfCheckpoint.LoadCausalLM(Path.Combine(run, "final"));
        Assert.Equal(tokenizer.VocabSize, model.Config.VocabSize);
        Assert.Equal("Compute 1+2", tokenizer.Decode(tokenizer.Encode("Compute 1+2")));
    }

    [Fact]
    public void SetOverrides_ReachTheTrainer_AndAreRecordedInTheResolvedConfig()
    {
        var (code, _, error) = Aha("grpo", "--name", "o", "--set", "steps=2", "--set", "trainer.learning_rate=0.005",
            "--set", "trainer.num_generations=3", "--set", "trainer.log_samples_per_step=100");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, "o");
        var resolved = ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(run, "resolved_config.yaml"));
        Assert.Equal((2, 0.005, 3), (resolved.Steps, resolved.Trainer.LearningRate, resolved.Trainer.NumGenerations));
        var rows = RunFolder.Metrics(run);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(0.005, r.Metrics["learning_rate"]));                   // constant LR: the peak is the override
        // 2 prompts per step × G = 3: every completion of step 1 is logged.
        Assert.Equal(6, RunFolder.Jsonl(Path.Combine(run, "completions.jsonl")).Count(c => c.GetProperty("step").GetInt32() == 1));
    }

    [Fact]
    public void PresetFlag_OverridesTheFilesPreset_AndSetOverridesTheFile_AndResolvedConfigShowsThePresetsValues()
    {
        // --preset is the command line, so it wins over the file as --set does (documented in --preset's help).
        var config = _dir.File("c.yaml", "steps: 1\ntrainer:\n  preset: rloo\n  max_new_tokens: 6\n");
        var (code, _, error) = Aha("grpo", "--preset", "dapo", "--config", config, "--name", "p", "--set", "trainer.max_new_tokens=5");
        Assert.True(code == 0, error);
        var resolved = ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(Runs, "p", "resolved_config.yaml"));
        Assert.Equal(("dapo", 5, 1), (resolved.Trainer.Preset, resolved.Trainer.MaxNewTokens, resolved.Steps));
        // DAPO (arXiv:2503.14476): clip-higher ε_high 0.28, token-mean aggregation, dynamic sampling; written out, not null.
        Assert.Equal((0.2, 0.28, true), (resolved.Trainer.ClipLow, resolved.Trainer.ClipHigh, resolved.Trainer.DynamicSampling));
        Assert.Equal("token-mean", resolved.Trainer.Aggregation);
        Assert.DoesNotContain("clip_high: null", File.ReadAllText(Path.Combine(Runs, "p", "resolved_config.yaml")));

        // Without --preset the file's choice stands.
        (code, _, error) = Aha("grpo", "--config", config, "--name", "q");
        Assert.True(code == 0, error);
        Assert.Equal("rloo", ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(Runs, "q", "resolved_config.yaml")).Trainer.Preset);
    }

    [Theory]
    [InlineData("trainer:\n  learning_rat: 0.1\n", "trainer.learning_rat", "c.yaml:2:3", "Did you mean 'learning_rate'")]
    [InlineData("steps: 3\ntrainer:\n  num_generations: many\n", "trainer.num_generations", "c.yaml:3:20", "is not an integer")]
    [InlineData("model:\n  path: /no/such/model\n", "model.path", "c.yaml:2:3", "not found")]
    [InlineData("trainer:\n  learning_rate: -1\n", "trainer.learning_rate", "c.yaml:2:3", "learning_rate must be > 0")]
    public void BadConfig_IsOneErrorNamingKeyAndFile_AndCreatesNoRunFolder(string yaml, string key, string where, string message)
    {
        var config = _dir.File("c.yaml", yaml);
        var (code, _, error) = Aha("grpo", "--config", config, "--name", "bad");
        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));   // one problem, one line
        Assert.StartsWith("error: ", line);
        Assert.Contains($"{where}: {key}: ", line);
        Assert.Contains(message, error);
        Assert.False(Directory.Exists(Runs));
    }

    [Fact]
    public void BadSetOverride_NamesTheOverride_AndCreatesNoRunFolder()
    {
        var (code, _, error) = Aha("ppo", "--set", "trainer.gamma=2", "--name", "bad");
        Assert.Equal(2, code);
        Assert.Contains("--set trainer.gamma=2: trainer.gamma: gamma must be in [0, 1]", error);
        Assert.False(Directory.Exists(Runs));
    }

    [Fact]
    public void TrainerRefusingItsInputs_AfterTheFolderOpened_LeavesNoRunFolder()
    {
        // The config is valid on its own; only the trainer, built after the run folder exists (with the tracker as its
        // observer), sees that the accuracy reward is not among the arithmetic task's rewards (math, format).
        var (code, _, error) = Aha("grpo", "--set", "trainer.accuracy_reward=countdown", "--name", "bad");
        Assert.Equal(2, code);
        Assert.Contains("accuracy_reward 'countdown' is not one of the scorer's rewards", error);
        Assert.False(Directory.Exists(Path.Combine(Runs, "bad")));
        Assert.Empty(Directory.Exists(Runs) ? Directory.GetFileSystemEntries(Runs) : []);
    }

    [Fact]
    public void Resume_FromAMidRunCheckpoint_ReproducesTheUninterruptedRunsMetrics()
    {
        // grpo with β > 0 (reference model), μ = 2 over two mini-batches (π_old forward), warmup + cosine LR.
        string[] settings = ["--set", "steps=4", "--set", "checkpointing.every=2", "--set", "checkpointing.keep_last=5",
            "--set", "trainer.num_iterations=2", "--set", "trainer.mini_batch_size=4", "--set", "trainer.warmup_steps=1",
            "--set", "trainer.total_steps=4"];
        Assert.Equal(0, Aha(["grpo", "--name", "whole", .. settings]).Code);
        Assert.Equal(0, Aha(["grpo", "--name", "cut", .. settings]).Code);

        // "Interrupt" the second run after step 2: its newest checkpoint is step 2, its later rows are stale.
        var cut = Path.Combine(Runs, "cut");
        Directory.Delete(Path.Combine(cut, "checkpoints", "step-000004"), recursive: true);
        Directory.Delete(Path.Combine(cut, "final"), recursive: true);
        var (code, _, error) = AhaCli.Run("grpo", "--resume", cut, "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("step-000002", File.ReadAllText(Path.Combine(cut, "log.txt")));

        var expected = RunFolder.Metrics(Path.Combine(Runs, "whole"));
        var actual = RunFolder.Metrics(cut);
        Assert.Equal([1, 2, 3, 4], actual.Select(r => r.Step));                        // stale rows 3–4 replaced, not duplicated
        foreach (var ((step, e), (_, a)) in expected.Zip(actual).Skip(2))
        {
            Assert.Equal(e.Keys.Order(), a.Keys.Order());
            foreach (var (name, value) in e.Where(kv => !MetricNames.IsClock(kv.Key)))
                Assert.True(Math.Abs(value - a[name]) <= 1e-5, $"step {step} {name}: resumed {a[name]} vs uninterrupted {value}");
        }
        Assert.True(Directory.Exists(Path.Combine(cut, "final")));
    }

    [Fact]
    public void Ppo_RunsWithACritic_AndLogsValueMetrics()
    {
        var (code, _, error) = Aha("ppo", "--name", "ppo", "--set", "steps=2", "--set", "eval.at_end=false");
        Assert.True(code == 0, error);
        var rows = RunFolder.Metrics(Path.Combine(Runs, "ppo"));
        Assert.All(rows, r => Assert.Contains("value_loss", r.Metrics.Keys));
    }
}
