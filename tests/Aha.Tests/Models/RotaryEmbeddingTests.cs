using Aha.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Models;

/// <summary>
/// RoPE on head dimensions in interleaved order against Hugging Face's rotate_half written out element by element in
/// float64: at position p, θ_j = base^(−2j/D), out_j = x_j·cos(pθ_j) − x_{j+D/2}·sin(pθ_j) and
/// out_{j+D/2} = x_{j+D/2}·cos(pθ_j) + x_j·sin(pθ_j).
/// </summary>
public sealed class RotaryEmbeddingTests
{
    const int Batch = 2, Heads = 3, T = 5, Dim = 8;
    const double Base = 10000;

    [Fact]
    public void InterleavedRows_PutEachDimensionBesideTheOneItRotatesWith()
    {
        Assert.Equal(new long[] { 0, 2, 1, 3, 4, 6, 5, 7 }, RotaryEmbedding.InterleavedRows(heads: 2, headDim: 4));
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]   // complex multiplication
    [InlineData(ScalarType.Float64, 1e-6)]   // complex128, from angles computed in fp32 as HF computes them
    [InlineData(ScalarType.BFloat16, 4e-2)]  // real arithmetic: bf16 has no complex type; 8 bits of mantissa
    public void Apply_RotatesLikeRotateHalf(ScalarType dtype, double tolerance)
    {
        var x = torch.randn(Batch, Heads, T, Dim, generator: new Generator(1)).to_type(dtype); // HF's order
        var positions = Positions();
        var expected = RotateHalf(x.to_type(ScalarType.Float64), positions, sign: 1);
        var tables = new RotaryEmbedding(Dim, Base, null).Tables(positions, dtype);
        var actual = tables.Apply(Interleave(x));
        Assert.Equal(dtype, actual.dtype);
        AssertClose(Interleave(expected), actual, tolerance);
    }

    [Fact]
    public void Gradient_IsTheUpstreamRotatedBack()
    {
        // The rotation is orthogonal, so ∂(g·R(φ)x)/∂x = R(−φ)g.
        var positions = Positions();
        var x = Interleave(torch.randn(Batch, Heads, T, Dim, generator: new Generator(2))).detach().requires_grad_(true);
        var upstream = torch.randn(Batch, Heads, T, Dim, generator: new Generator(3), dtype: ScalarType.Float64); // HF's order
        var tables = new RotaryEmbedding(Dim, Base, null).Tables(positions, ScalarType.Float32);
        (tables.Apply(x).to_type(ScalarType.Float64) * Interleave(upstream)).sum().backward();
        AssertClose(Interleave(RotateHalf(upstream, positions, sign: -1)), x.grad!, 1e-5);
    }

    /// <summary>Row 0 from position 0, row 1 from position 3 (as after left padding or a cached past).</summary>
    static Tensor Positions() => torch.tensor(new long[,] { { 0, 1, 2, 3, 4 }, { 3, 4, 5, 6, 7 } });

    /// <summary>[B, H, T, D] in HF's order → the same with each head's dimensions in interleaved order.</summary>
    static Tensor Interleave(Tensor x) => x.index_select(-1, torch.tensor(RotaryEmbedding.InterleavedRows(1, Dim)));

    /// <summary>rotate_half by +pθ (sign 1) or −pθ (sign −1), element by element.</summary>
    static Tensor RotateHalf(Tensor x, Tensor positions, int sign)
    {
        var values = x.data<double>().ToArray();
        var result = new double[values.Length];
        int half = Dim / 2;
        for (int b = 0; b < Batch; b++)
            for (int h = 0; h < Heads; h++)
                for (int t = 0; t < T; t++)
                {
                    long p = positions[b, t].item<long>();
                    int row = ((b * Heads + h) * T + t) * Dim;
                    for (int j = 0; j < half; j++)
                    {
                        double angle = sign * p * Math.Pow(Base, -2.0 * j / Dim);
                        double lo = values[row + j], hi = values[row + j + half];
                        result[row + j] = lo * Math.Cos(angle) - hi * Math.Sin(angle);
                        result[row + j + half] = hi * Math.Cos(angle) + lo * Math.Sin(angle);
                    }
                }
        return torch.tensor(result).view(Batch, Heads, T, Dim);
    }

    static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff <= tolerance, $"max |Δ| = {diff:E2} > {tolerance:E0}");
    }
}
