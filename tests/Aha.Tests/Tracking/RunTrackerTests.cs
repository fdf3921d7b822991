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
            tracker.OnStep(1, new Dictionary<string, double> { ["reward"] = 0.1, ["kl"] = 0.01 });
            tracker.OnSamples(1, [new SampleRecord("p", "c", null, 0.1, new Dictionary<string, double>(), 0.0, 1, "length")]);
            tracker.OnStep(2, new Dictionary<string, double> { ["reward"] = 0.2, ["kl"] = 0.9 }); // KL warning
            tracker.OnMessage(TrainingMessageLevel.Info, "saved checkpoint step-000002");
            Assert.Equal(["kl.png", "reward.png"], tracker.WritePlots(Path.Combine(dir.Path, "checkpoints", "x")).Select(Path.GetFileName).Order());
        }

        Assert.Equal(2, File.ReadAllLines(dir["metrics.jsonl"]).Length);
        Assert.Equal(3, File.ReadAllLines(dir["metrics.csv"]).Length);
        Assert.Single(File.ReadAllLines(dir["completions.jsonl"]));
        var log = File.ReadAllLines(dir["log.txt"]);
        Assert.Equal(4, log.Length);
        Assert.Equal("2025-01-31T12:00:00Z [step] step 1/3 reward 0.100 kl 0.01", log[0]);
        Assert.Equal("2025-01-31T12:00:00Z [step] step 2/3 reward 0.200 kl 0.9", log[1]);
        Assert.StartsWith("2025-01-31T12:00:00Z [warning] step 2: KL to the reference is 0.9", log[2]);
        Assert.Equal("2025-01-31T12:00:00Z [info] saved checkpoint step-000002", log[3]);
        var text = console.ToString();
        Assert.Contains("step 2/3 reward 0.200 kl 0.9", text);
        Assert.Contains("[warning] step 2: KL", text);
        Assert.True(File.Exists(Path.Combine(dir["plots"], "reward.png")), "dispose draws the final plots");
    }

    [Fact]
    public void MetricFiles_CarryTheDeprecatedNameBesideTheCanonicalOne_TensorBoardAndConsoleOnlyTheCanonical()
    {
        using var dir = new TempDir();
        var console = new StringWriter();
        using (var tracker = new RunTracker(dir.Path, new RunTrackerOptions
               {
                   Console = console, Interactive = false, PlotsOnDispose = false, Warnings = null, ReportTo = ["tensorboard"],
               }))
            tracker.OnStep(1, new Dictionary<string, double>
            {
                ["reward"] = 0.5, ["rewards/math/mean"] = 0.25, ["clip_ratio/low_mean"] = 0.125, ["perf/generated_tokens_per_s"] = 100,
                ["kl"] = 0.01,
            });
        using var row = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(dir["metrics.jsonl"]).Single());
        var written = row.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(new Dictionary<string, double>
        {
            ["step"] = 1, ["reward"] = 0.5, ["reward/mean"] = 0.5, ["rewards/math/mean"] = 0.25, ["reward/math/mean"] = 0.25,
            ["clip_ratio/low_mean"] = 0.125, ["clip_frac/low"] = 0.125, ["perf/generated_tokens_per_s"] = 100, ["tokens_per_s"] = 100,
            ["kl"] = 0.01,
        }, written);
        Assert.Contains("reward/mean", File.ReadAllLines(dir["metrics.csv"])[0].Split(','));
        var file = Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, TensorBoardWriter.DirName), "events.out.tfevents.*"));
        var events = TensorBoardEventReader.Read(file).Scalars.Select(e => e.Tag).ToHashSet();
        Assert.DoesNotContain("reward/mean", events);
        Assert.Contains("reward", events);
        Assert.DoesNotContain("reward/mean", console.ToString());
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
