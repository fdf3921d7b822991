using Aha.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Models;

/// <summary>
/// The norm gain taken into the weights, W·(g ⊙ n) = (W·diag(g))·n, and the residual added by the matmul, against the
/// formulas computed directly in float64: values and the gradients of every input.
/// </summary>
public sealed class GainedLinearTests
{
    [Theory]
    [InlineData(5)] // fewer rows than the 2 × 3 of n: the gain goes into W
    [InlineData(7)] // more: the gain scales n
    public void Linear_MatchesScalingTheActivations_ValuesAndGradients(int weightRows)
    {
        var g = new Generator(1);
        var inputs = new[] { torch.randn(2, 3, 4, generator: g), torch.randn(4, generator: g), torch.randn(weightRows, 4, generator: g), torch.randn(weightRows, generator: g) };
        var upstream = torch.randn(2, 3, weightRows, generator: g, dtype: ScalarType.Float64);
        var expected = ValueAndGradients(x => nn.functional.linear(x[0] * x[1], x[2], x[3]), inputs, upstream, ScalarType.Float64);
        var actual = ValueAndGradients(x => GainedLinear.Linear(x[0], x[1], x[2], x[3]), inputs, upstream, ScalarType.Float32);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"output {i}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddTo_IsTheResidualPlusTheLinear_ValuesAndGradients(bool withBias)
    {
        var g = new Generator(2);
        var inputs = new List<Tensor> { torch.randn(2, 3, 5, generator: g), torch.randn(2, 3, 4, generator: g), torch.randn(5, 4, generator: g) };
        if (withBias) inputs.Add(torch.randn(5, generator: g));
        var upstream = torch.randn(2, 3, 5, generator: g, dtype: ScalarType.Float64);
        Tensor? Bias(Tensor[] x) => withBias ? x[3] : null;
        var expected = ValueAndGradients(x => x[0] + nn.functional.linear(x[1], x[2], Bias(x)), inputs.ToArray(), upstream, ScalarType.Float64);
        var actual = ValueAndGradients(x => GainedLinear.AddTo(x[0], x[1], x[2], Bias(x)), inputs.ToArray(), upstream, ScalarType.Float32);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"output {i}");
    }

    [Theory]
    [InlineData(6, false)] // 2 × 3 rows of n against 6 rows of W: scaling n is no larger
    [InlineData(5, true)]
    public void FoldsIntoWeights_WhenTheActivationsHaveMoreRows(int weightRows, bool folds)
    {
        using var normed = torch.empty(2, 3, 4);
        using var weight = torch.empty(weightRows, 4);
        Assert.Equal(folds, GainedLinear.FoldsIntoWeights(normed, weight));
    }

    /// <summary>[f(x), ∂(upstream·f)/∂x_0, ∂/∂x_1, …] with the inputs cast to <paramref name="dtype"/>.</summary>
    static Tensor[] ValueAndGradients(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor upstream, ScalarType dtype)
    {
        var leaves = inputs.Select(x => x.to_type(dtype).detach().requires_grad_(true)).ToArray();
        var output = f(leaves);
        (output.to_type(ScalarType.Float64) * upstream).sum().backward();
        return leaves.Select(x => x.grad!).Prepend(output.detach()).ToArray();
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected - actual.to_type(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff <= 1e-5, $"{what}: max |Δ| = {diff:E2}");
    }
}
