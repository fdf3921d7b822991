using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// Reads several scalar diagnostics with one device sync (stack, then one copy to the host) instead of one sync per
/// value. Each <see cref="Add"/> returns a <see cref="ScalarRead"/> held in a named variable, so no value is read by its
/// position in the batch:
/// <code>
/// var reads = new Scalars();
/// var clipLow = reads.Add(Masked.Mean(low, m));
/// reads.Read();
/// … clipLow.Value …
/// </code>
/// </summary>
internal sealed class Scalars
{
    readonly List<Tensor> _tensors = [];
    double[]? _values;

    /// <summary>Queues a one-element tensor; its value is available after <see cref="Read"/>.</summary>
    public ScalarRead Add(Tensor scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        if (_values is not null) throw new InvalidOperationException("These scalars were already read; start a new batch.");
        if (scalar.numel() != 1) throw new ArgumentException($"A scalar read needs one element; got shape [{string.Join(", ", scalar.shape)}].", nameof(scalar));
        _tensors.Add(scalar);
        return new ScalarRead(this, _tensors.Count - 1);
    }

    /// <summary>Copies every queued value to the host in one transfer.</summary>
    public void Read()
    {
        if (_values is not null) return;
        if (_tensors.Count == 0) { _values = []; return; }
        using var _ = torch.no_grad();
        using var stacked = torch.stack(_tensors.Select(s => s.detach().to_type(ScalarType.Float64).reshape(1)).ToArray()).cpu();
        _values = stacked.data<double>().ToArray();
    }

    internal double ValueAt(int index) =>
        _values?[index] ?? throw new InvalidOperationException("Read() the batch before taking a value.");
}

/// <summary>One value of a <see cref="Scalars"/> batch.</summary>
internal readonly record struct ScalarRead(Scalars Batch, int Index)
{
    /// <summary>The value, once the batch has been read.</summary>
    public double Value => Batch.ValueAt(Index);
}
