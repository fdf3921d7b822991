using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

/// <summary>Small float64 tensor builders and readers for golden tests.</summary>
internal static class T
{
    public static Tensor Vec(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64);

    public static Tensor Mat(double[,] values, bool requiresGrad = false)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var flat = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) flat[i * cols + j] = values[i, j];
        var t = torch.tensor(flat, new long[] { rows, cols }, dtype: ScalarType.Float64);
        return requiresGrad ? t.requires_grad_(true) : t;
    }

    public static double[] Read(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().cpu().data<double>().ToArray();

    public static double[,] Read2(Tensor t)
    {
        var flat = Read(t);
        int rows = (int)t.shape[0], cols = (int)t.shape[1];
        var r = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) r[i, j] = flat[i * cols + j];
        return r;
    }

    public static double Scalar(Tensor t) => Read(t).Single();

    public static void Close(double expected, double actual, double tol = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    public static void Close(double[] expected, double[] actual, double tol = 1e-9)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"at {i}: expected {expected[i]}, got {actual[i]}");
    }

    public static void Close(double[,] expected, Tensor actual, double tol = 1e-9)
    {
        var a = Read2(actual);
        Assert.Equal(expected.GetLength(0), a.GetLength(0));
        Assert.Equal(expected.GetLength(1), a.GetLength(1));
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - a[i, j]) <= tol * Math.Max(1, Math.Abs(expected[i, j])),
                    $"at [{i}, {j}]: expected {expected[i, j]}, got {a[i, j]}");
    }

    /// <summary>Random right-padded mask [B, T] with lengths in [minLen, T], as doubles.</summary>
    public static double[,] RandomMask(Random rng, int b, int t, int minLen = 1)
    {
        var m = new double[b, t];
        for (int i = 0; i < b; i++)
        {
            int len = rng.Next(minLen, t + 1);
            for (int j = 0; j < len; j++) m[i, j] = 1;
        }
        return m;
    }

    public static double[,] Random2(Random rng, int b, int t, double scale = 1)
    {
        var x = new double[b, t];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++) x[i, j] = (rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    /// <summary>Reference masked whitening: (x − μ)/sqrt(var_unbiased + 1e-8) over masked entries, 0 elsewhere.</summary>
    public static double[,] Whiten(double[,] x, double[,] m)
    {
        double n = 0, sum = 0;
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) { n += m[i, j]; sum += x[i, j] * m[i, j]; }
        double mean = sum / n, ss = 0;
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) ss += m[i, j] * (x[i, j] - mean) * (x[i, j] - mean);
        double var = ss / (n - 1);
        var r = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++) r[i, j] = m[i, j] * (x[i, j] - mean) / Math.Sqrt(var + 1e-8);
        return r;
    }
}
