using Aha.Algorithms;
using Aha.Configuration;
using Aha.Training.Offline;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

/// <summary>
/// The 2025–26 presets and the preference losses beyond DPO, run through the real `aha` command path (command catalog,
/// config binding, run folder) on the built-in task or a small preference file.
/// </summary>
public sealed class AlgorithmCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    string Runs => _dir["runs"];

    (int Code, string Output, string Error) Aha(params string[] args) => AhaCli.Run([.. args, "--out", Runs, "--threads", "1"]);

    [Theory]
    [InlineData("gspo")]
    [InlineData("cispo")]
    [InlineData("sapo")]
    [InlineData("gmpo")]
    public void GrpoPreset_RunsTwoStepsOnTheArithmeticTask_WithThePresetsLoss(string preset)
    {
        var (code, _, error) = Aha("grpo", "--preset", preset, "--name", preset, "--set", "steps=2");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, preset);
        var resolved = ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(run, "resolved_config.yaml"));
        var expected = Presets.Get(preset);
        Assert.Equal((preset, expected.PolicyLoss, expected.Aggregation), (resolved.Trainer.Preset, resolved.Trainer.PolicyLoss, resolved.Trainer.Aggregation));
        Assert.Equal((expected.ClipLow, expected.ClipHigh), (resolved.Trainer.ClipLow, resolved.Trainer.ClipHigh));
        Assert.Equal(0.0, resolved.Trainer.Beta);                                          // the four presets train without KL
        var rows = RunFolder.Metrics(run);
        Assert.Equal([1, 2], rows.Select(r => r.Step));
        Assert.All(rows, r => Assert.True(double.IsFinite(r.Metrics["loss"]) && double.IsFinite(r.Metrics["grad_norm"]), $"{preset}: step {r.Step}"));
        Assert.All(rows, r => Assert.Contains("reward", r.Metrics.Keys));
        Assert.True(File.Exists(Path.Combine(run, "final", "model.safetensors")));
    }

    /// <summary>Preference pairs with a learnable rule: the chosen completion starts with "x".</summary>
    string Preferences() => _dir.File("prefs.jsonl", string.Join("\n", Enumerable.Range(0, 8).Select(i =>
        $"{{\"prompt\": \"q{i}=\", \"chosen\": \"x{i}\", \"rejected\": \"y{i}\"}}")) + "\n");

    [Theory]
    [InlineData("hinge")]
    [InlineData("robust")]
    [InlineData("simpo")]
    [InlineData("orpo")]
    public void DpoLossType_RunsTwoSteps_WithTheLossesOwnFirstStepValue(string lossType)
    {
        // loss_type is TRL's key, read as trainer.loss_type.
        var (code, _, error) = Aha("dpo", "--name", lossType, "--set", $"data.train={Preferences()}", "--set", $"loss_type={lossType}",
            "--set", "trainer.max_steps=2", "--set", "trainer.batch_size=4", "--set", "checkpointing.every=1");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, lossType);
        Assert.Equal(lossType, ConfigLoader.Load<DpoRunConfig>(Path.Combine(run, "resolved_config.yaml")).Trainer.LossType);
        var rows = RunFolder.Metrics(run);
        Assert.Equal(2, rows.Count);
        var first = rows[0].Metrics;
        switch (lossType)
        {
            case "hinge":   // policy = reference at step 1, so h = 0 and max(0, 1 − β·0) = 1
                Assert.Equal(1.0, first["loss"], 5);
                break;
            case "robust":  // ε = 0: (−log σ(0) + 0)/(1 − 0) = ln 2
                Assert.Equal(Math.Log(2), first["loss"], 5);
                break;
            case "simpo":
                // mean over pairs of −log σ(β(w̄ − l̄) − γ), γ = 0.5, and rewards/margins = mean β(w̄ − l̄): −log σ is convex,
                // so the loss is at least −log σ(margin − γ) (Jensen), and near it while the untrained margins are small.
                double atMean = -LogSigmoid(first["rewards/margins"] - 0.5);
                Assert.InRange(first["loss"], atMean - 1e-6, atMean + 0.05);
                break;
            case "orpo":    // the NLL part is −w̄ = −rewards/chosen / β; both terms are positive
                Assert.Equal(-first["rewards/chosen"] / 0.1, first["nll_loss"], 1e-4);
                Assert.True(first["loss"] > first["nll_loss"]);
                Assert.True(first["log_odds_ratio"] < 0);
                break;
        }
        // Reference-free losses save no reference log-probs with their checkpoints; the others do.
        bool saved = File.Exists(Path.Combine(run, "checkpoints", "step-000001", DpoTrainer.ReferenceFile));
        Assert.Equal(lossType is "hinge" or "robust", saved);
    }

    [Fact]
    public void Kto_WithNoData_TrainsOnTheArithmeticTask_AndLogsTrlsMetrics()
    {
        var (code, _, error) = Aha("kto", "--name", "kto", "--set", "trainer.max_steps=2", "--set", "data.train_size=8",
            "--set", "data.eval_size=4", "--set", "desirable_weight=1.0", "--set", "checkpointing.every=1");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, "kto");
        var resolved = ConfigLoader.Load<KtoRunConfig>(Path.Combine(run, "resolved_config.yaml"));
        Assert.Equal(("arithmetic", "kto", 0.1), (resolved.Data.Task, resolved.Trainer.LossType, resolved.Trainer.Beta));
        var rows = RunFolder.Metrics(run);
        Assert.Equal([1, 2], rows.Select(r => r.Step));
        // Step 1: the policy is the reference, so r = 0, z0 = 0 and every example's loss is 1 − σ(0) = ½.
        Assert.Equal(0.5, rows[0].Metrics["loss"], 5);
        foreach (var name in new[] { "kl", "rewards/chosen", "rewards/rejected", "rewards/margins", "logps/chosen", "logps/rejected", "eval_loss" })
            Assert.Contains(name, rows[^1].Metrics.Keys);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "step-000001", KtoTrainer.ReferenceFile)));
        Assert.True(File.Exists(Path.Combine(run, "final", "model.safetensors")));
    }

    [Fact]
    public void Kto_OnAPreferenceFile_UnpairsIt_AndApoZeroHasNoReferencePoint()
    {
        var (code, _, error) = Aha("kto", "--name", "apo", "--set", $"data.train={Preferences()}", "--set", "loss_type=apo_zero_unpaired",
            "--set", "trainer.max_steps=2", "--set", "trainer.batch_size=8");
        Assert.True(code == 0, error);
        var rows = RunFolder.Metrics(Path.Combine(Runs, "apo"));
        Assert.Equal(2, rows.Count);
        // 8 pairs → 16 examples, half desirable; at step 1 r = 0: desirable 1 − σ(0), undesirable σ(0), both ½.
        Assert.Equal(0.5, rows[0].Metrics["loss"], 5);
        Assert.All(rows, r => Assert.Equal(0, r.Metrics["kl"]));
    }

    [Fact]
    public void Kto_BadLabel_ExitsTwoNamingFileLineAndField_AndCreatesNoRunFolder()
    {
        var data = _dir.File("kto.jsonl", "{\"prompt\": \"a=\", \"completion\": \"x\", \"label\": true}\n{\"prompt\": \"b=\", \"completion\": \"y\", \"label\": \"no\"}\n");
        var (code, _, error) = Aha("kto", "--name", "bad", "--set", $"data.train={data}");
        Assert.Equal(2, code);
        Assert.Contains("kto.jsonl:2", error);
        Assert.Contains("label", error);
        Assert.Contains("expected true or false", error);
        Assert.DoesNotContain("   at ", error);                                             // no stack trace
        Assert.False(Directory.Exists(Path.Combine(Runs, "bad")));
    }

    [Fact]
    public void Kto_UnknownLossType_IsAConfigErrorListingTheValidOnes()
    {
        var (code, _, error) = Aha("kto", "--name", "u", "--set", "loss_type=ktoo");
        Assert.Equal(2, code);
        Assert.Contains("trainer.loss_type", error);
        Assert.Contains("apo_zero_unpaired, kto", error);
    }

    static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));
}
