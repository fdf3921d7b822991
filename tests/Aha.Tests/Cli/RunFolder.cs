using System.Text.Json;

namespace Aha.Tests.Cli;

/// <summary>Reads what a training command wrote into its run folder.</summary>
internal static class RunFolder
{
    /// <summary>metrics.jsonl as (step, metrics) rows; null values (non-finite) are left out.</summary>
    public static List<(int Step, Dictionary<string, double> Metrics)> Metrics(string runDir) =>
        File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Where(l => l.Trim().Length > 0).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var metrics = new Dictionary<string, double>();
            int step = 0;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "step") step = p.Value.GetInt32();
                else if (p.Value.ValueKind == JsonValueKind.Number) metrics[p.Name] = p.Value.GetDouble();
            }
            return (step, metrics);
        }).ToList();

    /// <summary>The lines of a JSONL file, parsed.</summary>
    public static List<JsonElement> Jsonl(string path) =>
        File.ReadAllLines(path).Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}
