using Aha.Models.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// A block's output projection x·Wᵀ + b, not yet computed: a pre-norm block only ever adds it to the residual stream,
/// and <c>residual + projection</c> then runs as one addmm onto the residual (see <see cref="GainedLinear.AddTo"/>).
/// </summary>
/// <param name="Input">x: [..., in].</param>
/// <param name="Layer">the projection (o_proj, down_proj).</param>
/// <param name="Adapter">its LoRA adapter, or null.</param>
public readonly record struct Projection(Tensor Input, Linear Layer, LoraAdapter? Adapter = null)
{
    /// <summary>residual + x·Wᵀ + b (+ s·B·A·dropout(x) with an adapter): [..., out].</summary>
    public static Tensor operator +(Tensor residual, Projection p)
    {
        var y = GainedLinear.AddTo(residual, p.Input, p.Layer.weight!, p.Layer.bias);
        return p.Adapter is null ? y : y.add_(p.Adapter.Forward(p.Input));
    }
}
