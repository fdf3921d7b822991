using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class PlotWriterTests
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Write_DrawsAPngPerGroupWithData_Headless()
    {
        using var dir = new TempDir();
        var rows = Enumerable.Range(1, 30).Select(step => new MetricRow(step, new Dictionary<string, double>
        {
            ["reward"] = step / 30.0,
            ["rewards/math/mean"] = step / 40.0,
            ["kl"] = step % 7 == 0 ? double.NaN : 0.001 * step, // NaN points are skipped, not fatal
        })).ToList();

        var written = PlotWriter.Write(dir["plots"], rows);

        Assert.Equal(["kl.png", "reward.png"], written.Select(Path.GetFileName).Order());
        foreach (var file in written)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.Length > 1000, $"{file} is only {bytes.Length} bytes");
            Assert.Equal(PngMagic, bytes[..8]);
        }
        Assert.False(File.Exists(Path.Combine(dir["plots"], "accuracy.png")));
    }

    [Fact]
    public void PlotGroup_StarMatchesOneNameSegment()
    {
        var group = new PlotGroup("reward", "Reward", ["reward", "rewards/*/mean"]);
        var chosen = group.Select(["reward_std", "rewards/math/mean", "reward", "rewards/a/b/mean", "rewards/format/mean", "reward/math/mean"]);
        Assert.Equal(["reward", "rewards/format/mean", "rewards/math/mean"], chosen); // the deprecated reward/math/mean is not drawn
    }
}
