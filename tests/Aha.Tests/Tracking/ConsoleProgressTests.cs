using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class ConsoleProgressTests
{
    [Fact]
    public void Redirected_WritesOnePlainLinePerStep_WithEta()
    {
        var output = new StringWriter();
        var clock = new FakeClock(DateTimeOffset.UnixEpoch);
        using (var progress = new ConsoleProgress(totalSteps: 4, output, interactive: false, clock))
        {
            Assert.False(progress.IsLive);
            clock.Advance(TimeSpan.FromSeconds(10));
            progress.Update(1, new Dictionary<string, double> { ["reward"] = 0.5, ["kl"] = 0.00125, ["perf/generated_tokens_per_s"] = 812.4 });
            clock.Advance(TimeSpan.FromSeconds(10));
            progress.Update(2, new Dictionary<string, double> { ["accuracy"] = 0.25, ["entropy"] = 1.5 });
            progress.WriteMessage(TrainingMessageLevel.Warning, "careful");
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        // 10 s per step, 3 steps left after step 1 → 30 s; 2 left after step 2 → 20 s.
        Assert.Equal(
        [
            "step 1/4 reward 0.500 kl 0.00125 gen tok/s 812 | elapsed 0:00:10 eta 0:00:30",
            "step 2/4 acc 0.250 entropy 1.500 | elapsed 0:00:20 eta 0:00:20",
            "[warning] careful",
        ], lines);
    }

    [Fact]
    public void Resumed_EtaCountsOnlyStepsDoneSinceStart()
    {
        var output = new StringWriter();
        var clock = new FakeClock(DateTimeOffset.UnixEpoch);
        using (var progress = new ConsoleProgress(totalSteps: 10, output, interactive: false, clock))
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            progress.Update(8, new Dictionary<string, double>()); // resumed after step 7: one step in 5 s, 2 left
        }
        Assert.Equal("step 8/10 | elapsed 0:00:05 eta 0:00:10", output.ToString().Trim());
    }

    [Fact]
    public void Interactive_DrawsLiveBarWithMetrics_AndMessagesAboveIt()
    {
        var output = new StringWriter();
        using (var progress = new ConsoleProgress(totalSteps: 10, output, interactive: true))
        {
            Assert.True(progress.IsLive);
            progress.Update(3, new Dictionary<string, double> { ["reward"] = 0.25 });
            progress.WriteMessage(TrainingMessageLevel.Info, "checkpoint [saved]"); // markup characters are escaped
        }
        var text = output.ToString();
        Assert.Contains("step 3/10 reward 0.250", text);
        Assert.Contains("checkpoint [saved]", text);
        Assert.Contains("30%", text);
        Assert.Contains("\u001b[", text); // ANSI control sequences: a live display, not plain lines
    }
}
