using Aha.Data;

namespace Aha.Tests.Data;

public sealed class StreamingAndShuffleTests
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

    [Fact]
    public void Shuffle_IsDeterministicBySeed_AndAPermutation()
    {
        var items = Enumerable.Range(0, 1000).ToList();
        var a = DataShuffle.Shuffle(items, 1);
        Assert.Equal(a, DataShuffle.Shuffle(items, 1));
        Assert.NotEqual(a, DataShuffle.Shuffle(items, 2));
        Assert.NotEqual(items, a);
        Assert.Equal(items, a.Order());
    }

    [Fact]
    public void ShuffleStream_IsDeterministic_AndKeepsEveryItem()
    {
        var items = Enumerable.Range(0, 5000);
        var a = DataShuffle.ShuffleStream(items, 100, 3).ToList();
        Assert.Equal(a, DataShuffle.ShuffleStream(items, 100, 3).ToList());
        Assert.Equal(items, a.Order());
        Assert.NotEqual(items, a);
    }

    [Fact]
    public void Split_IsDisjointCompleteAndSized()
    {
        var (train, eval) = DataShuffle.Split(Enumerable.Range(0, 1000), 0.1, seed: 9);
        Assert.Equal(100, eval.Count);   // round(1000 · 0.1)
        Assert.Equal(900, train.Count);
        Assert.Empty(train.Intersect(eval));
        Assert.Equal(Enumerable.Range(0, 1000), train.Concat(eval).Order());
        Assert.Equal(eval, DataShuffle.Split(Enumerable.Range(0, 1000), 0.1, seed: 9).Eval);
    }

    [Fact]
    public void SeededRandom_SequenceIsFixed()
    {
        // SplitMix64 reference value for seed 0 (first output of the published generator): 0xE220A8397B1DCDAF.
        Assert.Equal(0xE220A8397B1DCDAFUL, new SeededRandom(0).NextUInt64());
    }
}
