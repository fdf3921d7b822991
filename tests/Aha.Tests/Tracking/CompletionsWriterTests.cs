using System.Text.Json;
using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class CompletionsWriterTests
{
    private static SampleRecord Sample(string completion, double reward) => new(
        "2+2=?", completion, "4", reward, new Dictionary<string, double> { ["math"] = reward, ["format"] = 0.1 },
        Advantage: reward - 0.5, Length: 7, FinishReason: "eos");

    [Fact]
    public void Append_WritesOneReadableLinePerSample_WithStepRewardsAndAdvantage()
    {
        using var dir = new TempDir();
        using (var writer = new CompletionsWriter(dir.Path))
        {
            writer.Append(3, [Sample("<think>2+2</think><answer>4</answer>", 1.0), Sample("5", 0.0)]);
            writer.Append(4, [Sample("4", 1.0)]);
        }
        var lines = File.ReadAllLines(dir["completions.jsonl"]);
        Assert.Equal(3, lines.Length);
        Assert.Contains("<think>2+2</think>", lines[0]); // not escaped to \u003C
        using var first = JsonDocument.Parse(lines[0]);
        var o = first.RootElement;
        Assert.Equal(3, o.GetProperty("step").GetInt32());
        Assert.Equal("2+2=?", o.GetProperty("prompt").GetString());
        Assert.Equal("4", o.GetProperty("answer").GetString());
        Assert.Equal(1.0, o.GetProperty("reward").GetDouble());
        Assert.Equal(0.1, o.GetProperty("rewards").GetProperty("format").GetDouble());
        Assert.Equal(0.5, o.GetProperty("advantage").GetDouble());
        Assert.Equal(7, o.GetProperty("length").GetInt32());
        Assert.Equal("eos", o.GetProperty("finish_reason").GetString());
        using var last = JsonDocument.Parse(lines[2]);
        Assert.Equal(4, last.RootElement.GetProperty("step").GetInt32());
    }

    [Fact]
    public void Resume_DropsSamplesOfLaterSteps()
    {
        using var dir = new TempDir();
        using (var writer = new CompletionsWriter(dir.Path))
            for (int step = 1; step <= 4; step++) writer.Append(step, [Sample("x", 0)]);
        using (var writer = new CompletionsWriter(dir.Path, resumeAfterStep: 2))
            writer.Append(3, [Sample("y", 1)]);
        var steps = File.ReadAllLines(dir["completions.jsonl"]).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32());
        Assert.Equal([1, 2, 3], steps);
    }
}
