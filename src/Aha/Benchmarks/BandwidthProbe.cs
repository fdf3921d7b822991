using System.Diagnostics;
using static TorchSharp.torch;

namespace Aha.Benchmarks;

/// <summary>Measures this machine's memory bandwidth, the bound that KV-cached decoding (which streams every weight once a step) is compared with.</summary>
public static class BandwidthProbe
{
    /// <summary>
    /// GB/s of copying a <paramref name="megabytes"/> MiB fp32 buffer into another (bytes read + bytes written), best of
    /// <paramref name="repeats"/>. The buffers are far larger than any cache, as a model's weights are.
    /// </summary>
    public static double GigabytesPerSecond(int megabytes = 256, int repeats = 5)
    {
        using var scope = torch.NewDisposeScope();
        long count = megabytes * (1L << 20) / sizeof(float);
        var source = torch.ones(count);
        var target = torch.empty(count);
        target.copy_(source); // fault the pages in
        double best = 0;
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            target.copy_(source);
            best = Math.Max(best, 2.0 * count * sizeof(float) / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return best;
    }
}
