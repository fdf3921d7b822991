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

    /// <summary>x: [B, T, H] (an RMSNorm's output) → down(silu(gate(x)) ⊙ up(x)), to be added to the residual stream.</summary>
    public Projection Forward(Normed x)
        => new(nn.functional.silu(x.Linear(_gateProj)) * x.Linear(_upProj), _downProj); // [B, T, I] into down_proj
}
