using Aha.Native;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// The linear layers of a pre-norm block that read an RMSNorm's output: W·(g ⊙ n) = (W·diag(g))·n, so the norm's gain g
/// can scale W's columns instead of every row of n. In training n has thousands of rows and W a few hundred (Small4M:
/// 4 096 rows of 256 against 128–768 of 256), so scaling W saves a pass over the activations forward and two backward;
/// while decoding n has a row per sequence and scaling n is the smaller job (its product then goes to
/// <see cref="FewRowsLinear"/>). <see cref="Normed"/> carries n and g to the layers that read them.
/// </summary>
public static class GainedLinear
{
    /// <summary>Whether the gain goes into the weights: when n has more rows than W.</summary>
    public static bool FoldsIntoWeights(Tensor normed, Tensor weight) => normed.numel() / normed.shape[^1] > weight.shape[0];

    /// <summary>linear(g ⊙ n, W, b), with g multiplied into whichever of n and W has fewer rows.</summary>
    public static Tensor Linear(Tensor normed, Tensor gain, Tensor weight, Tensor? bias)
        => FoldsIntoWeights(normed, weight)
            ? nn.functional.linear(normed, weight * gain, bias)
            : FewRowsLinear.Linear(normed * gain, weight, bias);

    /// <summary>
    /// residual + x·Wᵀ (+ b) over the last dimension. Without a bias it is one addmm — the product accumulates onto a copy
    /// of the residual stream, skipping the zero-fill of a fresh output and the separate addition. <see cref="Projection"/>
    /// defers a block's output projection so that adding it to the residual lands here.
    /// </summary>
    public static Tensor AddTo(Tensor residual, Tensor x, Tensor weight, Tensor? bias)
    {
        if (FewRowsLinear.TryLinear(x, weight, bias, residual) is { } decoded) return decoded;
        if (bias is not null) return residual + nn.functional.linear(x, weight, bias);
        long width = residual.shape[^1];
        return torch.addmm(residual.reshape(-1, width), x.reshape(-1, x.shape[^1]), weight.t(), 1, 1).view(residual.shape);
    }
}
