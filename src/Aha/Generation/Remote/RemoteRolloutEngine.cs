using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aha.Checkpoints;
using Aha.Models;

namespace Aha.Generation.Remote;

/// <summary>
/// A rollout engine whose samples come from inference servers over HTTP — <c>aha serve</c>, vLLM or SGLang — as in
/// veRL: training here, generation there. Prompts and completions travel as token ids (nothing is re-tokenized), with
/// the sampled tokens' log-probs and finish reasons. A batch is split by prompt groups over the endpoints and the
/// parts are sent at once. After each optimizer step the trainer calls <see cref="SyncWeights"/>: the policy is saved as
/// an HF checkpoint to <c>{sync_dir}/v{step}</c> (written under a temporary name, then renamed, so a server never
/// reads a half-written folder), every server is told to load it, and replies that report a weight version must match
/// it. Failed calls are retried with exponential backoff; when a server stays down the engine throws a
/// <see cref="RemoteEngineException"/> naming it, before the trainer takes a step on missing data.
/// </summary>
public sealed class RemoteRolloutEngine : IRolloutEngine, IPolicyWeightSync, IDisposable
{
    readonly RemoteRolloutOptions _options;
    readonly HttpClient _http;
    readonly Uri[] _endpoints;
    string? _model;
    string? _syncedPath;

    /// <param name="handler">HTTP handler (tests pass a recorded-reply handler); default a pooled socket handler.</param>
    public RemoteRolloutEngine(RemoteRolloutOptions options, HttpMessageHandler? handler = null)
    {
        _options = options.Checked();
        _endpoints = options.Endpoints.Select(e => new Uri(e.TrimEnd('/') + "/")).ToArray();
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        _model = options.Model;
    }

    // -1: nothing pushed yet. Read by generation (possibly on a rollout thread) while the trainer pushes.
    long _synced = -1;

    public long? SyncedVersion
    {
        get { long v = Interlocked.Read(ref _synced); return v < 0 ? null : v; }
        private set => Interlocked.Exchange(ref _synced, value ?? -1);
    }

    /// <summary>The weight version the last replies reported (null when the servers do not report one, as vLLM).</summary>
    public string? LastReportedVersion { get; private set; }

    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
    {
        sampling.Validate();
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Count == 0)) throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
        var parts = Split(prompts, _endpoints.Length);
        var tasks = parts.Select((part, i) => GeneratePart(_endpoints[i], prompts, part.Start, part.Count, sampling with { Seed = sampling.Seed + i })).ToArray();
        var results = Wait(Task.WhenAll(tasks));
        return results.SelectMany(r => r).ToList();
    }

    async Task<IReadOnlyList<Completion>> GeneratePart(Uri endpoint, IReadOnlyList<IReadOnlyList<int>> all, int start, int count, SamplingParams sampling)
    {
        var rows = all.Skip(start).Take(count).ToList();
        var sent = SyncedVersion; // the weights the servers had when the request left
        List<(int[] Ids, float[] LogProbs, FinishReason Finish)> choices;
        string? version;
        if (_options.Api == RemoteApi.Sglang)
        {
            var where = new Uri(endpoint, "generate").ToString();
            using var reply = await Post(where, RemoteWire.SglangGenerate(rows, sampling));
            (choices, version) = RemoteWire.ParseSglang(reply.RootElement, rows.Count, where);
        }
        else
        {
            _model ??= await ModelName(endpoint);
            // send each distinct prompt once with n samples when the rows are runs of equal length (a GRPO batch)
            int n = RunLength(rows);
            var distinct = Enumerable.Range(0, rows.Count / n).Select(i => rows[i * n]).ToList();
            var where = new Uri(endpoint, "v1/completions").ToString();
            using var reply = await Post(where, RemoteWire.OpenAiCompletions(_model, distinct, n, sampling));
            (choices, version) = RemoteWire.ParseOpenAi(reply.RootElement, rows.Count, where);
        }
        long? stamp = CheckVersion(endpoint, version, sent);
        LastReportedVersion = version;
        return rows.Select((p, i) => new Completion(p, choices[i].Ids, choices[i].LogProbs, choices[i].Finish) { WeightVersion = stamp }).ToList();
    }

    /// <summary>
    /// The version a reply was sampled with. A reported version must lie between the one pushed when the request left
    /// and the latest pushed (equal to both unless a push happened meanwhile, as in <c>async</c> mode); anything else
    /// means the server did not apply an update. Servers that report none (vLLM) are taken at the version sent.
    /// </summary>
    long? CheckVersion(Uri endpoint, string? version, long? sent)
    {
        if (version is null || sent is null) return sent;
        long? now = SyncedVersion;
        if (long.TryParse(version, out var v) && v >= sent && v <= now) return v;
        var expected = sent == now ? $"version {sent}" : $"a version from {sent} to {now}";
        throw new RemoteEngineException($"{endpoint}: the reply was sampled with weight version {version}, but the trainer pushed {expected}; the server did not apply the update.");
    }

    /// <summary>Saves the policy to <c>{sync_dir}/v{version}</c> atomically and has every server load it; removes older versions.</summary>
    public void SyncWeights(CausalLM policy, long version)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (_options.WeightSync == WeightSyncApi.None) { SyncedVersion = version; return; }
        var root = Path.GetFullPath(_options.SyncDir!);
        Directory.CreateDirectory(root);
        var final = Path.Combine(root, $"v{version}");
        var temp = Path.Combine(root, $".v{version}.tmp-{Guid.NewGuid():N}");
        HfCheckpoint.Save(policy, policy.Config, temp);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temp, final);
        Wait(Task.WhenAll(_endpoints.Select(e => PushWeights(e, final, version))));
        var previous = _syncedPath;
        _syncedPath = final;
        SyncedVersion = version;
        // the servers now read the new folder; the one before can go (older ones went the same way)
        if (previous is not null && previous != final && Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
    }

    async Task PushWeights(Uri endpoint, string path, long version)
    {
        if (_options.WeightSync == WeightSyncApi.Vllm)
        {
            using var _ = await Post(new Uri(endpoint, "collective_rpc").ToString(), new JsonObject
            {
                ["method"] = "reload_weights", ["kwargs"] = new JsonObject { ["weights_path"] = path },
            });
            return;
        }
        var where = new Uri(endpoint, "update_weights_from_disk").ToString();
        using var reply = await Post(where, new JsonObject { ["model_path"] = path, ["weight_version"] = version.ToString() });
        if (reply.RootElement.ValueKind == JsonValueKind.Object && reply.RootElement.TryGetProperty("success", out var ok) && ok.ValueKind == JsonValueKind.False)
            throw new RemoteEngineException($"{where}: the server could not load {path}: {Message(reply.RootElement)}");
    }

    async Task<string> ModelName(Uri endpoint)
    {
        var where = new Uri(endpoint, "v1/models").ToString();
        using var reply = await Send(() => new HttpRequestMessage(HttpMethod.Get, where), where);
        var data = reply.RootElement.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array && d.GetArrayLength() > 0 ? d[0] : default;
        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("id", out var id) && id.GetString() is string s
            ? s
            : throw new RemoteEngineException($"{where}: no model listed; set rollout.model.");
    }

    Task<JsonDocument> Post(string url, JsonObject body)
    {
        var json = body.ToJsonString();
        return Send(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, url);
    }

    /// <summary>Sends with retries: connection failures, timeouts, 429 and 5xx are retried after 1, 2, 4 … × backoff; other 4xx are not.</summary>
    async Task<JsonDocument> Send(Func<HttpRequestMessage> request, string where)
    {
        for (int attempt = 0; ; attempt++)
        {
            string failure;
            Exception? inner = null;
            try
            {
                using var message = request();
                using var response = await _http.SendAsync(message);
                var text = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode) return Parse(text, where);
                failure = $"HTTP {(int)response.StatusCode}: {Message(text)}";
                bool transient = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests;
                if (!transient) throw new RemoteEngineException($"{where}: the server refused the request ({failure}).");
            }
            catch (HttpRequestException e) { failure = e.Message; inner = e; }
            catch (TaskCanceledException e) { failure = $"no reply within {_options.TimeoutSeconds} s"; inner = e; }
            if (attempt >= _options.MaxRetries)
                throw new RemoteEngineException($"{where}: failed after {attempt + 1} attempt(s): {failure}. Is the server running?", inner);
            await Task.Delay(TimeSpan.FromSeconds(_options.BackoffSeconds * Math.Pow(2, attempt)));
        }
    }

    static JsonDocument Parse(string text, string where)
    {
        try { return JsonDocument.Parse(text); }
        catch (JsonException e) { throw new RemoteEngineException($"{where}: the reply is not JSON: {e.Message}", e); }
    }

    static string Message(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return Message(doc.RootElement);
        }
        catch (JsonException) { return text.Length > 200 ? text[..200] + "…" : text; }
    }

    /// <summary>The message of OpenAI's {"error": {"message"}}, vLLM's {"message"} or SGLang's {"message"}.</summary>
    static string Message(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object && err.TryGetProperty("message", out var m) ? m.GetString() ?? ""
        : e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m2) ? m2.GetString() ?? ""
        : e.GetRawText();

    /// <summary>The length of the equal runs of identical prompts, or 1 when the rows are not such runs.</summary>
    static int RunLength(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        int n = 1;
        while (n < rows.Count && rows[n].SequenceEqual(rows[0])) n++;
        if (rows.Count % n != 0) return 1;
        for (int i = 0; i < rows.Count; i++)
            if (!rows[i].SequenceEqual(rows[i / n * n])) return 1;
        return n;
    }

    /// <summary>Contiguous parts, one per endpoint, cut between groups of identical prompts where possible.</summary>
    static List<(int Start, int Count)> Split(IReadOnlyList<IReadOnlyList<int>> prompts, int parts)
    {
        var starts = new List<int> { 0 };
        for (int i = 1; i < prompts.Count; i++)
            if (!prompts[i].SequenceEqual(prompts[i - 1])) starts.Add(i);
        int groups = starts.Count;
        parts = Math.Min(parts, groups);
        var result = new List<(int, int)>();
        for (int p = 0; p < parts; p++)
        {
            int first = starts[p * groups / parts];
            int end = p + 1 == parts ? prompts.Count : starts[(p + 1) * groups / parts];
            result.Add((first, end - first));
        }
        return result;
    }

    /// <summary>Waits for HTTP work from the trainer's synchronous call, surfacing the first failure as itself.</summary>
    static T Wait<T>(Task<T> task)
    {
        try { return task.GetAwaiter().GetResult(); }
        catch (AggregateException e) when (e.InnerException is not null) { throw e.InnerException; }
    }

    static void Wait(Task task)
    {
        try { task.GetAwaiter().GetResult(); }
        catch (AggregateException e) when (e.InnerException is not null) { throw e.InnerException; }
    }

    public void Dispose() => _http.Dispose();
}
