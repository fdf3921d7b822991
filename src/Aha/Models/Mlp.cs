using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>SwiGLU feed-forward (arXiv:2002.05202): down(silu(gate(x)) ⊙ up(x)).</summary>
public sealed class Mlp : nn.Module
{
    [ComponentName(Name = "gate_proj")] readonly Linear _gateProj;
    [ComponentName(Name = "up_proj")] readonly Linear _upProj;
    [ComponentName(Name = "down_proj")] readonly Linear _downProj;

    public Mlp(ModelConfig c, Device? device, ScalarType dtype) : base("Mlp")
    {
        _gateProj = nn.Linear(c.HiddenSize, c.IntermediateSize, c.MlpBias, device, dtype);
        _upProj = nn.Linear(c.HiddenSize, c.IntermediateSize, c.MlpBias, device, dtype);
        _downProj = nn.Linear(c.IntermediateSize, c.HiddenSize, c.MlpBias, device, dtype);
        RegisterComponents();
    }

    /// <summary>residual + down(silu(gate(x)) ⊙ up(x)) for x = gain ⊙ normed: the block's half after its RMSNorm, see <see cref="GainedLinear"/>.</summary>
    public Tensor Forward(Tensor normed, Tensor gain, Tensor residual)
    {
        var gate = GainedLinear.Linear(normed, gain, _gateProj.weight!, _gateProj.bias);
        var up = GainedLinear.Linear(normed, gain, _upProj.weight!, _upProj.bias);
        return GainedLinear.AddTo(residual, nn.functional.silu(gate) * up, _downProj.weight!, _downProj.bias);
    }
}
