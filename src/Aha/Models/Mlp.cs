using Aha.Models.Lora;
using Aha.Native;
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
    readonly LoraAdapter?[] _lora = new LoraAdapter?[Projections.Length]; // gate, up, down; set by LoraAdapters.Attach

    /// <summary>The linear layers' Hugging Face names, in the order of <see cref="LinearAt(int)"/>.</summary>
    internal static readonly string[] Projections = ["gate_proj", "up_proj", "down_proj"];

    public Mlp(ModelConfig c, Device? device, ScalarType dtype) : base("Mlp")
    {
        _gateProj = nn.Linear(c.HiddenSize, c.IntermediateSize, c.MlpBias, device, dtype);
        _upProj = nn.Linear(c.HiddenSize, c.IntermediateSize, c.MlpBias, device, dtype);
        _downProj = nn.Linear(c.IntermediateSize, c.HiddenSize, c.MlpBias, device, dtype);
        RegisterComponents();
    }

    /// <summary>x: [B, T, H] (an RMSNorm's output) → down(silu(gate(x)) ⊙ up(x)), to be added to the residual stream.</summary>
    public Projection Forward(Normed x)
    {
        Tensor gate = x.Linear(_gateProj, Adapter(0)), up = x.Linear(_upProj, Adapter(1));          // [B, T, I]
        var gated = FusedSwiGlu.TryApply(gate, up) ?? nn.functional.silu(gate) * up;               // one native pass in float32 on the CPU
        return new(gated, _downProj, Adapter(2));
    }

    /// <summary>Whether any of gate, up, down has an active LoRA adapter.</summary>
    internal bool HasActiveAdapter => _lora.Any(a => a is { Active: true });

    /// <summary>The linear layer <see cref="Projections"/>[<paramref name="i"/>].</summary>
    internal Linear LinearAt(int i) => i switch { 0 => _gateProj, 1 => _upProj, 2 => _downProj, _ => throw new ArgumentOutOfRangeException(nameof(i)) };

    /// <summary>Attaches (or, with null, removes) the LoRA adapter of linear layer <paramref name="i"/>.</summary>
    internal void SetAdapter(int i, LoraAdapter? adapter) => _lora[i] = adapter;

    LoraAdapter? Adapter(int i) => _lora[i] is { Active: true } a ? a : null;
}
