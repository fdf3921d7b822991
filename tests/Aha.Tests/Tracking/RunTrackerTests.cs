using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class RunTrackerTests
{
    [Fact]
    public void Tracker_FansOutToFilesConsoleLogAndPlots()
    {
        using var dir = new TempDir();
        var console = new StringWriter();
        var clock = new FakeClock(new DateTimeOffset(2025, 1, 31, 12, 0, 0, TimeSpan.Zero));
        using (var tracker = new RunTracker(dir.Path, new RunTrackerOptions
               {
                   TotalSteps = 3, Console = console, Interactive = false, Time = clock,
                   Warnings = new TrainingWarningOptions { Smoothing = 1 },
               }))
        {
            tracker.OnStep(1, new Dictionary<string, double> { ["reward/mean"] = 0.1, ["kl"] = 0.01 });
            tracker.OnSamples(1, [new SampleRecord("p", "c", null, 0.1, new Dictionary<string, double>(), 0.0, 1, "length")]);
            tracker.OnStep(2, new Dictionary<string, double> { ["reward/mean"] = 0.2, ["kl"] = 0.9 }); // KL warning
            tracker.OnMessage(TrainingMessageLevel.Info, "saved checkpoint step-000002");
            Assert.Equal(["kl.png", "reward.png"], tracker.WritePlots(Path.Combine(dir.Path, "checkpoints", "x")).Select(Path.GetFileName).Order());
        }

        Assert.Equal(2, File.ReadAllLines(dir["metrics.jsonl"]).Length);
        Assert.Equal(3, File.ReadAllLines(dir["metrics.csv"]).Length);
        Assert.Single(File.ReadAllLines(dir["completions.jsonl"]));
        var log = File.ReadAllLines(dir["log.txt"]);
        Assert.Equal(2, log.Length);
        Assert.StartsWith("2025-01-31T12:00:00Z [warning] step 2: KL to the reference is 0.9", log[0]);
        Assert.Equal("2025-01-31T12:00:00Z [info] saved checkpoint step-000002", log[1]);
        var text = console.ToString();
        Assert.Contains("step 2/3 reward 0.200 kl 0.9", text);
        Assert.Contains("[warning] step 2: KL", text);
        Assert.True(File.Exists(Path.Combine(dir["plots"], "reward.png")), "dispose draws the final plots");
    }

    [Fact]
    public void NoConsole_StillWritesTheFiles()
    {
        using var dir = new TempDir();
        using (var tracker = new RunTracker(dir.Path, new RunTrackerOptions { ShowConsole = false, PlotsOnDispose = false }))
            tracker.OnStep(1, new Dictionary<string, double> { ["loss"] = 1 });
        Assert.Single(File.ReadAllLines(dir["metrics.jsonl"]));
        Assert.False(Directory.Exists(dir["plots"]));
    }
}
