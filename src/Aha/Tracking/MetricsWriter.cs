using Aha.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aha.Tracking;

/// <summary>
/// Writes <c>metrics.jsonl</c> (one object per step, appended and flushed at once, so a crash loses at most the step
/// being written) and <c>metrics.csv</c> (<c>step</c>, then the union of metric names sorted ordinally). When a step
/// brings a new metric name the CSV is regenerated from the rows in memory with the wider header; otherwise one row is
/// appended. Non-finite values are <c>null</c> in JSON and <c>NaN</c>/<c>Infinity</c> in the CSV.
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    private readonly string _jsonlPath;
    private readonly string _csvPath;
    private readonly List<MetricRow> _rows = [];
    private readonly SortedSet<string> _names = new(StringComparer.Ordinal);
    private StreamWriter _jsonl;
    private StreamWriter? _csv;

    /// <summary>Opens (or creates) the metric files in <paramref name="runDir"/>.</summary>
    /// <param name="runDir">The run folder.</param>
    /// <param name="resumeAfterStep">When resuming from a checkpoint at this step, rows of later steps (logged after the
    /// checkpoint by the interrupted run) are dropped from both files. Null keeps every existing row.</param>
    public MetricsWriter(string runDir, int? resumeAfterStep = null)
    {
        Directory.CreateDirectory(runDir);
        _jsonlPath = Path.Combine(runDir, RunFiles.MetricsJsonl);
        _csvPath = Path.Combine(runDir, RunFiles.MetricsCsv);
        foreach (var obj in JsonlFile.TrimAfterStep(_jsonlPath, resumeAfterStep)) AddRow(ParseRow(obj));
        if (_rows.Count > 0) RewriteCsv();
        _jsonl = JsonlFile.OpenAppend(_jsonlPath);
    }

    /// <summary>Every row written so far (including those kept from an earlier run), in order.</summary>
    public IReadOnlyList<MetricRow> Rows => _rows;

    /// <summary>The CSV columns: <c>step</c>, then every metric name seen, sorted ordinally.</summary>
    public IReadOnlyList<string> Columns => ["step", .. _names];

    /// <summary>Appends one step's metrics to both files and flushes them.</summary>
    public void Append(int step, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.ContainsKey("step"))
            throw new ArgumentException("A metric may not be named 'step'; the step is written by the tracker.", nameof(metrics));
        var row = new MetricRow(step, new Dictionary<string, double>(metrics, StringComparer.Ordinal));
        _jsonl.WriteLine(ToJson(row));
        _jsonl.Flush();
        int before = _names.Count;
        AddRow(row);
        if (_names.Count != before || _csv is null) RewriteCsv();
        else
        {
            _csv.WriteLine(CsvRow(row));
            _csv.Flush();
        }
    }

    /// <summary>Flushes and closes both files.</summary>
    public void Dispose()
    {
        _jsonl.Dispose();
        _csv?.Dispose();
    }

    private void AddRow(MetricRow row)
    {
        _rows.Add(row);
        _names.UnionWith(row.Values.Keys);
    }

    private void RewriteCsv()
    {
        _csv?.Dispose();
        var text = new StringBuilder();
        text.Append(string.Join(",", Columns.Select(CsvField))).Append('\n');
        foreach (var row in _rows) text.Append(CsvRow(row)).Append('\n');
        AtomicFile.WriteText(_csvPath, text.ToString());
        _csv = JsonlFile.OpenAppend(_csvPath);
    }

    private string CsvRow(MetricRow row)
    {
        var fields = new List<string>(_names.Count + 1) { row.Step.ToString(CultureInfo.InvariantCulture) };
        foreach (var name in _names)
            fields.Add(row.Values.TryGetValue(name, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
        return string.Join(",", fields);
    }

    private static string CsvField(string text)
        => text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";

    private static string ToJson(MetricRow row) => JsonlFile.Line(w =>
    {
        w.WriteNumber("step", row.Step);
        foreach (var (name, value) in row.Values)
        {
            if (double.IsFinite(value)) w.WriteNumber(name, value);
            else w.WriteNull(name);
        }
    });

    private static MetricRow ParseRow(JsonElement obj)
    {
        int step = obj.GetProperty("step").GetInt32();
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Name == "step") continue;
            if (p.Value.ValueKind == JsonValueKind.Number) values[p.Name] = p.Value.GetDouble();
            else if (p.Value.ValueKind == JsonValueKind.Null) values[p.Name] = double.NaN;
        }
        return new MetricRow(step, values);
    }
}
