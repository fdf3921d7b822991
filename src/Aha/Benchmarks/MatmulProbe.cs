using System.Diagnostics;
using static TorchSharp.torch;

namespace Aha.Benchmarks;

/// <summary>Measures this machine's fp32 matmul throughput, the ceiling the training benchmark is compared with.</summary>
public static class MatmulProbe
{
    static readonly Lazy<double> s_ceiling = new(() => Gflops(1024, 1024, 1024, repeats: 3));

    /// <summary>
    /// The 1024³ fp32 matmul GFLOP/s (best of three), measured on first use and kept for the process: the ceiling that
    /// trainers divide their FLOPs rate by for <c>perf/mfu</c>, so it is paid once and not per step.
    /// </summary>
    public static double Ceiling => s_ceiling.Value;

    /// <summary>GFLOP/s of [m, k] × [k, n] matmuls (2·m·k·n FLOPs each), best of <paramref name="repeats"/> timed batches.</summary>
    public static double Gflops(int m, int k, int n, int repeats = 5)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(m, k);
        var b = torch.randn(k, n);
        a.matmul(b).Dispose(); // warm-up
        int inner = Math.Max(1, (int)(2e9 / (2.0 * m * k * n)));  // ≈ 2 GFLOP per timed batch
        double best = 0;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < inner; i++) a.matmul(b).Dispose();
            best = Math.Max(best, 2.0 * m * k * n * inner / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
