using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models.Lora;

/// <summary>
/// One adapted linear layer: Δy = s·B·A·dropout(x) added to W·x + b, s = α/r. A ~ U(−1/√in, 1/√in) and B = 0 as PEFT's
/// <c>reset_lora_parameters</c> (kaiming_uniform_ with a = √5 — gain √(2/(1+5)), bound √3·gain/√in = 1/√in — and
/// zeros_), so a fresh adapter leaves the model's output unchanged. B's rows are held in the model's layout of the
/// adapted weight (q_proj's and k_proj's rows interleaved, <see cref="CheckpointLayout"/>), converted when saved.
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    readonly LoraAdapters _owner;
    readonly double _dropout;

    internal LoraAdapter(LoraAdapters owner, string name, Linear layer, int r, double scaling, double dropout, Generator generator)
    {
        _owner = owner;
        _dropout = dropout;
        Name = name;
        Layer = layer;
        Scaling = scaling;
        var w = layer.weight!;
        long outFeatures = w.shape[0], inFeatures = w.shape[1];
        using (torch.no_grad())
        {
            double bound = 1.0 / Math.Sqrt(inFeatures);
            A = new Parameter(torch.empty(r, inFeatures, w.dtype, w.device).uniform_(-bound, bound, generator)); // [r, in]
            B = new Parameter(torch.zeros(outFeatures, r, w.dtype, w.device));                                   // [out, r]
        }
    }

    /// <summary>The adapted layer's Hugging Face module name (<c>model.layers.0.self_attn.q_proj</c>).</summary>
    public string Name { get; }

    /// <summary>The frozen base layer W, b.</summary>
    public Linear Layer { get; }

    /// <summary>lora_A.weight: [r, in].</summary>
    public Parameter A { get; }

    /// <summary>lora_B.weight: [out, r], rows in the model's layout.</summary>
    public Parameter B { get; }

    /// <summary>s = α/r (α/√r with rsLoRA).</summary>
    public double Scaling { get; }

    /// <summary>Whether the adapter takes part in forwards on the calling thread (see <see cref="LoraAdapters.Disable"/>).</summary>
    internal bool Active => _owner.ActiveOnThisThread;

    /// <summary>s·B·A: [out, in], what merging adds to W.</summary>
    public Tensor Delta() => B.matmul(A).mul_(Scaling);

    /// <summary>s·B·A·dropout(g ⊙ n): an RMSNorm's output, gain not yet applied → [..., out].</summary>
    internal Tensor Forward(Normed x)
    {
        if (_dropout > 0 && Layer.training) return Forward(x.Values * x.Gain);
        var h = GainedLinear.Linear(x.Values, x.Gain, A, null); // [..., r]; the gain folds into A's r rows
        return nn.functional.linear(h.mul_(Scaling), B);        // [..., out]
    }

    /// <summary>s·B·A·dropout(x): [..., in] → [..., out].</summary>
    internal Tensor Forward(Tensor x)
    {
        if (_dropout > 0 && Layer.training) x = nn.functional.dropout(x, _dropout, training: true);
        var h = nn.functional.linear(x, A);                      // [..., r]
        return nn.functional.linear(h.mul_(Scaling), B);         // [..., out]
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
