using Aha.Configuration;
using Aha.Generation.Remote;

namespace Aha.Training.Runs;

/// <summary>
/// <c>rollout:</c> where completions are sampled. With no <c>endpoints</c> the policy samples in-process (the local
/// engine); with endpoints, a <see cref="RemoteRolloutEngine"/> samples on those servers (aha serve, vLLM or SGLang)
/// and the trainer pushes its weights through <c>sync_dir</c> before every step's generation (synchronous: generation
/// and the update alternate).
/// </summary>
public sealed record RolloutSection : IValidatableConfig
{
    /// <summary>Server base URLs (e.g. http://10.0.0.5:8000); empty samples in-process. Default empty.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>openai (aha serve, vLLM) or sglang (SGLang's native /generate). The default value is openai.</summary>
    public RemoteApi Api { get; init; } = RemoteApi.Openai;

    /// <summary>sglang (/update_weights_from_disk: aha serve, SGLang), vllm (dev-mode /collective_rpc reload_weights) or none. The default value is sglang.</summary>
    public WeightSyncApi WeightSync { get; init; } = WeightSyncApi.Sglang;

    /// <summary>Folder the trainer writes each step's weights to, readable by every server at the same path. Required with endpoints unless weight_sync is none.</summary>
    public string? SyncDir { get; init; }

    /// <summary>The model name sent in OpenAI requests; default the first endpoint's /v1/models entry.</summary>
    public string? Model { get; init; }

    /// <summary>Seconds one HTTP call may take. The default value is 600.</summary>
    public double TimeoutSeconds { get; init; } = 600;

    /// <summary>Retries of a failed call, with exponential backoff. The default value is 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Seconds before the first retry (doubling). The default value is 1.</summary>
    public double BackoffSeconds { get; init; } = 1.0;

    RemoteRolloutOptions Options => new()
    {
        Endpoints = Endpoints, Api = Api, WeightSync = WeightSync, SyncDir = SyncDir, Model = Model,
        TimeoutSeconds = TimeoutSeconds, MaxRetries = MaxRetries, BackoffSeconds = BackoffSeconds,
    };

    /// <summary>The remote engine, or null to sample in-process.</summary>
    public RemoteRolloutEngine? CreateEngine() => Endpoints.Count == 0 ? null : new RemoteRolloutEngine(Options);

    public IEnumerable<(string Key, string Message)> Validate() => Endpoints.Count == 0 ? [] : Options.Errors();
}
