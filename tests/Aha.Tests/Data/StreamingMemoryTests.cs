using Aha.Data;

namespace Aha.Tests.Data;

/// <summary>
/// Streaming is checked by what it does, not by a memory figure of the process: records arrive before the reader has
/// seen the rest of the file (a malformed last line, or one appended while reading, is reached only when enumeration
/// gets there), and a 40 MB file is read record by record to the right total.
/// </summary>
public sealed class StreamingMemoryTests
{
    [Fact]
    public void LargeFile_IsReadRecordByRecord_AndSumsCorrectly()
    {
        using var t = new TempFiles();
        var path = t.PathOf("big.jsonl");
        // ~40 MB: 100 000 lines of ~400 bytes.
        var padding = new string('x', 360);
        using (var w = new StreamWriter(path))
            for (int i = 0; i < 100_000; i++)
                w.Write($"{{\"prompt\": \"q{i} {padding}\", \"answer\": \"{i}\"}}\n");
        Assert.True(new FileInfo(path).Length > 35_000_000);

        long count = 0, sum = 0;
        foreach (var item in PromptDataReader.Read(path))
        {
            count++;
            sum += long.Parse(item.Answer!);
        }
        Assert.Equal(100_000, count);
        Assert.Equal(99_999L * 100_000 / 2, sum);   // 0 + 1 + … + 99 999
    }

    [Fact]
    public void Records_ArriveBeforeTheRestOfTheFileIsRead()
    {
        using var t = new TempFiles();
        var path = t.PathOf("lazy.jsonl");
        using (var w = new StreamWriter(path))
        {
            for (int i = 0; i < 50_000; i++) w.Write($"{{\"prompt\": \"q{i}\", \"answer\": \"{i}\"}}\n");
            w.Write("{ this line is not JSON\n");
        }
        // The first records are yielded; the bad last line is only reached (and reported) when enumeration gets there.
        var first = PromptDataReader.Read(path).Take(3).Select(p => p.Answer).ToList();
        Assert.Equal(["0", "1", "2"], first);
        var error = Assert.Throws<DataFormatException>(() => PromptDataReader.Read(path).Count());
        Assert.Equal(50_001, error.LineNumber);

        // A line appended after enumeration started is still read: the file is read as enumeration proceeds.
        using var e = PromptDataReader.Read(path, new PromptReadOptions { Jsonl = new JsonlOptions { SkipBadLines = true } }).GetEnumerator();
        Assert.True(e.MoveNext());
        File.AppendAllText(path, "{\"prompt\": \"late\", \"answer\": \"-1\"}\n");
        string? last = null;
        while (e.MoveNext()) last = e.Current.Answer;
        Assert.Equal("-1", last);
    }
}
