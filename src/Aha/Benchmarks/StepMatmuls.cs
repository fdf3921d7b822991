using System.Diagnostics;
using Aha.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Benchmarks;

/// <summary>
/// The matrix products of one training step of a <see cref="CausalLM"/>, replayed alone on random data: for every
/// linear layer of every block and for the LM head, the forward x·Wᵀ (+ b) and the backward's dy·W and dyᵀ·x, over the
/// step's tokens, in the layouts autograd runs them (o_proj and down_proj without a bias accumulate onto the residual
/// stream, as <see cref="Projection"/> makes them). What the step does besides — attention's T² products, norms,
/// activations, softmax, the optimizer, dispatch — is left out, so the replay's share of the matmul ceiling is what the
/// whole step could reach with all of that free: it separates what the GEMM library does at the model's shapes from
/// what the rest of the step costs.
/// </summary>
public sealed class StepMatmuls : IDisposable
{
    readonly List<Product> _products = [];
    readonly Tensor _residual;

    /// <param name="model">the model whose linear layers (and tied or untied head) give the shapes.</param>
    /// <param name="tokens">tokens per step (batch × sequence length): the rows of every product's activations.</param>
    public StepMatmuls(CausalLM model, long tokens)
    {
        var config = model.Config;
        foreach (var name in Attention.Projections.Concat(Mlp.Projections))
            for (int i = 0; i < config.NumLayers; i++)
            {
                var layer = model.Backbone.Block(i).LinearNamed(name);
                _products.Add(new Product(tokens, layer.weight!.shape[0], layer.weight.shape[1], layer.bias is not null,
                    AddsToResidual: layer.bias is null && name is "o_proj" or "down_proj"));
            }
        _products.Add(new Product(tokens, config.VocabSize, config.HiddenSize, Bias: false, AddsToResidual: false));
        _residual = torch.randn(tokens, config.HiddenSize);
        Flops = _products.Sum(p => 3 * 2.0 * p.Rows * p.Out * p.In);
    }

    /// <summary>FLOPs of one replay: 2·rows·out·in for each of the three products of each layer.</summary>
    public double Flops { get; }

    /// <summary>Runs every product once; returns the seconds it took.</summary>
    public double Run()
    {
        long start = Stopwatch.GetTimestamp();
        foreach (var p in _products)
        {
            using var wt = p.W.t();
            (p.AddsToResidual ? torch.addmm(_residual, p.X, wt, 1, 1) : p.B is { } b ? torch.addmm(b, p.X, wt, 1, 1) : p.X.mm(wt)).Dispose();
            p.Dy.mm(p.W).Dispose();                 // dx
            using var dyt = p.Dy.t();
            dyt.mm(p.X).Dispose();                  // dW
        }
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public void Dispose()
    {
        foreach (var p in _products) p.Dispose();
        _residual.Dispose();
    }

    /// <summary>One linear layer's operands: x [rows, in], W [out, in], b [out], dy [rows, out].</summary>
    sealed record Product(long Rows, long Out, long In, bool Bias, bool AddsToResidual) : IDisposable
    {
        public Tensor X { get; } = torch.randn(Rows, In);
        public Tensor W { get; } = torch.randn(Out, In);
        public Tensor? B { get; } = Bias ? torch.randn(Out) : null;
        public Tensor Dy { get; } = torch.randn(Rows, Out);

        public void Dispose()
        {
            X.Dispose(); W.Dispose(); B?.Dispose(); Dy.Dispose();
        }
    }
}
