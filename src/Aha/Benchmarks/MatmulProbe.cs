using System.Diagnostics;
using static TorchSharp.torch;

namespace Aha.Benchmarks;

/// <summary>Measures this machine's fp32 matmul throughput, the ceiling the training benchmark is compared with.</summary>
public static class MatmulProbe
{
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
