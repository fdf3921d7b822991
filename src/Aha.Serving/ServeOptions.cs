namespace Aha.Serving;

/// <summary>How <c>aha serve</c> runs. Binds to loopback by default: the server has no authentication.</summary>
public sealed record ServeOptions
{
    /// <summary>HF model folder: config.json, model.safetensors (or sharded), tokenizer.json.</summary>
    public required string ModelDir { get; init; }

    /// <summary>Address to bind. The default value is 127.0.0.1 (loopback only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (printed at start). The default value is 8000, as vLLM's.</summary>
    public int Port { get; init; } = 8000;

    /// <summary>Most sequences (prompts × n) in one engine call; concurrent requests are batched up to it. The default value is 64.</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>The name /v1/models lists and responses carry; default the model folder's name.</summary>
    public string? ModelName { get; init; }

    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";

    public ServeOptions Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelDir)) errors.Add("--model is required");
        if (Port is < 0 or > 65535) errors.Add($"--port must be in 0..65535 (got {Port})");
        if (MaxBatch < 1) errors.Add($"--max-batch must be ≥ 1 (got {MaxBatch})");
        if (string.IsNullOrWhiteSpace(Host)) errors.Add("--host must not be empty");
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors) + ".");
        return this;
    }
}
