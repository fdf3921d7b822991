namespace Aha.Tracking;

/// <summary>The metrics of one optimizer step, as stored in metrics.jsonl (non-finite values stored as null, read back as NaN).</summary>
public sealed record MetricRow(int Step, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of <paramref name="name"/>, or null when this step did not report it or it is NaN.</summary>
    public double? Get(string name) => Values.TryGetValue(name, out var v) && !double.IsNaN(v) ? v : null;
}
