using System.Text.Json;
using Aha.Generation;
using Aha.Templates;
using Aha.Tokenization;

namespace Aha.Serving;

/// <summary>
/// A parsed generation request: token-id prompts, n samples each, the sampling settings, and what to put in the reply.
/// <see cref="Seed"/> null lets the server pick one per engine call.
/// </summary>
internal sealed record GenerationRequest(
    IReadOnlyList<IReadOnlyList<int>> Prompts, int N, SamplingParams Sampling, long? Seed, int? Logprobs,
    bool TokensAsIds, bool Stream);

/// <summary>
/// Parses <c>/v1/completions</c> and <c>/v1/chat/completions</c> bodies into <see cref="GenerationRequest"/>s, with the
/// fields and defaults vLLM's OpenAI-compatible server uses (max_tokens 16 for completions, the rest of the context for
/// chat; EOS stops unless <c>ignore_eos</c>; <c>top_k</c> −1 or 0 is off; <c>stop_token_ids</c> adds stop ids).
/// </summary>
internal static class OpenAiRequests
{
    /// <summary>vLLM's default max_tokens for /v1/completions (OpenAI's too).</summary>
    public const int CompletionsDefaultMaxTokens = 16;

    public static GenerationRequest Completion(JsonElement body, ITokenizer tokenizer, int contextLength)
    {
        RequireObject(body);
        if (!body.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
            throw new RequestException("'prompt' is required: a string, a list of strings, a list of token ids or a list of such lists.", "prompt");
        var prompts = Prompts(prompt, tokenizer);
        if (JsonFields.Bool(body, "echo", false))
            throw new RequestException("'echo' is not supported by aha serve.", "echo");
        if (JsonFields.Has(body, "best_of") && JsonFields.Int(body, "best_of", 1) != JsonFields.Int(body, "n", 1))
            throw new RequestException("'best_of' other than n is not supported by aha serve.", "best_of");
        int? logprobs = JsonFields.Has(body, "logprobs") ? JsonFields.Int(body, "logprobs", 0, 0, 0) : null;
        int maxTokens = JsonFields.Int(body, "max_tokens", CompletionsDefaultMaxTokens, 1);
        return Build(body, prompts, tokenizer, contextLength, maxTokens, logprobs, extraStopIds: []);
    }

    public static GenerationRequest Chat(JsonElement body, ITokenizer tokenizer, ChatTemplate template, int contextLength)
    {
        RequireObject(body);
        var messages = Messages(body);
        string text;
        try { text = template.Render(messages, addGenerationPrompt: true); }
        catch (TemplateException e) { throw new RequestException($"'messages' cannot be rendered by the model's chat template: {e.Message}", "messages"); }
        var prompt = Encode(tokenizer, text, "messages");
        int? logprobs = JsonFields.Bool(body, "logprobs", false) ? JsonFields.Int(body, "top_logprobs", 0, 0, 0) : null;
        int maxTokens = JsonFields.Has(body, "max_completion_tokens")
            ? JsonFields.Int(body, "max_completion_tokens", 0, 1)
            : JsonFields.Int(body, "max_tokens", Math.Max(1, contextLength - prompt.Count), 1);
        // ChatML turns end with <|im_end|>; a model that writes it has finished its turn even if its EOS differs
        var imEnd = tokenizer.TokenToId(ChatTemplate.ImEnd);
        return Build(body, [prompt], tokenizer, contextLength, maxTokens, logprobs, imEnd is int id ? [id] : []);
    }

    static GenerationRequest Build(JsonElement body, IReadOnlyList<IReadOnlyList<int>> prompts, ITokenizer tokenizer,
        int contextLength, int maxTokens, int? logprobs, IReadOnlyList<int> extraStopIds)
    {
        int n = JsonFields.Int(body, "n", 1, 1, 1024);
        double temperature = JsonFields.Double(body, "temperature", 1.0);
        if (temperature < 0) throw new RequestException($"'temperature' must be ≥ 0 (got {temperature}).", "temperature");
        double topP = JsonFields.Double(body, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) throw new RequestException($"'top_p' must be in (0, 1] (got {topP}).", "top_p");
        int topK = JsonFields.Int(body, "top_k", 0, -1);
        var stop = JsonFields.Strings(body, "stop");
        if (stop.Any(s => s.Length == 0)) throw new RequestException("'stop' strings must not be empty.", "stop");
        var stopIds = new List<int>();
        if (!JsonFields.Bool(body, "ignore_eos", false) && tokenizer.EosTokenId is int eos) stopIds.Add(eos);
        stopIds.AddRange(extraStopIds);
        if (body.TryGetProperty("stop_token_ids", out var extra) && extra.ValueKind != JsonValueKind.Null)
        {
            if (extra.ValueKind != JsonValueKind.Array)
                throw new RequestException($"'stop_token_ids' must be a list of token ids (got {JsonFields.Describe(extra)}).", "stop_token_ids");
            stopIds.AddRange(JsonFields.TokenIds(extra, "stop_token_ids", tokenizer.VocabSize));
        }
        foreach (var p in prompts)
        {
            if (p.Count == 0) throw new RequestException("A prompt must hold at least one token.", "prompt");
            if (p.Count + maxTokens > contextLength)
                throw new RequestException(
                    $"This model's maximum context length is {contextLength} tokens. However, you requested {p.Count + maxTokens} tokens " +
                    $"({p.Count} in the prompt, {maxTokens} for the completion). Please reduce the prompt or max_tokens.", "max_tokens");
        }
        var sampling = new SamplingParams
        {
            MaxNewTokens = maxTokens, Temperature = temperature, TopP = topP, TopK = Math.Max(0, topK),
            StopTokenIds = stopIds.Distinct().ToList(), StopStrings = stop,
        };
        return new GenerationRequest(prompts, n, sampling, JsonFields.Long(body, "seed"), logprobs,
            JsonFields.Bool(body, "return_tokens_as_token_ids", false), JsonFields.Bool(body, "stream", false));
    }

    /// <summary>OpenAI's four prompt forms: "text", ["text", …], [id, …], [[id, …], …].</summary>
    static IReadOnlyList<IReadOnlyList<int>> Prompts(JsonElement prompt, ITokenizer tokenizer)
    {
        if (prompt.ValueKind == JsonValueKind.String) return [Encode(tokenizer, prompt.GetString()!, "prompt")];
        if (prompt.ValueKind != JsonValueKind.Array || prompt.GetArrayLength() == 0)
            throw new RequestException($"'prompt' must be a string, a list of strings, a list of token ids or a list of such lists (got {JsonFields.Describe(prompt)}).", "prompt");
        var first = prompt[0];
        if (first.ValueKind == JsonValueKind.Number) return [JsonFields.TokenIds(prompt, "prompt", tokenizer.VocabSize)];
        var list = new List<IReadOnlyList<int>>();
        foreach (var e in prompt.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.String) list.Add(Encode(tokenizer, e.GetString()!, "prompt"));
            else if (e.ValueKind == JsonValueKind.Array) list.Add(JsonFields.TokenIds(e, "prompt", tokenizer.VocabSize));
            else throw new RequestException($"'prompt' list items must be strings or token-id lists (got {JsonFields.Describe(e)}).", "prompt");
        }
        return list;
    }

    static IReadOnlyList<ChatMessage> Messages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw new RequestException("'messages' is required: a non-empty list of {\"role\", \"content\"} objects.", "messages");
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) throw new RequestException($"messages[{i}] must be an object.", "messages");
            var role = JsonFields.String(m, "role") ?? throw new RequestException($"messages[{i}].role is required.", "messages");
            if (!ChatMessage.Roles.Contains(role))
                throw new RequestException($"messages[{i}].role is \"{role}\"; expected system, user or assistant.", "messages");
            list.Add(new ChatMessage(role, Content(m, i)));
            i++;
        }
        return list;
    }

    /// <summary>A message's content: a string, or a list of {"type": "text", "text": …} parts (joined).</summary>
    static string Content(JsonElement m, int i)
    {
        if (!m.TryGetProperty("content", out var c) || c.ValueKind == JsonValueKind.Null) return "";
        if (c.ValueKind == JsonValueKind.String) return c.GetString()!;
        if (c.ValueKind == JsonValueKind.Array)
            return string.Concat(c.EnumerateArray().Select(part =>
                part.ValueKind == JsonValueKind.Object && JsonFields.String(part, "type") == "text"
                    ? JsonFields.String(part, "text") ?? ""
                    : throw new RequestException($"messages[{i}].content parts must be {{\"type\": \"text\", \"text\": …}} (aha serve is text-only).", "messages")));
        throw new RequestException($"messages[{i}].content must be a string or a list of text parts (got {JsonFields.Describe(c)}).", "messages");
    }

    static IReadOnlyList<int> Encode(ITokenizer tokenizer, string text, string field)
    {
        try { return tokenizer.Encode(text); }
        catch (ArgumentException e) { throw new RequestException($"'{field}' cannot be tokenized: {e.Message}", field); }
    }

    static void RequireObject(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new RequestException($"The request body must be a JSON object (got {JsonFields.Describe(body)}).");
    }
}
