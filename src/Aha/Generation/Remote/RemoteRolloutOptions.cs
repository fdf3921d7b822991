using Aha.Configuration;

namespace Aha.Generation.Remote;

/// <summary>Which generation API the servers speak.</summary>
public enum RemoteApi
{
    /// <summary>OpenAI <c>/v1/completions</c> with token-id prompts, <c>logprobs: 0</c> and <c>return_tokens_as_token_ids</c> (vLLM, aha serve).</summary>
    Openai,
    /// <summary>SGLang's native <c>/generate</c> with <c>input_ids</c> and <c>return_logprob</c>.</summary>
    Sglang,
}

/// <summary>How new weights reach the servers once written to <see cref="RemoteRolloutOptions.SyncDir"/>.</summary>
public enum WeightSyncApi
{
    /// <summary>SGLang's <c>POST /update_weights_from_disk {"model_path", "weight_version"}</c> (aha serve too).</summary>
    Sglang,
    /// <summary>vLLM's dev-mode <c>POST /collective_rpc {"method": "reload_weights", "kwargs": {"weights_path"}}</c> (needs <c>VLLM_SERVER_DEV_MODE=1</c>).</summary>
    Vllm,
    /// <summary>No weight sync: the servers keep the weights they started with (evaluation, or a frozen sampler).</summary>
    None,
}

/// <summary>
/// Settings of <see cref="RemoteRolloutEngine"/>, and the <c>rollout:</c> section of a run config: with no
/// <see cref="Endpoints"/> the policy samples in-process; with endpoints, on those servers, and the trainer pushes its
/// weights through <see cref="SyncDir"/> (before every step's generation in <c>sync</c> mode; <see cref="Mode"/> lets
/// generation overlap the update). <see cref="SyncDir"/> must be a folder the trainer and every server read at the
/// same path (local disk for one machine, a shared file system for several).
/// </summary>
public sealed record RemoteRolloutOptions : IValidatableConfig
{
    /// <summary>Base URLs of the servers, e.g. http://10.0.0.5:8000; requests are spread over them. Empty (the default): sample in-process.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>The generation API. The default value is openai.</summary>
    public RemoteApi Api { get; init; } = RemoteApi.Openai;

    /// <summary>How weights are pushed after each optimizer step. The default value is sglang (what aha serve speaks).</summary>
    public WeightSyncApi WeightSync { get; init; } = WeightSyncApi.Sglang;

    /// <summary>Folder the trainer writes each version's HF checkpoint into (as <c>v{step}</c>); required unless weight_sync is none.</summary>
    public string? SyncDir { get; init; }

    /// <summary>The <c>model</c> field of OpenAI requests; null asks the first endpoint's <c>/v1/models</c>.</summary>
    public string? Model { get; init; }

    /// <summary>Seconds one HTTP call may take before it counts as failed. The default value is 600.</summary>
    public double TimeoutSeconds { get; init; } = 600;

    /// <summary>Retries of a failed call (connection refused, timeout, HTTP 5xx/429). The default value is 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Wait before the first retry; doubled for each further one. The default value is 1 second.</summary>
    public double BackoffSeconds { get; init; } = 1.0;

    /// <summary>sync, one_step_off or async (<see cref="RolloutMode"/>). The overlapped modes need <see cref="Endpoints"/>. The default value is sync.</summary>
    public RolloutMode Mode { get; init; } = RolloutMode.Sync;

    /// <summary>k: samples more than k optimizer steps older than the policy they train are dropped. The default value is 1.</summary>
    public int MaxStaleness { get; init; } = 1;

    /// <summary>The trainer's view of <see cref="Mode"/> and <see cref="MaxStaleness"/>.</summary>
    public RolloutSchedule Schedule => new(Mode, MaxStaleness);

    /// <summary>The engine these settings describe, or null when there are no endpoints (sample in-process).</summary>
    public RemoteRolloutEngine? CreateEngine() => Endpoints.Count == 0 ? null : new RemoteRolloutEngine(this);

    /// <summary>Every problem at once, with the field's config name; without endpoints (in-process sampling) only the schedule's.</summary>
    public IEnumerable<ConfigProblem> Problems()
    {
        if (MaxStaleness < 1) yield return new ConfigProblem("max_staleness", $"must be ≥ 1 (got {MaxStaleness}); for on-policy samples use mode: sync.", MaxStaleness);
        if (Endpoints.Count == 0)
        {
            // the in-process engine samples from the very module the optimizer writes: overlapping them would race
            if (Mode != RolloutMode.Sync)
                yield return new ConfigProblem("mode", $"{ConfigNaming.ToSnakeCase(Mode.ToString())} overlaps generation with the optimizer step, so the sampler needs its own copy of the weights: list rollout.endpoints (e.g. `aha serve` on this machine), or use mode: sync for in-process sampling.", Mode);
            yield break;
        }
        foreach (var e in Endpoints)
            if (!Uri.TryCreate(e, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
                yield return new ConfigProblem("endpoints", $"'{e}' is not an http(s) URL.");
        if (WeightSync != WeightSyncApi.None && string.IsNullOrWhiteSpace(SyncDir))
            yield return new ConfigProblem("sync_dir", "is required to push weights: a folder the trainer and every server read at the same path.");
        if (!(TimeoutSeconds > 0)) yield return new ConfigProblem("timeout_seconds", $"must be > 0 (got {TimeoutSeconds}).", TimeoutSeconds);
        if (MaxRetries < 0) yield return new ConfigProblem("max_retries", $"must be ≥ 0 (got {MaxRetries}).", MaxRetries);
        if (BackoffSeconds < 0) yield return new ConfigProblem("backoff_seconds", $"must be ≥ 0 (got {BackoffSeconds}).", BackoffSeconds);
    }

    /// <summary>Throws one <see cref="ConfigException"/> listing every problem; an engine needs at least one endpoint.</summary>
    public RemoteRolloutOptions Checked()
    {
        var errors = Problems().ToList();
        if (Endpoints.Count == 0) errors.Insert(0, new ConfigProblem("endpoints", "must list at least one server URL (e.g. http://127.0.0.1:8000)."));
        return errors.Count == 0 ? this : throw new ConfigException("rollout", errors);
    }
}
