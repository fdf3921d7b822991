using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Preallocated key/value cache: per layer K and V of shape [B, H_kv, capacity, D]. New keys are written in place
/// (narrow + copy_) — no concatenation per token. Owns its tensors (detached from any dispose scope).
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] _keys, _values;

    public KvCache(int layers, long batch, int kvHeads, int capacity, int headDim, ScalarType dtype, Device device)
    {
        Batch = batch;
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int l = 0; l < layers; l++)
        {
            _keys[l] = torch.zeros([batch, kvHeads, capacity, headDim], dtype: dtype, device: device).DetachFromDisposeScope();
            _values[l] = torch.zeros([batch, kvHeads, capacity, headDim], dtype: dtype, device: device).DetachFromDisposeScope();
        }
    }

    public long Batch { get; }
    public int Capacity { get; }

    /// <summary>Layer <paramref name="layer"/>'s whole key buffer, [B, H_kv, capacity, D] (the native decode block writes its step's key there in place).</summary>
    internal Tensor KeysOf(int layer) => _keys[layer];

    /// <summary>Layer <paramref name="layer"/>'s whole value buffer, [B, H_kv, capacity, D].</summary>
    internal Tensor ValuesOf(int layer) => _values[layer];

    /// <summary>Positions filled so far (the same for every row; padding is handled by the attention mask).</summary>
    public int Length { get; private set; }

    /// <summary>Writes k, v ([B, H_kv, t, D]) after the filled part of <paramref name="layer"/>; returns views of all keys/values so far.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        int t = (int)k.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache overflow: {Length} + {t} positions exceed capacity {Capacity}.");
        _keys[layer].narrow(2, Length, t).copy_(k);
        _values[layer].narrow(2, Length, t).copy_(v);
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>
    /// Fills this empty cache with rows of <paramref name="source"/>: row b gets source row <paramref name="rows"/>[b]
    /// ([B] int64), all <c>source.Length</c> positions — one prefilled prompt fanned out to the rows that sample from it
    /// (nanochat's <c>KVCache.prefill</c>).
    /// </summary>
    public void PrefillFrom(KvCache source, Tensor rows)
    {
        if (Length != 0) throw new InvalidOperationException("PrefillFrom needs an empty cache.");
        if (source.Length > Capacity || source._keys.Length != _keys.Length)
            throw new ArgumentException($"Source cache ({source._keys.Length} layers, {source.Length} positions) does not fit ({_keys.Length} layers, capacity {Capacity}).", nameof(source));
        int t = source.Length;
        for (int l = 0; l < _keys.Length; l++)
        {
            _keys[l].narrow(2, 0, t).copy_(source._keys[l].narrow(2, 0, t).index_select(0, rows));
            _values[l].narrow(2, 0, t).copy_(source._values[l].narrow(2, 0, t).index_select(0, rows));
        }
        Length = t;
    }

    /// <summary>Marks <paramref name="t"/> more positions filled; called once per forward, after every layer appended.</summary>
    public void Advance(int t) => Length += t;

    public void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t.Dispose();
    }
}
