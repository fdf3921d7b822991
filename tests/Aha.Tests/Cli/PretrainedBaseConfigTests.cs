using Aha.Configuration;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

/// <summary><c>model.pretrain</c> as a config key: its rules are config errors at load, before any base is built.</summary>
public sealed class PretrainedBaseConfigTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    ConfigError Single<T>(string yaml) where T : class, new()
    {
        var file = _dir.File("c.yaml", yaml);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load<T>(file));
        return Assert.Single(e.Errors);
    }

    [Fact]
    public void Pretrain_BindsWithItsDefaults_AndLeavesNoRandomInit()
    {
        var config = ConfigLoader.Load<OnPolicyRunConfig>(_dir.File("c.yaml", "model: {pretrain: {steps: 50}}\ndata: {task: r1zero-arithmetic}\n"));
        Assert.Equal(new PretrainSection { Steps = 50 }, config.Model.Pretrain);
        Assert.Equal("r1zero-arithmetic", config.Model.Pretrain!.Task);
        Assert.Null(config.Model.ResolvedInit);
    }

    [Fact]
    public void PretrainBesideAPath_IsAnError() =>
        Assert.Contains("set only one of", Single<OnPolicyRunConfig>($"model: {{path: {_dir.Path}, pretrain: {{steps: 5}}}}\n").Message);

    [Fact]
    public void PretrainWithATokenizer_IsAnErrorOnTheTokenizerKey() =>
        Assert.Equal("model.tokenizer", Single<OnPolicyRunConfig>("model: {tokenizer: char, pretrain: {steps: 5}}\n").KeyPath);

    [Fact]
    public void PretrainOfAnUnknownTask_NamesTheKey()
    {
        var error = Single<OnPolicyRunConfig>("model:\n  pretrain: {task: countdown}\n");
        Assert.Equal("model.pretrain.task", error.KeyPath);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void DataSeedOtherThanTheBases_IsAnError_ItsEvalProblemsWereInTheCorpus()
    {
        var error = Single<OnPolicyRunConfig>("model: {pretrain: {steps: 5, seed: 0}}\ndata:\n  task: r1zero-arithmetic\n  seed: 1\n");
        Assert.Equal("data.seed", error.KeyPath);
        Assert.Equal(4, error.Line);
        Assert.Contains("set data.seed: 0", error.Message);
    }

    [Fact]
    public void RecipeStageWithAnotherSeed_IsAnErrorOnThatStage()
    {
        var error = Single<R1RecipeConfig>("model: {pretrain: {steps: 5}}\nfinal_rl:\n  data: {task: r1zero-arithmetic, seed: 3}\n");
        Assert.Equal("final_rl.data.seed", error.KeyPath);
    }

    [Fact]
    public void BadConfig_ExitsTwoBeforeBuildingAnyBase()
    {
        var cache = _dir["cache"];
        var previous = Environment.GetEnvironmentVariable(Aha.Training.Runs.PretrainedBase.CacheVariable);
        Environment.SetEnvironmentVariable(Aha.Training.Runs.PretrainedBase.CacheVariable, cache);
        try
        {
            var config = _dir.File("g.yaml", "model: {pretrain: {steps: 5}}\ndata: {task: r1zero-arithmetic, seed: 2}\n");
            var (code, _, error) = AhaCli.Run("grpo", "--config", config, "--out", _dir["runs"]);
            Assert.Equal(2, code);
            Assert.Contains("data.seed", error);
            Assert.False(Directory.Exists(cache));
            Assert.False(Directory.Exists(_dir["runs"]));
        }
        finally { Environment.SetEnvironmentVariable(Aha.Training.Runs.PretrainedBase.CacheVariable, previous); }
    }
}
