using System.Text.Json;
using Aha.IO;
using Aha.Models;
using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>
/// Reference log-probs computed once before training (TRL <c>precompute_ref_log_probs</c>), per data split ("train",
/// "eval") and item (a few numbers each: DPO chosen and rejected, KTO matched and mismatched), saved with the trainer
/// state so a resumed run needs no reference model.
/// </summary>
internal sealed class ReferenceLogProbCache(string fileName, string trainer)
{
    Dictionary<string, double[][]>? _splits;

    /// <summary>
    /// The values of <paramref name="split"/>: from a loaded state, else computed now. <paramref name="canCompute"/> is
    /// false when the reference is gone (a resumed run without a reference model: the policy has moved on).
    /// </summary>
    public double[][] Get(string split, int count, bool canCompute, Func<double[][]> compute)
    {
        _splits ??= new();
        if (!_splits.TryGetValue(split, out var values))
        {
            if (!canCompute)
                throw new InvalidOperationException($"Resuming {trainer} without a reference model needs the cached reference log-probs of the {split} data in the saved state; pass the reference model.");
            _splits[split] = values = compute();
        }
        if (values.Length != count)
            throw new InvalidOperationException($"Cached reference log-probs cover {values.Length} {split} items but the data has {count}; resume with the same data.");
        return values;
    }

    /// <summary>
    /// Σ over completion tokens of log π(y_t | x, y_&lt;t) for both rows of each pair, [pair][first, second], in eval
    /// mode without gradients, <paramref name="batchSize"/> pairs per forward. <paramref name="trainAfter"/>: the
    /// model is the policy (no separate reference), so it goes back to training mode; a policy with LoRA adapters is
    /// read with them off — the base is the reference (TRL's null_ref_context).
    /// </summary>
    public static double[][] Compute(CausalLM model, IReadOnlyList<TokenizedPair> pairs, int padId, int batchSize, bool trainAfter)
    {
        var result = new double[pairs.Count][];
        model.eval();
        try
        {
            using var _ = torch.no_grad();
            using var off = trainAfter ? Models.Lora.LoraAdapters.DisabledOn(model) : null;
            int done = 0;
            foreach (var chunk in pairs.Chunk(batchSize))
            {
                using var scope = torch.NewDisposeScope();
                var (sums, _) = DpoTrainer.SequenceLogProbs(model, chunk, padId);   // [2B]
                var v = sums.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < chunk.Length; i++) result[done + i] = [v[i], v[chunk.Length + i]];
                done += chunk.Length;
            }
        }
        finally { if (trainAfter) model.train(); }
        return result;
    }

    /// <summary>Writes the cached splits into <paramref name="dir"/> (nothing when none were computed).</summary>
    public void Save(string dir)
    {
        if (_splits is not null) AtomicFile.WriteText(Path.Combine(dir, fileName), JsonSerializer.Serialize(_splits));
    }

    /// <summary>Reads what <see cref="Save"/> wrote, when the file is there.</summary>
    public void Load(string dir)
    {
        var path = Path.Combine(dir, fileName);
        if (!File.Exists(path)) return;
        try { _splits = JsonSerializer.Deserialize<Dictionary<string, double[][]>>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON at {Aha.Data.JsonErrors.Describe(e)}", e); }
        if (_splits is null || !_splits.ContainsKey("train")) throw new InvalidDataException($"{path}: missing field 'train'.");
    }
}
