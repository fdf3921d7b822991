using System.Text.Json.Nodes;
using Aha.Configuration;
using Aha.Tests.Cli;
using Aha.Tracking;
using Aha.Training.Runs;
using YamlDotNet.RepresentationModel;

namespace Aha.Tests.R1Zero;

/// <summary><c>aha r1zero</c> as a config-driven recipe: the shipped config file, resume of a stopped RL stage.</summary>
[Collection(SerialCollection.Name)]
public sealed class R1ZeroRecipeTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static string ShippedConfig => Path.Combine(RepoRoot.Find(), "configs", "r1zero.yaml");

    /// <summary>Every key path of a YAML mapping (<c>rl.steps</c>, …), leaves only.</summary>
    static SortedSet<string> Keys(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(YamlMappingNode map, string prefix)
        {
            foreach (var (k, v) in map.Children)
            {
                var key = prefix + ((YamlScalarNode)k).Value;
                if (v is YamlMappingNode child) Walk(child, key + ".");
                else keys.Add(key);
            }
        }
        Walk((YamlMappingNode)stream.Documents[0].RootNode, "");
        return keys;
    }

    [Fact]
    public void ShippedConfig_IsExactlyTheDefaults_AndSpellsOutEveryKey()
    {
        var loaded = ConfigLoader.Load<R1ZeroConfig>(ShippedConfig);
        Assert.Equal(new R1ZeroConfig(), loaded);
        // Every key the defaults have (as resolved_config.yaml writes them) is in the file, and no other.
        Assert.Equal(Keys(ConfigWriter.ToYaml(new R1ZeroConfig())), Keys(File.ReadAllText(ShippedConfig)));
        // And the resolved config a run writes reads back to the same config.
        Assert.Equal(loaded, ConfigLoader.ApplyText(new R1ZeroConfig(), ConfigWriter.ToYaml(loaded), "resolved"));
    }

    [Fact]
    public void Set_ChangesOnlyItsKey()
    {
        var c = ConfigLoader.Apply(new R1ZeroConfig(), ShippedConfig, ["rl.steps=20", "corpus.check_rate=0.2", "task=countdown"]);
        Assert.Equal(new R1ZeroConfig() with
        {
            Task = "countdown", Rl = new R1ZeroRlSection { Steps = 20 }, Corpus = new Aha.R1Zero.CorpusOptions { CheckRate = 0.2 },
        }, c);
    }

    [Theory]
    [InlineData("countdown", null, null, 1e-4, "grpo")]       // its own rate: its worked values drift at 5e-4 (R1ZeroTasks.CountdownLearningRate)
    [InlineData("arithmetic", null, null, 5e-4, "grpo")]      // the defaults of a task that names none
    [InlineData("selfcheck", null, null, 5e-4, "dr_grpo")]    // its own preset: under grpo its checking fades (R1ZeroTasks.SelfCheck)
    [InlineData("countdown", 3e-4, "dapo", 3e-4, "dapo")]     // set keys win
    [InlineData("selfcheck", null, "grpo", 5e-4, "grpo")]
    public void LearningRateAndPreset_AreTheTasksUnlessSet(string task, double? learningRate, string? preset, double expectedRate, string expectedPreset)
    {
        var c = new R1ZeroConfig
        {
            Task = task, Corpus = new Aha.R1Zero.CorpusOptions { Documents = 50 }, Data = new R1ZeroDataSection { TestProblems = 20, TrainProblems = 100 },
            Rl = new R1ZeroRlSection { LearningRate = learningRate, Preset = preset },
        };
        var inputs = R1ZeroInputs.Read(c);
        Assert.Equal((expectedRate, expectedPreset), (inputs.LearningRate, inputs.Preset));
        var trainer = c.Rl.Trainer(0, "math", inputs.MaxNewTokens, inputs.LearningRate, inputs.Preset);
        Assert.Equal((expectedRate, expectedPreset), (trainer.LearningRate, trainer.Preset));
    }

    [Fact]
    public void Problems_AreStructured_WithTheirKeys()
    {
        var e = Assert.Throws<ConfigException>(() => new R1ZeroConfig
        {
            Task = "chess", Corpus = new Aha.R1Zero.CorpusOptions { Documents = 0, CatchRate = 2 }, Rl = new R1ZeroRlSection { Preset = "nope" },
            Eval = new R1ZeroEvalSection { K = 0 },
        }.Validate());
        Assert.Equal(["corpus.catch_rate", "corpus.documents", "eval.k", "rl.preset", "task"], e.Errors.Select(x => x.KeyPath).Order(StringComparer.Ordinal));
        Assert.Equal(2.0, e.Errors.Single(x => x.KeyPath == "corpus.catch_rate").Value);
    }

    /// <summary>A run small enough for a test: seconds of pretraining, four RL steps.</summary>
    static R1ZeroConfig Tiny => new()
    {
        Task = "arithmetic", Threads = 2,
        Data = new R1ZeroDataSection { TestProblems = 20, TrainProblems = 200 },
        Corpus = new Aha.R1Zero.CorpusOptions { Documents = 2000 },
        Model = new R1ZeroModelSection { HiddenSize = 32, Layers = 1 },
        Pretrain = new Aha.R1Zero.PretrainOptions { MaxSteps = 40 },
        Rl = new R1ZeroRlSection { Steps = 4, NumGenerations = 4, PromptsPerStep = 4, MaxNewTokens = 24 },
        Eval = new R1ZeroEvalSection { K = 2, HeldoutSubset = 10, HeldoutEvery = 2 },
        Checkpointing = new CheckpointSection { Every = 3 },
        Scaling = new R1ZeroScalingSection { Samples = 4, HeldoutProblems = 8, RewardModel = new R1ZeroRewardModelSection { TrainProblems = 24, SamplesPerProblem = 2 } },
    };

    /// <summary>Console output that cancels the run once pretraining logs the given step.</summary>
    sealed class CancelAtPretrainStep(CancellationTokenSource cts, int step) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains($"pretrain step {step}/", StringComparison.Ordinal) == true) cts.Cancel();
        }
    }

    [Fact]
    public void StopDuringPretraining_EndsTheRunBetweenSteps_SavesNoBase_AndResumePretrainsAgain()
    {
        var root = _dir["runs"];
        using var cts = new CancellationTokenSource();
        var console = new CancelAtPretrainStep(cts, 10);
        var stopped = R1ZeroRecipe.Run(Tiny with { Pretrain = Tiny.Pretrain with { LogEvery = 10 } }, new RunOptions
        {
            Root = root, Name = "early", Console = console, Interactive = false, Cancellation = cts.Token,
        });
        Assert.False(stopped.Completed);
        Assert.Equal(0, stopped.Steps);
        var dir = Path.Combine(root, "early");
        // Cancelled after step 10 of 40: no later step ran, no half-trained base was saved, nothing else was evaluated.
        Assert.DoesNotContain("pretrain step 20/", console.ToString());
        Assert.Contains("stopped during pretraining at step 10", console.ToString());
        Assert.False(Directory.Exists(Path.Combine(dir, "base_model")));
        Assert.False(File.Exists(Path.Combine(dir, "summary.json")));
        Assert.DoesNotContain("before RL", console.ToString());
    }

    /// <summary>Console output that cancels the run once the tracker prints the given step.</summary>
    sealed class CancelAtStep(CancellationTokenSource cts, int step) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith($"step {step}/", StringComparison.Ordinal) == true) cts.Cancel();
        }
    }

    static JsonObject Summary(string runDir) => JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "summary.json")))!.AsObject();

    [Fact]
    public void StoppedRlStage_ResumesFromItsCheckpoint_ToTheSummaryOfAnUninterruptedRun()
    {
        var root = _dir["runs"];
        var whole = R1ZeroRecipe.Run(Tiny, new RunOptions { Root = root, Name = "whole", Console = new StringWriter(), Interactive = false });
        Assert.True(whole.Completed);

        // Stopped (Ctrl+C / SIGTERM) after RL step 2: a checkpoint of step 2, no final model, no summary.
        using var cts = new CancellationTokenSource();
        var stopped = R1ZeroRecipe.Run(Tiny, new RunOptions
        {
            Root = root, Name = "stopped", Console = new CancelAtStep(cts, 2), Interactive = false, Cancellation = cts.Token,
        });
        Assert.False(stopped.Completed);
        Assert.Equal(2, stopped.Steps);
        var dir = Path.Combine(root, "stopped");
        Assert.True(Directory.Exists(Path.Combine(dir, "checkpoints", "step-000002")));
        Assert.False(File.Exists(Path.Combine(dir, "summary.json")));
        Assert.False(Directory.Exists(Path.Combine(dir, "final")));

        // --resume continues RL from step 2 on the saved base model (no pretraining again) and finishes the run.
        var (code, output, error) = AhaCli.Run("r1zero", "--resume", dir);
        Assert.True(code == 0, error + output);
        Assert.Contains("Resuming from", output);
        Assert.DoesNotContain("pretrain step", output);
        var (a, b) = (Summary(whole.RunDir), Summary(dir));
        foreach (var key in a.Select(kv => kv.Key).Where(k => !k.EndsWith("_seconds")))
            Assert.True(JsonNode.DeepEquals(a[key], b[key]), $"{key}: {a[key]?.ToJsonString()} vs {b[key]?.ToJsonString()}");
        Assert.Equal(4, (int)b["rl_steps"]!);
        // One metrics row per step, as uninterrupted: step 0 (held-out before RL), then 1..4 with the same rewards.
        var rows = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var wholeRows = File.ReadAllLines(Path.Combine(whole.RunDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal([0, 1, 2, 3, 4], rows.Select(r => (int)r["step"]!));
        Assert.True(wholeRows[1].ContainsKey(MetricNames.RewardMean) && wholeRows[1].ContainsKey(MetricNames.Accuracy));
        foreach (var (r, w) in rows.Zip(wholeRows))
            foreach (var key in new[] { MetricNames.RewardMean, MetricNames.Accuracy, "heldout/accuracy", MetricNames.CompletionLenMean }.Where(w.ContainsKey))
                Assert.True(JsonNode.DeepEquals(w[key], r[key]), $"step {r["step"]} {key}: {w[key]} vs {r[key]}");

        // A finished run is not run again.
        (code, output, error) = AhaCli.Run("r1zero", "--resume", dir);
        Assert.True(code == 0, error + output);
        Assert.Contains("nothing to resume", output);
    }
}
