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
    /// <summary>linear(g ⊙ n): [..., H] → [..., out].</summary>
    public Tensor Linear(Linear layer) => GainedLinear.Linear(Values, Gain, layer.weight!, layer.bias);
}
