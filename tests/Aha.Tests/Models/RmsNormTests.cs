using Aha.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Models;

public sealed class RmsNormTests
{
    [Fact]
    public void FusedForwardAndBackward_MatchTheCompositeFormula()
    {
        // Reference: autograd through y = w · x · (mean(x²) + ε)^−½ written op by op.
        var gen = new Generator(5);
        using var x = torch.randn([3, 5, 8], generator: gen).requires_grad_();
        using var xRef = x.detach().clone().requires_grad_();
        using var norm = new RmsNorm(8, 1e-6);
        using (torch.no_grad()) norm.Weight.copy_(torch.randn(8, generator: gen));
        using var wRef = norm.Weight.detach().clone().requires_grad_();
        using var upstream = torch.randn([3, 5, 8], generator: gen);

        var y = norm.forward(x);
        y.backward([upstream]);
        var yRef = wRef * xRef * torch.rsqrt(xRef.square().mean([-1], keepdim: true) + 1e-6);
        yRef.backward([upstream]);

        Assert.True(y.allclose(yRef, rtol: 0, atol: 1e-6));
        Assert.True(x.grad!.allclose(xRef.grad!, rtol: 0, atol: 1e-5));
        Assert.True(norm.Weight.grad!.allclose(wRef.grad!, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void NonContiguousInput_IsNormalisedOverTheLastDim()
    {
        using var norm = new RmsNorm(4, 1e-6);
        using var x = torch.arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4).transpose(0, 1); // [3, 2, 4], not contiguous
        using var y = norm.forward(x);
        // Row [0, 1, 2, 3]: mean of squares = 14/4 = 3.5 → y = x / √3.5.
        Assert.Equal(1 / Math.Sqrt(3.5), y[0, 0, 1].item<float>(), 5);
    }
}
