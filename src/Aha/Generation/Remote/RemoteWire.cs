using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aha.Generation.Remote;

/// <summary>
/// Request bodies and response parsing for the two generation APIs. Formats:
/// <list type="bullet">
/// <item>OpenAI completions as vLLM serves them (vllm/entrypoints/openai/protocol.py: CompletionRequest with the vLLM
/// extras <c>top_k</c>, <c>stop_token_ids</c>, <c>ignore_eos</c>, <c>return_tokens_as_token_ids</c>; CompletionResponse
/// whose <c>choices[i].logprobs.tokens</c> are "token_id:&lt;n&gt;" and <c>token_logprobs</c> the sampled tokens'
/// log-probs; choice i belongs to prompt i / n);</item>
/// <item>SGLang's native <c>/generate</c> (docs "Sampling Parameters" / native API: <c>input_ids</c>,
/// <c>sampling_params</c>, <c>return_logprob</c>; each result's <c>meta_info.output_token_logprobs</c> is a list of
/// [logprob, token_id, text] and <c>meta_info.finish_reason</c> is {"type": "length" | "stop", "matched": id or string}).</item>
/// </list>
/// Stops are sent explicitly (<c>ignore_eos</c> + <c>stop_token_ids</c>) so the server stops exactly where the local
/// engine would.
/// </summary>
internal static class RemoteWire
{
    public const string TokenIdPrefix = "token_id:";

    /// <summary>One request for prompts that each repeat n times in the flat batch (n = 1 when runs are uneven).</summary>
    public static JsonObject OpenAiCompletions(string model, IReadOnlyList<IReadOnlyList<int>> prompts, int n, SamplingParams s) => new()
    {
        ["model"] = model,
        ["prompt"] = new JsonArray(prompts.Select(p => (JsonNode)new JsonArray(p.Select(t => (JsonNode)t).ToArray())).ToArray()),
        ["n"] = n,
        ["max_tokens"] = s.MaxNewTokens,
        ["temperature"] = s.Temperature,
        ["top_p"] = s.TopP,
        ["top_k"] = s.TopK == 0 ? -1 : s.TopK, // −1 disables top-k in every vLLM version (0 only in newer ones)
        ["seed"] = s.Seed,
        ["stop"] = new JsonArray(s.StopStrings.Select(x => (JsonNode)x).ToArray()),
        ["stop_token_ids"] = new JsonArray(s.StopTokenIds.Select(x => (JsonNode)x).ToArray()),
        ["ignore_eos"] = true,
        ["include_stop_str_in_output"] = true,
        ["skip_special_tokens"] = false,
        ["logprobs"] = 0,
        ["return_tokens_as_token_ids"] = true,
    };

    public static JsonObject SglangGenerate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams s) => new()
    {
        ["input_ids"] = new JsonArray(prompts.Select(p => (JsonNode)new JsonArray(p.Select(t => (JsonNode)t).ToArray())).ToArray()),
        ["sampling_params"] = new JsonObject
        {
            ["max_new_tokens"] = s.MaxNewTokens,
            ["temperature"] = s.Temperature,
            ["top_p"] = s.TopP,
            ["top_k"] = s.TopK == 0 ? -1 : s.TopK,
            ["stop"] = new JsonArray(s.StopStrings.Select(x => (JsonNode)x).ToArray()),
            ["stop_token_ids"] = new JsonArray(s.StopTokenIds.Select(x => (JsonNode)x).ToArray()),
            ["ignore_eos"] = true,
            ["skip_special_tokens"] = false,
        },
        ["return_logprob"] = true,
    };

    /// <summary>The sampled tokens of an OpenAI completions reply, prompt-major, and the reply's weight_version (null when absent, as in vLLM).</summary>
    public static (List<(int[] Ids, float[] LogProbs, FinishReason Finish)> Choices, string? Version) ParseOpenAi(JsonElement root, int expected, string where)
    {
        var choices = Require(root, "choices", JsonValueKind.Array, where);
        if (choices.GetArrayLength() != expected)
            throw new RemoteEngineException($"{where}: expected {expected} choices, got {choices.GetArrayLength()}.");
        var list = new (int[], float[], FinishReason)[expected];
        foreach (var choice in choices.EnumerateArray())
        {
            int index = Require(choice, "index", JsonValueKind.Number, where).GetInt32();
            if (index < 0 || index >= expected) throw new RemoteEngineException($"{where}: choice index {index} is outside 0..{expected - 1}.");
            var logprobs = Require(choice, "logprobs", JsonValueKind.Object, $"{where} choices[{index}]");
            var tokens = Require(logprobs, "tokens", JsonValueKind.Array, $"{where} choices[{index}].logprobs").EnumerateArray()
                .Select(t => TokenId(t.GetString(), where)).ToArray();
            var lps = Require(logprobs, "token_logprobs", JsonValueKind.Array, $"{where} choices[{index}].logprobs").EnumerateArray()
                .Select(v => v.ValueKind == JsonValueKind.Number ? v.GetSingle() : throw new RemoteEngineException($"{where}: choices[{index}] has a non-numeric token log-prob.")).ToArray();
            if (tokens.Length != lps.Length) throw new RemoteEngineException($"{where}: choices[{index}] has {tokens.Length} tokens but {lps.Length} log-probs.");
            var finish = Require(choice, "finish_reason", JsonValueKind.String, $"{where} choices[{index}]").GetString();
            bool stopString = choice.TryGetProperty("stop_reason", out var sr) && sr.ValueKind == JsonValueKind.String;
            list[index] = (tokens, lps, Finish(finish, stopString, where));
        }
        return (list.ToList(), Version(root));
    }

    /// <summary>The results of a SGLang /generate batch reply (a list, one object per input), and their common weight version.</summary>
    public static (List<(int[] Ids, float[] LogProbs, FinishReason Finish)> Choices, string? Version) ParseSglang(JsonElement root, int expected, string where)
    {
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != expected)
            throw new RemoteEngineException($"{where}: expected a list of {expected} results.");
        var list = new List<(int[], float[], FinishReason)>();
        string? version = null;
        foreach (var item in root.EnumerateArray())
        {
            var meta = Require(item, "meta_info", JsonValueKind.Object, where);
            var entries = Require(meta, "output_token_logprobs", JsonValueKind.Array, $"{where} meta_info").EnumerateArray().ToList();
            var ids = entries.Select(e => e[1].GetInt32()).ToArray();
            var lps = entries.Select(e => e[0].GetSingle()).ToArray();
            var fr = Require(meta, "finish_reason", JsonValueKind.Object, $"{where} meta_info");
            var type = Require(fr, "type", JsonValueKind.String, $"{where} meta_info.finish_reason").GetString();
            bool stopString = fr.TryGetProperty("matched", out var m) && m.ValueKind == JsonValueKind.String;
            list.Add((ids, lps, Finish(type, stopString, where)));
            version ??= Version(meta);
        }
        return (list, version);
    }

    static FinishReason Finish(string? name, bool stopString, string where) => name switch
    {
        "length" => FinishReason.Length,
        "stop" => stopString ? FinishReason.StopString : FinishReason.Eos,
        "abort" => throw new RemoteEngineException($"{where}: the server aborted the request (finish_reason \"abort\"), e.g. a weight update with abort_all_requests."),
        _ => throw new RemoteEngineException($"{where}: unknown finish_reason \"{name}\"."),
    };

    static int TokenId(string? token, string where) =>
        token is not null && token.StartsWith(TokenIdPrefix, StringComparison.Ordinal)
        && int.TryParse(token.AsSpan(TokenIdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new RemoteEngineException($"{where}: token \"{token}\" is not of the form token_id:<n>; the server ignored return_tokens_as_token_ids (vLLM ≥ 0.5 and aha serve honour it).");

    static string? Version(JsonElement o) =>
        o.TryGetProperty("weight_version", out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    static JsonElement Require(JsonElement o, string name, JsonValueKind kind, string where) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == kind
            ? v
            : throw new RemoteEngineException($"{where}: the reply has no {kind.ToString().ToLowerInvariant()} field '{name}'.");
}
