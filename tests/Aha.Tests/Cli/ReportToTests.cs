using Aha.Tests.Tracking;
using Aha.Tracking;

namespace Aha.Tests.Cli;

/// <summary><c>report_to: [tensorboard]</c> in a run config reaches the run's tracker; an unknown target is a config error.</summary>
public sealed class ReportToTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void GrpoWithReportToTensorBoard_WritesEveryStepsMetricsAsEvents()
    {
        var (code, _, error) = AhaCli.Run("grpo", "--set", "steps=2", "--set", "report_to=[tensorboard]",
            "--out", _dir["runs"], "--name", "tb", "--threads", "1");
        Assert.True(code == 0, error);
        var run = Path.Combine(_dir["runs"], "tb");
        var file = Assert.Single(Directory.GetFiles(Path.Combine(run, TensorBoardWriter.DirName), "events.out.tfevents.*"));
        var scalars = TensorBoardEventReader.Read(file).Scalars;
        foreach (var row in RunFolder.Metrics(run))
            foreach (var (name, value) in row.Metrics.Where(m => MetricAliases.CanonicalOf(m.Key) is null)) // deprecated names: files only
                Assert.Contains(scalars, s => s.Step == row.Step && s.Tag == name && s.Value == (float)value);
    }

    [Fact]
    public void UnknownReportTarget_IsAConfigErrorNamingTheKey()
    {
        var (code, _, error) = AhaCli.Run("grpo", "--set", "report_to=[wandb]", "--out", _dir["runs"], "--name", "bad");
        Assert.Equal(2, code);
        Assert.Contains("report_to", error);
        Assert.Contains("'wandb'", error);
        Assert.False(Directory.Exists(Path.Combine(_dir["runs"], "bad")));
    }
}
