using System.Text.Json.Nodes;
using Aha.Generation;
using Aha.Tokenization;

namespace Aha.Serving;

/// <summary>
/// Response bodies in the shape vLLM's OpenAI-compatible server writes (vllm/entrypoints/openai/protocol.py:
/// CompletionResponse, ChatCompletionResponse, ErrorResponse), plus one extension field, <c>weight_version</c>, the
/// version of the weights that produced the completions (SGLang reports the same in <c>meta_info.weight_version</c>).
/// </summary>
internal static class OpenAiResponses
{
    public static JsonObject Completion(GenerationRequest request, GenerationResult result, ITokenizer tokenizer, string model) =>
        Envelope("cmpl", "text_completion", model, Choices(result, c => new JsonObject
        {
            ["text"] = Text(c, request.Sampling, tokenizer),
            ["logprobs"] = request.Logprobs is null ? null : CompletionLogprobs(c, request.TokensAsIds, tokenizer),
            ["finish_reason"] = FinishReasonName(c.FinishReason),
            ["stop_reason"] = StopReason(c, request.Sampling, tokenizer),
            ["prompt_logprobs"] = null,
        }), request, result);

    public static JsonObject Chat(GenerationRequest request, GenerationResult result, ITokenizer tokenizer, string model) =>
        Envelope("chatcmpl", "chat.completion", model, Choices(result, c => new JsonObject
        {
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Text(c, request.Sampling, tokenizer) },
            ["logprobs"] = request.Logprobs is null ? null : new JsonObject { ["content"] = ChatLogprobs(c, request.TokensAsIds, tokenizer) },
            ["finish_reason"] = FinishReasonName(c.FinishReason),
            ["stop_reason"] = StopReason(c, request.Sampling, tokenizer),
        }), request, result);

    /// <summary>One choice per completion, <c>index</c> first (prompt-major: prompt p, sample j at p·n + j).</summary>
    static JsonArray Choices(GenerationResult result, Func<Completion, JsonObject> body)
    {
        var choices = new JsonArray();
        for (int i = 0; i < result.Completions.Count; i++)
        {
            var choice = new JsonObject { ["index"] = i };
            foreach (var (key, value) in body(result.Completions[i]).ToList()) choice[key] = value?.DeepClone();
            choices.Add(choice);
        }
        return choices;
    }

    /// <summary>
    /// The server-sent chunks of a streamed chat completion: the role, one delta per token, then the finish reason.
    /// Generation runs to the end before the first chunk (the engine samples whole batches), so streaming here
    /// changes the wire format, not the latency.
    /// </summary>
    public static IEnumerable<JsonObject> ChatChunks(GenerationRequest request, GenerationResult result, ITokenizer tokenizer, string model)
    {
        var id = NewId("chatcmpl");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject Chunk(int index, JsonObject delta, string? finish) => new()
        {
            ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = index, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish }),
            ["weight_version"] = result.WeightVersion,
        };
        for (int i = 0; i < result.Completions.Count; i++)
        {
            var c = result.Completions[i];
            yield return Chunk(i, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null);
            foreach (var piece in CompletionText.Deltas(tokenizer, c.TokenIds, Text(c, request.Sampling, tokenizer)))
                yield return Chunk(i, new JsonObject { ["content"] = piece }, null);
            yield return Chunk(i, new JsonObject(), FinishReasonName(c.FinishReason));
        }
    }

    /// <summary>OpenAI's error shape; vLLM's <c>ErrorResponse</c> carries the same message, type and code.</summary>
    public static JsonObject Error(string message, string type, int code, string? param = null) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    };

    static JsonObject Envelope(string prefix, string kind, string model, JsonArray choices, GenerationRequest request, GenerationResult result)
    {
        int promptTokens = request.Prompts.Sum(p => p.Count);
        int completionTokens = result.Completions.Sum(c => c.TokenIds.Length);
        return new JsonObject
        {
            ["id"] = NewId(prefix),
            ["object"] = kind,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = choices,
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens + completionTokens,
                ["completion_tokens"] = completionTokens, ["prompt_tokens_details"] = null,
            },
            ["weight_version"] = result.WeightVersion,
        };
    }

    /// <summary>Legacy completions logprobs: tokens, token_logprobs, top_logprobs (the sampled token only), text_offset.</summary>
    static JsonObject CompletionLogprobs(Completion c, bool asIds, ITokenizer tokenizer)
    {
        var tokens = new JsonArray();
        var logprobs = new JsonArray();
        var top = new JsonArray();
        var offsets = new JsonArray();
        int offset = 0;
        for (int t = 0; t < c.TokenIds.Length; t++)
        {
            var token = TokenString(c.TokenIds[t], asIds, tokenizer);
            tokens.Add(token);
            logprobs.Add(c.LogProbs[t]);
            top.Add(new JsonObject { [token] = c.LogProbs[t] });
            offsets.Add(offset);
            offset += tokenizer.Decode([c.TokenIds[t]]).Length;
        }
        return new JsonObject { ["text_offset"] = offsets, ["token_logprobs"] = logprobs, ["tokens"] = tokens, ["top_logprobs"] = top };
    }

    static JsonArray ChatLogprobs(Completion c, bool asIds, ITokenizer tokenizer)
    {
        var content = new JsonArray();
        for (int t = 0; t < c.TokenIds.Length; t++)
        {
            var token = TokenString(c.TokenIds[t], asIds, tokenizer);
            var bytes = new JsonArray(System.Text.Encoding.UTF8.GetBytes(tokenizer.Decode([c.TokenIds[t]])).Select(b => (JsonNode)(int)b).ToArray());
            content.Add(new JsonObject { ["token"] = token, ["logprob"] = c.LogProbs[t], ["bytes"] = bytes, ["top_logprobs"] = new JsonArray() });
        }
        return content;
    }

    /// <summary>vLLM's <c>return_tokens_as_token_ids</c> form is "token_id:&lt;id&gt;": exact even for partial UTF-8 bytes.</summary>
    public static string TokenString(int id, bool asIds, ITokenizer tokenizer) => asIds ? $"token_id:{id}" : tokenizer.Decode([id]);

    static string Text(Completion c, SamplingParams sampling, ITokenizer tokenizer) =>
        CompletionText.Visible(c, sampling.StopStrings, tokenizer);

    static string FinishReasonName(FinishReason reason) => reason == FinishReason.Length ? "length" : "stop";

    /// <summary>vLLM's stop_reason: null for EOS or length, the stop string, or a stop token id other than EOS.</summary>
    static JsonNode? StopReason(Completion c, SamplingParams sampling, ITokenizer tokenizer)
    {
        switch (c.FinishReason)
        {
            case FinishReason.StopString:
                var text = tokenizer.Decode(c.TokenIds, skipSpecialTokens: true);
                return sampling.StopStrings.Where(s => text.Contains(s, StringComparison.Ordinal))
                    .OrderBy(s => text.IndexOf(s, StringComparison.Ordinal)).FirstOrDefault();
            case FinishReason.Eos when c.TokenIds.Length > 0 && c.TokenIds[^1] != tokenizer.EosTokenId:
                return c.TokenIds[^1];
            default:
                return null;
        }
    }

    static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
