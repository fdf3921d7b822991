using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class MetricsWriterTests
{
    private static Dictionary<string, double> M(params (string, double)[] items) => items.ToDictionary(i => i.Item1, i => i.Item2);

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Append_WritesJsonlLinePerStep_AndCsvWithStepFirstThenSortedNames()
    {
        using var dir = new TempDir();
        using (var writer = new MetricsWriter(dir.Path))
        {
            writer.Append(1, M(("reward/mean", 0.5), ("kl", 0.25)));
            writer.Append(2, M(("reward/mean", 0.75), ("kl", 0.125)));
        }
        Assert.Equal(["{\"step\":1,\"reward/mean\":0.5,\"kl\":0.25}", "{\"step\":2,\"reward/mean\":0.75,\"kl\":0.125}"],
            File.ReadAllLines(dir["metrics.jsonl"]));
        Assert.Equal(["step,kl,reward/mean", "1,0.25,0.5", "2,0.125,0.75"], File.ReadAllLines(dir["metrics.csv"]));
    }

    [Fact]
    public void NewMetricName_RegeneratesCsvWithWiderHeader_AndBlanksForMissingValues()
    {
        using var dir = new TempDir();
        using var writer = new MetricsWriter(dir.Path);
        writer.Append(1, M(("loss", 2.0)));
        writer.Append(2, M(("loss", 1.5), ("accuracy", 0.5)));
        writer.Append(3, M(("loss", 1.0)));
        // Readable while the writer is still open: every step is flushed.
        Assert.Equal(["step,accuracy,loss", "1,,2", "2,0.5,1.5", "3,,1"], ReadShared(dir["metrics.csv"]));
        Assert.Equal(3, ReadShared(dir["metrics.jsonl"]).Length);
        Assert.Equal(["step", "accuracy", "loss"], writer.Columns);
    }

    [Fact]
    public void NonFiniteValues_AreNullInJson_AndNamedInCsv()
    {
        using var dir = new TempDir();
        using (var writer = new MetricsWriter(dir.Path))
            writer.Append(1, M(("a", double.NaN), ("b", double.PositiveInfinity)));
        Assert.Equal("{\"step\":1,\"a\":null,\"b\":null}", File.ReadAllLines(dir["metrics.jsonl"])[0]);
        Assert.Equal("1,NaN,Infinity", File.ReadAllLines(dir["metrics.csv"])[1]);
    }

    [Fact]
    public void Resume_DropsStepsAfterTheCheckpoint_AndATornLastLine()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["metrics.jsonl"],
            "{\"step\":1,\"loss\":3}\n{\"step\":2,\"loss\":2}\n{\"step\":3,\"loss\":1}\n{\"step\":4,\"lo");
        using (var writer = new MetricsWriter(dir.Path, resumeAfterStep: 2))
        {
            Assert.Equal([1, 2], writer.Rows.Select(r => r.Step));
            writer.Append(3, M(("loss", 1.25)));
        }
        Assert.Equal(["{\"step\":1,\"loss\":3}", "{\"step\":2,\"loss\":2}", "{\"step\":3,\"loss\":1.25}"], File.ReadAllLines(dir["metrics.jsonl"]));
        Assert.Equal(["step,loss", "1,3", "2,2", "3,1.25"], File.ReadAllLines(dir["metrics.csv"]));
    }

    [Fact]
    public void DamagedLineBeforeTheEnd_IsReportedWithFileAndLine()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["metrics.jsonl"], "{\"step\":1}\nnot json\n{\"step\":3}\n");
        var e = Assert.Throws<InvalidDataException>(() => new MetricsWriter(dir.Path));
        Assert.Contains("metrics.jsonl:2", e.Message);
    }

    [Fact]
    public void MetricNamedStep_IsRejected()
    {
        using var dir = new TempDir();
        using var writer = new MetricsWriter(dir.Path);
        Assert.Throws<ArgumentException>(() => writer.Append(1, M(("step", 1))));
    }
}
