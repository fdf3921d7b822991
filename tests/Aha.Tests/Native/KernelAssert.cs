using static TorchSharp.torch;

namespace Aha.Tests.Native;

/// <summary>Comparisons of a native kernel's results with an independent computation's (float64, or libtorch's ops).</summary>
internal static class KernelAssert
{
    /// <summary>
    /// |actual − expected| ≤ tol·(|expected| + mean |expected|) elementwise: relative, with the tensor's scale as a floor
    /// near zero (and exactly 0 where expected is 0 throughout).
    /// </summary>
    public static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        var e = expected.detach().to(ScalarType.Float64);
        var bound = (e.abs() + e.abs().mean()) * tol + 1e-30;
        var excess = ((actual.detach().to(ScalarType.Float64) - e).abs() / bound).max().item<double>();
        Assert.True(excess <= 1, $"{what}: error {excess:F2}× the tolerance {tol}");
    }

    /// <summary>Every parameter's gradient within 1e-5 of the expected one (a training step with the kernels on vs off).</summary>
    public static void SameGradients(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        foreach (var (name, grad) in expected)
        {
            double diff = (actual[name] - grad).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"{name}: gradients differ by {diff}");
        }
    }
}
