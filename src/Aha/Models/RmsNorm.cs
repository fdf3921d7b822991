using Aha.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>RMSNorm (arXiv:1910.07467): y = w ⊙ x / √(mean(x²) + ε), computed in fp32 as HF does.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;

    // ε and the add's α as Scalars this module keeps alive. `tensor + double` makes a temporary Scalar that only the GC
    // frees; when its finalizer runs while libtorch still reads it, the add fails inside libtorch ("toFloat … Expected
    // false to be true") — seen at random in long generation runs (TorchSharp PR #1434). This add runs 2L + 1 times per forward.
    readonly Scalar _eps;
    readonly double _epsValue;
    static readonly Scalar One = 1;

    public RmsNorm(int dim, double eps, Device? device = null, ScalarType dtype = ScalarType.Float32) : base("RMSNorm")
    {
        weight = new Parameter(torch.ones(dim, dtype: dtype, device: device));
        _eps = eps;
        _epsValue = eps;
        RegisterComponents();
    }

    /// <summary>ε.</summary>
    public double Eps => _epsValue;

    /// <summary>The gain w.</summary>
    public Parameter Weight => weight;

    public override Tensor forward(Tensor x) => weight * Normalize(x);

    /// <summary>The same output with the gain not yet applied, for the linear layers that read it (see <see cref="Models.Normed"/>).</summary>
    public Normed Normed(Tensor x) => new(Normalize(x), weight);

    /// <summary>
    /// x / √(mean(x²) + ε), without the gain: in float32 on the CPU one native pass each way (<see cref="FusedRmsNorm"/>).
    /// </summary>
    public Tensor Normalize(Tensor x)
    {
        if (FusedRmsNorm.TryNormalize(x, _epsValue) is { } fused) return fused;
        var input = x.dtype == ScalarType.Float32 ? x : x.to_type(ScalarType.Float32);
        return (input * torch.rsqrt(input.square().mean([-1], keepdim: true).add(_eps, One))).to_type(x.dtype);
    }
}
