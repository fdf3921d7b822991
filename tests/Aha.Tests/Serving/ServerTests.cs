using System.Text.Json;
using Aha.Generation;
using Aha.Models;
using TorchSharp;
using static Aha.Tests.Serving.ServingFixtures;

namespace Aha.Tests.Serving;

public sealed class ServerTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Completions_TokenIdPrompts_ReturnVllmShape_WithTeacherForcedLogProbs()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        int[][] prompts = [[10, 11, 12], [13, 14]];
        var (status, body) = await Post(_http, server.Address, "/v1/completions", new
        {
            model = "tiny", prompt = prompts, n = 3, max_tokens = 5, temperature = 1.0, seed = 9, logprobs = 0,
            return_tokens_as_token_ids = true, ignore_eos = true,
        });
        Assert.Equal(200, status);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.Equal("tiny", body.GetProperty("model").GetString());
        Assert.Equal("0", body.GetProperty("weight_version").GetString());
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal(6, choices.Count);

        using var model = LoadModel(modelDir);
        using var _ = torch.no_grad();
        int completionTokens = 0;
        for (int i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            Assert.Equal(i, choice.GetProperty("index").GetInt32());
            Assert.Equal("length", choice.GetProperty("finish_reason").GetString()); // ignore_eos: only the length stops
            var lp = choice.GetProperty("logprobs");
            var tokens = lp.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
            Assert.All(tokens, t => Assert.StartsWith("token_id:", t));
            var ids = tokens.Select(t => int.Parse(t["token_id:".Length..])).ToArray();
            var logprobs = lp.GetProperty("token_logprobs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(5, ids.Length);
            Assert.Equal(Tokenizer().Decode(ids, skipSpecialTokens: true), choice.GetProperty("text").GetString());
            completionTokens += ids.Length;

            // choice i belongs to prompt i / n; its log-probs must be what a plain forward of prompt + completion gives
            var full = prompts[i / 3].Concat(ids).Select(t => (long)t).ToArray();
            using var seq = torch.tensor(full).unsqueeze(0);
            using var expected = TeacherForcedLogProbs.OfSequence(model, seq, torch.ones_like(seq));            // [1, T-1]
            var forced = expected[0].narrow(0, prompts[i / 3].Length - 1, ids.Length).data<float>().ToArray();
            for (int t = 0; t < ids.Length; t++) Assert.InRange(Math.Abs(forced[t] - logprobs[t]), 0, 1e-4);
        }
        var usage = body.GetProperty("usage");
        Assert.Equal(3 + 2, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(completionTokens, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(5 + completionTokens, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_SameSeed_SameSamples_AsTheLocalEngineOnTheSameBatch()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        var (_, body) = await Post(_http, server.Address, "/v1/completions", new
        {
            prompt = "abc", n = 4, max_tokens = 6, temperature = 0.8, top_k = 20, top_p = 0.9, seed = 3, logprobs = 0,
            return_tokens_as_token_ids = true,
        });
        var tokenizer = Tokenizer();
        using var model = LoadModel(modelDir);
        var prompt = tokenizer.Encode("abc");
        var local = new LocalRolloutEngine(model, tokenizer).Generate(Enumerable.Repeat(prompt, 4).ToList(), new SamplingParams
        {
            MaxNewTokens = 6, Temperature = 0.8, TopK = 20, TopP = 0.9, Seed = 3, StopTokenIds = [tokenizer.EosTokenId!.Value],
        });
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        for (int i = 0; i < 4; i++)
        {
            var ids = choices[i].GetProperty("logprobs").GetProperty("tokens").EnumerateArray()
                .Select(t => int.Parse(t.GetString()!["token_id:".Length..])).ToArray();
            Assert.Equal(local[i].TokenIds, ids);
            Assert.Equal(local[i].FinishReason == FinishReason.Length ? "length" : "stop", choices[i].GetProperty("finish_reason").GetString());
        }
    }

    [Fact]
    public async Task StopString_EndsWithFinishReasonStop_AndIsCutFromTheText()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        // greedy from this prompt writes some text; stopping on its second character must cut there
        var (_, free) = await Post(_http, server.Address, "/v1/completions", new { prompt = "ab", max_tokens = 8, temperature = 0, ignore_eos = true });
        var text = free.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.True(text.Length >= 2, $"greedy text '{text}' too short for the test");
        var stop = text[1].ToString();
        var (status, body) = await Post(_http, server.Address, "/v1/completions", new { prompt = "ab", max_tokens = 8, temperature = 0, ignore_eos = true, stop });
        Assert.Equal(200, status);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(stop, choice.GetProperty("stop_reason").GetString());
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], choice.GetProperty("text").GetString());
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"max_tokens": 4}""", "prompt" },
        { """{"prompt": "ab", "temperature": -1}""", "temperature" },
        { """{"prompt": "ab", "top_p": 0}""", "top_p" },
        { """{"prompt": "ab", "n": 0}""", "n" },
        { """{"prompt": "ab", "max_tokens": "many"}""", "max_tokens" },
        { """{"prompt": [1, 2, 99]}""", "prompt" },
        { """{"prompt": [[1, 2], "x", 3]}""", "prompt" },
        { """{"prompt": "ab", "logprobs": 5}""", "logprobs" },
        { """{"prompt": "ab", "stop": [1]}""", "stop" },
        { """{"prompt": "ab", "max_tokens": 63}""", "max_tokens" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequest_Gets400_WithOpenAiErrorNamingTheField_AndTheServerKeepsServing(string json, string field)
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        var (status, body) = await PostRaw(_http, server.Address, "/v1/completions", json);
        Assert.Equal(400, status);
        var error = body.GetProperty("error");
        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Contains(field, error.GetProperty("message").GetString());
        var (ok, _) = await Post(_http, server.Address, "/v1/completions", new { prompt = "ab", max_tokens = 2 });
        Assert.Equal(200, ok);
    }

    [Fact]
    public async Task PromptBeyondTheContext_IsRefusedWithTheLimitsInTheMessage()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        var (status, body) = await Post(_http, server.Address, "/v1/completions", new { prompt = new string('a', 60), max_tokens = 5 });
        Assert.Equal(400, status);
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("maximum context length is 64 tokens", message);
        Assert.Contains("65 tokens (60 in the prompt, 5 for the completion)", message);
    }

    [Fact]
    public async Task InvalidJson_Gets400()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        var (status, body) = await PostRaw(_http, server.Address, "/v1/chat/completions", "{\"messages\": [");
        Assert.Equal(400, status);
        Assert.Contains("not valid JSON", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ConcurrentRequests_AreBatchedIntoOneEngineCall()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir, maxBatch: 64, paused: true);
        var requests = Enumerable.Range(0, 8).Select(i => Post(_http, server.Address, "/v1/completions",
            new { prompt = new[] { 10 + i, 11 }, max_tokens = 3, n = 2, temperature = 1.0 })).ToList();
        while (server.Scheduler.Submitted < 8) await Task.Delay(10);
        server.Scheduler.Resume();
        var replies = await Task.WhenAll(requests);
        Assert.All(replies, r => Assert.Equal(200, r.Status));
        Assert.All(replies, r => Assert.Equal(2, r.Body.GetProperty("choices").GetArrayLength()));
        Assert.Equal(1, server.EngineCalls);
    }

    [Fact]
    public async Task RequestLargerThanMaxBatch_IsServedOverSeveralCalls()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir, maxBatch: 2);
        var (status, body) = await Post(_http, server.Address, "/v1/completions", new { prompt = "ab", n = 5, max_tokens = 2 });
        Assert.Equal(200, status);
        Assert.Equal(5, body.GetProperty("choices").GetArrayLength());
        Assert.Equal(3, server.EngineCalls); // 2 + 2 + 1
    }

    [Fact]
    public async Task UpdateWeightsFromDisk_ServesTheNewWeights_WithTheirVersion_AndABadFolderChangesNothing()
    {
        var first = WriteModel(_dir["a"], seed: 1);
        var second = WriteModel(_dir["b"], seed: 2);
        await using var server = await Start(first);
        var greedy = new { prompt = new[] { 10, 11, 12 }, max_tokens = 6, temperature = 0, ignore_eos = true, logprobs = 0, return_tokens_as_token_ids = true };
        var (_, before) = await Post(_http, server.Address, "/v1/completions", greedy);

        var (bad, badBody) = await Post(_http, server.Address, "/update_weights_from_disk", new { model_path = _dir["missing"] });
        Assert.Equal(400, bad);
        Assert.Equal("model_path", badBody.GetProperty("error").GetProperty("param").GetString());
        Directory.CreateDirectory(_dir["broken"]);
        File.WriteAllText(Path.Combine(_dir["broken"], "model.safetensors"), "not safetensors");
        var (broken, _) = await Post(_http, server.Address, "/update_weights_from_disk", new { model_path = _dir["broken"] });
        Assert.Equal(400, broken);
        Assert.Equal("0", server.WeightVersion);

        var (ok, reply) = await Post(_http, server.Address, "/update_weights_from_disk", new { model_path = second, weight_version = "7" });
        Assert.Equal(200, ok);
        Assert.True(reply.GetProperty("success").GetBoolean());
        var (_, after) = await Post(_http, server.Address, "/v1/completions", greedy);
        Assert.Equal("7", after.GetProperty("weight_version").GetString());

        // the answer after the update is the second model's greedy completion, computed here in-process
        var tokenizer = Tokenizer();
        using var model = LoadModel(second);
        var expected = new LocalRolloutEngine(model, tokenizer).Generate([[10, 11, 12]], new SamplingParams { MaxNewTokens = 6, Temperature = 0 })[0];
        var ids = after.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("tokens").EnumerateArray()
            .Select(t => int.Parse(t.GetString()!["token_id:".Length..])).ToArray();
        Assert.Equal(expected.TokenIds, ids);
        Assert.NotEqual(before.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("token_logprobs")[0].GetSingle(),
            after.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("token_logprobs")[0].GetSingle());
    }

    [Fact]
    public async Task ChatCompletions_RenderChatMl_AndStreamingCarriesTheSameText()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        var messages = new[] { new { role = "user", content = "abc" } };
        var (status, body) = await Post(_http, server.Address, "/v1/chat/completions", new { messages, max_tokens = 6, temperature = 0 });
        Assert.Equal(200, status);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        var message = body.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        var text = message.GetProperty("content").GetString()!;

        // the prompt is the ChatML rendering: usage counts its tokens
        var tokenizer = Tokenizer();
        int promptTokens = tokenizer.Encode("<|im_start|>user\nabc<|im_end|>\n<|im_start|>assistant\n").Count;
        Assert.Equal(promptTokens, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Address, "/v1/chat/completions"))
        {
            Content = JsonContent(new { messages, max_tokens = 6, temperature = 0, stream = true }),
        };
        using var response = await _http.SendAsync(request);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("data: ")).Select(l => l[6..]).ToList();
        Assert.Equal("[DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("choices")[0]).ToList();
        var streamed = string.Concat(chunks.Select(c => c.GetProperty("delta").TryGetProperty("content", out var d) ? d.GetString() : ""));
        Assert.Equal(text, streamed);
        Assert.Equal(body.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), chunks[^1].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task ChatCompletions_RenderTheModelsOwnChatTemplate_AndAMessageItRejectsGets400()
    {
        // a byte-level BPE tokenizer.json small enough to derive its ids by hand (TinyBpeTests) and a template of our
        // own: each turn is <think>content<|im_end|>, the generation prompt is "a"; ChatML could not even be encoded
        var dir = _dir["m"];
        using (var model = TinyModels.Build(Config)) Aha.Checkpoints.HfCheckpoint.Save(model, Config, dir);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), Aha.Tests.Tokenization.TinyBpeTests.Json());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """
            {"eos_token": "<|im_end|>", "chat_template": "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('no system') }}{% endif %}<think>{{ m.content }}<|im_end|>{% endfor %}{% if add_generation_prompt %}a{% endif %}"}
            """);
        await using var server = await Start(dir);
        var (status, body) = await Post(_http, server.Address, "/v1/chat/completions",
            new { messages = new[] { new { role = "user", content = "the" } }, max_tokens = 2, temperature = 0 });
        Assert.Equal(200, status);
        // "<think>the<|im_end|>a" → <think> [t, he] <|im_end|> [a] = 5 tokens (ids 9, 0, 4, 8, 7)
        Assert.Equal(5, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        (status, body) = await Post(_http, server.Address, "/v1/chat/completions",
            new { messages = new[] { new { role = "system", content = "the" } }, max_tokens = 2 });
        Assert.Equal(400, status);
        Assert.Equal("messages", body.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains("no system", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ModelsAndHealth_Answer()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var server = await Start(modelDir);
        using var health = await _http.GetAsync(new Uri(server.Address, "/health"));
        Assert.True(health.IsSuccessStatusCode);
        var models = JsonDocument.Parse(await _http.GetStringAsync(new Uri(server.Address, "/v1/models"))).RootElement;
        Assert.Equal("tiny", models.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(64, models.GetProperty("data")[0].GetProperty("max_model_len").GetInt32());
    }

    static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
