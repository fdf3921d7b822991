using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// A block's output projection x·Wᵀ + b, not yet computed: a pre-norm block only ever adds it to the residual stream,
/// and <c>residual + projection</c> then runs as one addmm onto the residual (see <see cref="GainedLinear.AddTo"/>).
/// </summary>
/// <param name="Input">x: [..., in].</param>
/// <param name="Layer">the projection (o_proj, down_proj).</param>
public readonly record struct Projection(Tensor Input, Linear Layer)
{
    /// <summary>residual + x·Wᵀ + b: [..., out].</summary>
    public static Tensor operator +(Tensor residual, Projection p) => GainedLinear.AddTo(residual, p.Input, p.Layer.weight!, p.Layer.bias);
}
