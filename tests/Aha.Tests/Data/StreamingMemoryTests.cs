using Aha.Data;

namespace Aha.Tests.Data;

/// <summary>Measures live managed memory, so it runs alone (see <see cref="SerialCollection"/>).</summary>
[Collection(SerialCollection.Name)]
public sealed class StreamingMemoryTests
{
    [Fact]
    public void LargeFile_IsStreamed_WithMemoryFarBelowItsSize()
    {
        using var t = new TempFiles();
        var path = t.PathOf("big.jsonl");
        // ~40 MB: 100 000 lines of ~400 bytes.
        var padding = new string('x', 360);
        using (var w = new StreamWriter(path))
            for (int i = 0; i < 100_000; i++)
                w.Write($"{{\"prompt\": \"q{i} {padding}\", \"answer\": \"{i}\"}}\n");
        long fileSize = new FileInfo(path).Length;
        Assert.True(fileSize > 35_000_000);

        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, count = 0, sum = 0;
        foreach (var item in PromptDataReader.Read(path))
        {
            count++;
            sum += long.Parse(item.Answer!);
            if (count % 20_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        }
        Assert.Equal(100_000, count);
        Assert.Equal(99_999L * 100_000 / 2, sum);   // 0 + 1 + … + 99 999
        Assert.True(peak < 4_000_000, $"live memory grew by {peak} bytes while streaming a {fileSize}-byte file");
    }
}
