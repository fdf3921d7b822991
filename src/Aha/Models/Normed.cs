using Aha.Models.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// An RMSNorm's output g ⊙ n with the gain g not yet applied, as the linear layers of a pre-norm block read it: each
/// takes g into whichever of n and its weight has fewer rows (see <see cref="GainedLinear"/>).
/// </summary>
/// <param name="Values">n = x / √(mean(x²) + ε): [..., H].</param>
/// <param name="Gain">g: [H].</param>
public readonly record struct Normed(Tensor Values, Tensor Gain)
{
    /// <summary>linear(g ⊙ n) (+ the LoRA term s·B·A·dropout(g ⊙ n) when <paramref name="adapter"/> is given): [..., H] → [..., out].</summary>
    public Tensor Linear(Linear layer, LoraAdapter? adapter = null)
    {
        var y = GainedLinear.Linear(Values, Gain, layer.weight!, layer.bias);
        return adapter is null ? y : y.add_(adapter.Forward(this));
    }
}
