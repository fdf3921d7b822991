using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Token embedding table (HF's <c>embed_tokens</c>). Written here rather than using nn.Embedding because that module's
/// <c>weight</c> getter returns a new native handle on every access; this one holds a single managed Parameter, which
/// the tied LM head reads directly.
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;

    public TokenEmbedding(int vocab, int dim, Device? device, ScalarType dtype) : base("Embedding")
    {
        weight = new Parameter(torch.empty([vocab, dim], dtype: dtype, device: device));
        RegisterComponents();
    }

    public Parameter Weight => weight;

    /// <summary>ids [...] int64 → [..., dim].</summary>
    public override Tensor forward(Tensor ids) => weight.index_select(0, ids.reshape(-1)).view([.. ids.shape, weight.shape[1]]);
}
