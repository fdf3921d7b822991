using Aha.Algorithms;
using Aha.Configuration;
using Aha.Training.Runs;

namespace Aha.Tests.Configuration;

/// <summary>TRL's key names accepted with TRL's meaning (GRPOConfig, DPOConfig, SFTConfig docs), or named as TRL's.</summary>
public sealed class TrlAliasTests
{
    [Fact]
    public void TrlGrpoKeys_SetTheirEquivalents()
    {
        using var dir = new TempDir();
        var path = dir.File("trl.yaml", """
            max_steps: 7
            learning_rate: 1.0e-5
            num_generations: 4
            beta: 0.04
            epsilon: 0.2
            epsilon_high: 0.28
            loss_type: dr_grpo
            scale_rewards: false
            max_completion_length: 64
            num_iterations: 2
            mask_truncated_completions: true
            temperature: 0.9
            save_steps: 5
            """);
        var c = ConfigLoader.Load<OnPolicyRunConfig>(path);
        Assert.Equal(7, c.Steps);
        Assert.Equal(1e-5, c.Trainer.LearningRate);
        Assert.Equal(4, c.Trainer.NumGenerations);
        Assert.Equal(0.04, c.Trainer.Beta);
        Assert.Equal(0.2, c.Trainer.ClipLow);
        Assert.Equal(0.28, c.Trainer.ClipHigh);
        Assert.Equal("seq-mean-token-sum-norm", c.Trainer.Aggregation);
        Assert.Equal("dr_grpo", c.Trainer.Estimator);
        Assert.Equal(64, c.Trainer.MaxNewTokens);
        Assert.Equal(2, c.Trainer.NumIterations);
        Assert.True(c.Trainer.MaskTruncatedCompletions);
        Assert.Equal(0.9, c.Trainer.Temperature);
        Assert.Equal(5, c.Checkpointing.Every);
    }

    [Theory]
    [InlineData("grpo", "seq-mean-token-mean")]
    [InlineData("bnpo", "token-mean")]
    [InlineData("dapo", "token-mean")]
    [InlineData("DR_GRPO", "seq-mean-token-sum-norm")]
    public void LossType_PicksTheAggregation(string lossType, string expected)
    {
        var c = ConfigLoader.Load<OnPolicyRunConfig>(null, [$"loss_type={lossType}"]);
        Assert.Equal(expected, c.Trainer.Aggregation);
    }

    [Fact]
    public void Epsilon_ClipsBothSides_UnlessTheUpperIsGiven()
    {
        var both = ConfigLoader.Load<OnPolicyRunConfig>(null, ["epsilon=0.1"]);
        Assert.Equal((0.1, 0.1), (both.Trainer.ClipLow, both.Trainer.ClipHigh));
        var explicitHigh = ConfigLoader.Load<OnPolicyRunConfig>(null, ["epsilon=0.1", "trainer.clip_high=0.3"]);
        Assert.Equal((0.1, 0.3), (explicitHigh.Trainer.ClipLow, explicitHigh.Trainer.ClipHigh));
        var aliasHigh = ConfigLoader.Load<OnPolicyRunConfig>(null, ["epsilon_high=0.28", "epsilon=0.1"]);
        Assert.Equal((0.1, 0.28), (aliasHigh.Trainer.ClipLow, aliasHigh.Trainer.ClipHigh));
    }

    [Fact]
    public void AliasAndItsTarget_Together_IsAnError()
    {
        using var dir = new TempDir();
        var path = dir.File("both.yaml", "steps: 3\nmax_steps: 4\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load<OnPolicyRunConfig>(path));
        var error = Assert.Single(e.Errors);
        Assert.Equal((path, 2), (error.Source, error.Line));
        Assert.Contains("'max_steps' is TRL's name for 'steps'", error.Message);
    }

    [Fact]
    public void SetOverride_WinsOverTheFile_WhicheverNameEitherUses()
    {
        using var dir = new TempDir();
        var ours = dir.File("ours.yaml", "steps: 4\ntrainer:\n  num_generations: 8\n");
        var viaAlias = ConfigLoader.Load<OnPolicyRunConfig>(ours, ["num_generations=3", "max_steps=9"]);
        Assert.Equal((3, 9), (viaAlias.Trainer.NumGenerations, viaAlias.Steps));
        var trl = dir.File("trl.yaml", "max_steps: 4\nnum_generations: 8\n");
        var viaOurs = ConfigLoader.Load<OnPolicyRunConfig>(trl, ["trainer.num_generations=3", "steps=9"]);
        Assert.Equal((3, 9), (viaOurs.Trainer.NumGenerations, viaOurs.Steps));
    }

    [Fact]
    public void InvalidValueGivenByAnAlias_IsLocatedAtTheAlias()
    {
        // epsilon sets clip_low and clip_high: both fail validation, and both errors must point at what the user wrote.
        var fromSet = Assert.Throws<ConfigException>(() => ConfigLoader.Load<OnPolicyRunConfig>(null, ["epsilon=-1"]));
        Assert.Equal(2, fromSet.Errors.Count);
        Assert.All(fromSet.Errors, e => Assert.Equal(("--set epsilon=-1", (int?)null), (e.Source, e.Line)));

        using var dir = new TempDir();
        var path = dir.File("trl.yaml", "max_steps: 2\nepsilon: -1\n");
        var fromFile = Assert.Throws<ConfigException>(() => ConfigLoader.Load<OnPolicyRunConfig>(path));
        Assert.Equal(["trainer.clip_high", "trainer.clip_low"], fromFile.Errors.Select(e => e.KeyPath).Order());
        Assert.All(fromFile.Errors, e => Assert.Equal((path, (int?)2), (e.Source, e.Line)));
    }

    [Fact]
    public void UnsupportedTrlKey_IsNamedAsTrls_AtItsLine()
    {
        using var dir = new TempDir();
        var path = dir.File("trl.yaml", "max_steps: 2\ngradient_checkpointing: true\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load<OnPolicyRunConfig>(path));
        var error = Assert.Single(e.Errors);
        Assert.Equal((path, 2, "gradient_checkpointing"), (error.Source, error.Line, error.KeyPath));
        Assert.Contains("is a TRL setting with no equivalent here", error.Message);
        Assert.DoesNotContain("Did you mean", error.Message);
    }

    [Fact]
    public void UnknownTrlValue_ListsTheAcceptedOnes()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load<OnPolicyRunConfig>(null, ["scale_rewards=batch"]));
        var message = Assert.Single(e.Errors).Message;
        Assert.Contains("'batch' has no equivalent here", message);
        Assert.Contains("true, group, false, none", message);
    }

    [Fact]
    public void TrlDpoAndSftKeys_SetTheOfflineTrainers()
    {
        using var dir = new TempDir();
        var prefs = dir.File("prefs.jsonl", "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n");
        var dpo = ConfigLoader.Load<DpoRunConfig>(null,
            [$"data.train=[{prefs}]", "beta=0.2", "loss_type=ipo", "num_train_epochs=3", "per_device_train_batch_size=4", "gradient_accumulation_steps=2", "max_length=128"]);
        Assert.Equal(0.2, dpo.Trainer.Beta);
        Assert.Equal("ipo", dpo.Trainer.LossType);
        Assert.Equal((3, 4, 2, 128), (dpo.Trainer.Epochs, dpo.Trainer.BatchSize, dpo.Trainer.GradientAccumulationSteps, dpo.Trainer.MaxLength));

        var sft = ConfigLoader.Load<SftRunConfig>(null, ["completion_only_loss=true", "max_steps=5"]);
        Assert.Equal(5, sft.Trainer.MaxSteps);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load<SftRunConfig>(null, ["completion_only_loss=false"]));
        Assert.Contains("always on completion tokens only", Assert.Single(e.Errors).Message);
    }
}
