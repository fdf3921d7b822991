using Aha.Configuration;
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
}
