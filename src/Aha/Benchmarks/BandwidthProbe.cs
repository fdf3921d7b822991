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

    /// <summary>
    /// GB/s of reading a <paramref name="megabytes"/> MiB fp32 buffer (libtorch's vectorised, multi-threaded sum), best of
    /// <paramref name="repeats"/>: what a decode step, which reads its weights and writes almost nothing, can reach at most.
    /// On the 2-vCPU machines measured it is well below the copy's read + write figure (docs/performance.md).
    /// </summary>
    public static double ReadGigabytesPerSecond(int megabytes = 256, int repeats = 5)
    {
        using var scope = torch.NewDisposeScope();
        long count = megabytes * (1L << 20) / sizeof(float);
        var source = torch.ones(count);
        source.sum().Dispose(); // fault the pages in
        double best = 0;
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            source.sum().Dispose();
            best = Math.Max(best, (double)count * sizeof(float) / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        return best;
    }
}
