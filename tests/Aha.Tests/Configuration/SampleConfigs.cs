using Aha.Algorithms;
using Aha.Configuration;

namespace Aha.Tests.Configuration;

// Sample config records in the style trainers use: sealed records, init properties, defaults beside the field.

public enum SampleDevice { Cpu, Cuda }

public sealed record SampleOptim
{
    public double Lr { get; init; } = 1e-5;
    public int WarmupSteps { get; init; } = 10;
    public double? MaxGradNorm { get; init; } = 1.0;
}

public sealed record SampleAlgorithm
{
    public AggregationMode Aggregation { get; init; } = AggregationMode.SeqMeanTokenMean;
    public KlEstimator Kl { get; init; } = KlEstimator.K3;
    public double ClipLow { get; init; } = 0.2;
    public double ClipHigh { get; init; } = 0.2;
}

public sealed record SampleStage
{
    public string Name { get; init; } = "";
    public int Steps { get; init; } = 1;
}

/// <summary>A value type with its own text form, for the parser registry: "cuda:1".</summary>
public sealed record SampleDeviceSpec(string Kind, int Index)
{
    public static SampleDeviceSpec Parse(string text)
    {
        var parts = text.Split(':');
        if (parts[0] is not ("cpu" or "cuda") || parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], out _)))
            throw new FormatException($"'{text}' is not a device");
        return new SampleDeviceSpec(parts[0], parts.Length == 2 ? int.Parse(parts[1]) : 0);
    }

    public override string ToString() => Kind == "cpu" ? "cpu" : $"{Kind}:{Index}";
}

public sealed record SampleConfig : IValidatableConfig
{
    public string ModelPath { get; init; } = "model";
    public int MaxNewTokens { get; init; } = 64;
    public bool UseKVCache { get; init; } = true;
    public string? Note { get; init; }
    public SampleDevice Device { get; init; } = SampleDevice.Cpu;
    public SampleOptim Optim { get; init; } = new();
    public SampleAlgorithm Algorithm { get; init; } = new();
    public IReadOnlyList<int> EvalSteps { get; init; } = [10, 20];
    public string[] StopStrings { get; init; } = [];
    public IReadOnlyDictionary<string, double> RewardWeights { get; init; } = new Dictionary<string, double> { ["math"] = 1.0, ["format"] = 0.1 };
    public IReadOnlyList<SampleStage> Stages { get; init; } = [];

    public IEnumerable<ConfigProblem> Problems()
    {
        if (string.IsNullOrWhiteSpace(ModelPath)) yield return new ConfigProblem("model_path", "is required: a Hugging Face folder or a built-in model name.");
        if (Algorithm.ClipHigh < Algorithm.ClipLow)
            yield return new ConfigProblem("algorithm", $"clip_high ({Algorithm.ClipHigh}) must be ≥ clip_low ({Algorithm.ClipLow}).");
    }
}

public sealed record SampleWithCustomType
{
    public SampleDeviceSpec Device { get; init; } = new("cpu", 0);
}
