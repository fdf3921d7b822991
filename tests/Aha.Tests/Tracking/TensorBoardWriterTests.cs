using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class TensorBoardWriterTests
{
    [Fact]
    public void ReportToTensorBoard_WritesEveryMetricOfEveryStep_ReadableAsTfEvents()
    {
        using var dir = new TempDir();
        var clock = new FakeClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        using (var tracker = new RunTracker(dir.Path, new RunTrackerOptions
               { ReportTo = ["tensorboard"], ShowConsole = false, PlotsOnDispose = false, Time = clock }))
        {
            tracker.OnStep(1, new Dictionary<string, double> { ["reward"] = 0.25, ["loss"] = -1.5 });
            clock.Advance(TimeSpan.FromMinutes(10));
            tracker.OnStep(2, new Dictionary<string, double> { ["reward"] = 0.75, ["loss"] = 0.125, ["kl"] = 1e-3 });
        }

        var file = Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, TensorBoardWriter.DirName), "events.out.tfevents.*"));
        var (version, scalars) = TensorBoardEventReader.Read(file);
        Assert.Equal("brain.Event:2", version);
        Assert.Equal(
            [(1L, "loss", -1.5f), (1L, "reward", 0.25f), (2L, "kl", 1e-3f), (2L, "loss", 0.125f), (2L, "reward", 0.75f)],
            scalars.Select(s => (s.Step, s.Tag, s.Value)).ToArray());
        // Wall time in seconds since the epoch, from the tracker's clock.
        Assert.All(scalars.Where(s => s.Step == 1), s => Assert.Equal(1_800_000_000, s.WallTime));
        Assert.All(scalars.Where(s => s.Step == 2), s => Assert.Equal(1_800_000_600, s.WallTime));
    }

    [Fact]
    public void NoReportTo_WritesNoEventFiles()
    {
        using var dir = new TempDir();
        using (var tracker = new RunTracker(dir.Path, new RunTrackerOptions { ShowConsole = false, PlotsOnDispose = false }))
            tracker.OnStep(1, new Dictionary<string, double> { ["loss"] = 1 });
        Assert.False(Directory.Exists(Path.Combine(dir.Path, TensorBoardWriter.DirName)));
    }

    [Fact]
    public void UnknownReportTarget_IsRejectedNamingTheValidOnes()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => new RunTracker(dir.Path, new RunTrackerOptions { ReportTo = ["wandb"], ShowConsole = false }));
        Assert.Contains("'wandb'", e.Message);
        Assert.Contains("tensorboard", e.Message);
    }
}
