using Aha.Configuration;
using Aha.Generation;
using Aha.Generation.Remote;
using Aha.Training.Runs;

namespace Aha.Tests.Serving;

public sealed class RolloutConfigTests
{
    [Fact]
    public void RolloutSection_BindsFromYaml()
    {
        const string yaml = "rollout:\n  endpoints: [http://10.0.0.5:30000, http://10.0.0.6:30000]\n  api: sglang\n  weight_sync: sglang\n  sync_dir: /shared/weights\n  max_retries: 5\n";
        var config = ConfigLoader.ApplyText(new OnPolicyRunConfig(), yaml, "grpo.yaml");
        Assert.Equal(["http://10.0.0.5:30000", "http://10.0.0.6:30000"], config.Rollout.Endpoints);
        Assert.Equal(RemoteApi.Sglang, config.Rollout.Api);
        Assert.Equal("/shared/weights", config.Rollout.SyncDir);
        Assert.Equal(5, config.Rollout.MaxRetries);
        using var engine = config.Rollout.CreateEngine();
        Assert.NotNull(engine);
    }

    [Fact]
    public void NoEndpoints_MeansTheLocalEngine()
    {
        var config = ConfigLoader.ApplyText(new OnPolicyRunConfig(), "steps: 2\n", "grpo.yaml");
        Assert.Null(config.Rollout.CreateEngine());
    }

    [Fact]
    public void BadRolloutSettings_AreReportedWithTheirKeys()
    {
        const string yaml = "rollout:\n  endpoints: [ftp://x]\n  timeout_seconds: 0\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new OnPolicyRunConfig(), yaml, "grpo.yaml"));
        Assert.Contains("rollout.endpoints", e.Message);
        Assert.Contains("'ftp://x' is not an http(s) URL", e.Message);
        Assert.Contains("rollout.sync_dir", e.Message);
        Assert.Contains("rollout.timeout_seconds", e.Message);
    }

    [Fact]
    public void RolloutMode_BindsFromYaml_AndReachesTheSchedule()
    {
        const string yaml = "rollout:\n  endpoints: [http://127.0.0.1:8000]\n  sync_dir: /tmp/w\n  mode: one_step_off\n  max_staleness: 2\n";
        var config = ConfigLoader.ApplyText(new OnPolicyRunConfig(), yaml, "grpo.yaml");
        Assert.Equal(new RolloutSchedule(RolloutMode.OneStepOff, 2), config.Rollout.Schedule);
        Assert.Equal(RolloutMode.Async, ConfigLoader.ApplyText(new OnPolicyRunConfig(), yaml.Replace("one_step_off", "async"), "grpo.yaml").Rollout.Mode);
        Assert.Equal(new RolloutSchedule(), new OnPolicyRunConfig().Rollout.Schedule);   // sync, k = 1 by default
    }

    [Theory]
    [InlineData("rollout:\n  mode: one_step_off\n", "rollout.mode", "one_step_off overlaps generation")]
    [InlineData("rollout:\n  mode: async\n", "rollout.mode", "list rollout.endpoints")]
    [InlineData("rollout:\n  endpoints: [http://127.0.0.1:8000]\n  sync_dir: /tmp/w\n  mode: async\n  max_staleness: 0\n", "rollout.max_staleness", "must be ≥ 1 (got 0)")]
    [InlineData("rollout:\n  mode: two_steps_off\n", "rollout.mode", "two_steps_off")]
    public void BadRolloutMode_IsAConfigError_NamingTheKey(string yaml, string key, string message)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new OnPolicyRunConfig(), yaml, "grpo.yaml"));
        Assert.Contains(key, e.Message);
        Assert.Contains(message, e.Message);
    }
}
