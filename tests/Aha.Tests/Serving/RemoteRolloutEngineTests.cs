using Aha.Configuration;
using System.Net;
using Aha.Generation;
using Aha.Generation.Remote;
using Aha.Models;
using TorchSharp;
using static Aha.Tests.Serving.ServingFixtures;

namespace Aha.Tests.Serving;

public sealed class RemoteRolloutEngineTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    static readonly IReadOnlyList<int>[] TwoGroups = [[1, 2, 3], [1, 2, 3], [4, 5], [4, 5]];

    [Fact]
    public void VllmReply_IsParsed_AndTheRequestAsksForTokenIdsAndExplicitStops()
    {
        var handler = new RecordedHandler((_, _) => (HttpStatusCode.OK, RecordedHandler.Fixture("vllm_completions.json")));
        using var engine = new RemoteRolloutEngine(new RemoteRolloutOptions
        {
            Endpoints = ["http://gpu-0:8000"], Model = "Qwen/Qwen2.5-0.5B-Instruct", WeightSync = WeightSyncApi.None,
        }, handler);
        var sampling = new SamplingParams { MaxNewTokens = 2, StopTokenIds = [151645, 151643], StopStrings = ["</answer>"], Seed = 11 };
        var completions = engine.Generate(TwoGroups, sampling);

        // fixture choices: [220 19] length; [19 151645] EOS; [52670] stop string "</answer>"; [151643] stop id
        Assert.Equal([220, 19], completions[0].TokenIds);
        Assert.Equal([-0.25f, -1.5f], completions[0].LogProbs);
        Assert.Equal(FinishReason.Length, completions[0].FinishReason);
        Assert.Equal([19, 151645], completions[1].TokenIds);
        Assert.Equal(FinishReason.Eos, completions[1].FinishReason);
        Assert.Equal(FinishReason.StopString, completions[2].FinishReason);
        Assert.Equal(FinishReason.Eos, completions[3].FinishReason);
        Assert.Same(TwoGroups[2], completions[2].PromptIds);
        Assert.Null(engine.LastReportedVersion); // vLLM reports none

        var (path, body) = Assert.Single(handler.Requests);
        Assert.Equal("/v1/completions", path);
        var b = body!.Value;
        Assert.Equal(2, b.GetProperty("n").GetInt32());                                 // each distinct prompt once, n = G
        Assert.Equal(2, b.GetProperty("prompt").GetArrayLength());
        Assert.Equal([4, 5], b.GetProperty("prompt")[1].EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(b.GetProperty("return_tokens_as_token_ids").GetBoolean());
        Assert.Equal(0, b.GetProperty("logprobs").GetInt32());
        Assert.True(b.GetProperty("ignore_eos").GetBoolean());                         // stops only where we say
        Assert.Equal([151645, 151643], b.GetProperty("stop_token_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(-1, b.GetProperty("top_k").GetInt32());
        Assert.Equal(11, b.GetProperty("seed").GetInt64());
    }

    [Fact]
    public void SglangReply_IsParsed_WithItsWeightVersion()
    {
        var handler = new RecordedHandler((path, _) => path == "/generate"
            ? (HttpStatusCode.OK, RecordedHandler.Fixture("sglang_generate.json"))
            : (HttpStatusCode.OK, RecordedHandler.Fixture("sglang_update_weights.json")));
        using var engine = new RemoteRolloutEngine(new RemoteRolloutOptions
        {
            Endpoints = ["http://gpu-0:30000"], Api = RemoteApi.Sglang, SyncDir = _dir["sync"],
        }, handler);
        using var policy = TinyModels.Build(Config);
        engine.SyncWeights(policy, 5);
        var completions = engine.Generate([[1, 2, 3], [1, 2, 3], [4, 5]], new SamplingParams { MaxNewTokens = 2 });

        Assert.Equal([220, 19], completions[0].TokenIds);
        Assert.Equal([-0.75f, -0.0625f], completions[1].LogProbs);
        Assert.Equal(FinishReason.Eos, completions[1].FinishReason);
        Assert.Equal(FinishReason.StopString, completions[2].FinishReason);
        Assert.All(completions, c => Assert.Equal(5, c.WeightVersion));

        var update = handler.Requests.Single(r => r.Path == "/update_weights_from_disk").Body!.Value;
        Assert.Equal(Path.Combine(Path.GetFullPath(_dir["sync"]), "v5"), update.GetProperty("model_path").GetString());
        Assert.Equal("5", update.GetProperty("weight_version").GetString());
        Assert.True(File.Exists(Path.Combine(_dir["sync"], "v5", "model.safetensors")));
        var generate = handler.Requests.Single(r => r.Path == "/generate").Body!.Value;
        Assert.Equal(3, generate.GetProperty("input_ids").GetArrayLength());
        Assert.True(generate.GetProperty("return_logprob").GetBoolean());
    }

    [Fact]
    public void AReplyFromOtherWeights_IsAnError()
    {
        var handler = new RecordedHandler((path, _) => path == "/generate"
            ? (HttpStatusCode.OK, RecordedHandler.Fixture("sglang_generate.json"))   // says version 5
            : (HttpStatusCode.OK, RecordedHandler.Fixture("sglang_update_weights.json")));
        using var engine = new RemoteRolloutEngine(new RemoteRolloutOptions
        {
            Endpoints = ["http://gpu-0:30000"], Api = RemoteApi.Sglang, SyncDir = _dir["sync"],
        }, handler);
        using var policy = TinyModels.Build(Config);
        engine.SyncWeights(policy, 6);
        var e = Assert.Throws<RemoteEngineException>(() => engine.Generate([[1, 2, 3], [1, 2, 3], [4, 5]], new SamplingParams { MaxNewTokens = 2 }));
        Assert.Contains("weight version 5", e.Message);
        Assert.Contains("version 6", e.Message);
    }

    [Fact]
    public void TransientFailures_AreRetried_AndA400IsNot()
    {
        int calls = 0;
        var flaky = new RecordedHandler((_, _) => ++calls < 3
            ? (HttpStatusCode.ServiceUnavailable, "{\"message\": \"overloaded\"}")
            : (HttpStatusCode.OK, RecordedHandler.Fixture("vllm_completions.json")));
        using (var engine = new RemoteRolloutEngine(Options("http://gpu-0:8000", retries: 3), flaky))
            Assert.Equal(4, engine.Generate(TwoGroups, new SamplingParams()).Count);
        Assert.Equal(3, calls);

        var refusing = new RecordedHandler((_, _) => (HttpStatusCode.BadRequest, "{\"error\": {\"message\": \"'max_tokens' is too large\"}}"));
        using var refused = new RemoteRolloutEngine(Options("http://gpu-0:8000", retries: 3), refusing);
        var e = Assert.Throws<RemoteEngineException>(() => refused.Generate(TwoGroups, new SamplingParams()));
        Assert.Contains("'max_tokens' is too large", e.Message);
        Assert.Single(refusing.Requests);
    }

    [Fact]
    public void ANonTokenIdReply_IsRefusedClearly()
    {
        var body = RecordedHandler.Fixture("vllm_completions.json").Replace("token_id:220", "Ġ4");
        using var engine = new RemoteRolloutEngine(Options("http://gpu-0:8000"), new RecordedHandler((_, _) => (HttpStatusCode.OK, body)));
        var e = Assert.Throws<RemoteEngineException>(() => engine.Generate(TwoGroups, new SamplingParams()));
        Assert.Contains("return_tokens_as_token_ids", e.Message);
    }

    [Fact]
    public async Task AgainstAhaServe_TwoEndpoints_ShareTheBatch_AndLogProbsAreTeacherForced()
    {
        var modelDir = WriteModel(_dir["m"]);
        await using var a = await Start(modelDir);
        await using var b = await Start(modelDir);
        using var engine = new RemoteRolloutEngine(new RemoteRolloutOptions
        {
            Endpoints = [a.Address.ToString(), b.Address.ToString()], SyncDir = _dir["sync"], MaxRetries = 0,
        });
        using var policy = TinyModels.Build(Config, seed: 4);
        await Task.Run(() => engine.SyncWeights(policy, 3));
        Assert.Equal("3", a.WeightVersion);
        Assert.Equal("3", b.WeightVersion);

        IReadOnlyList<int>[] prompts = [[10, 11], [10, 11], [12, 13, 14], [12, 13, 14], [15], [15]];
        var completions = await Task.Run(() => engine.Generate(prompts, new SamplingParams { MaxNewTokens = 5, Seed = 2 }));
        Assert.Equal(6, completions.Count);
        Assert.True(a.EngineCalls > 0 && b.EngineCalls > 0, "both servers should have sampled part of the batch");
        Assert.All(completions, c => Assert.Equal(3, c.WeightVersion));

        using var _ = torch.no_grad();
        foreach (var c in completions)
        {
            var full = c.PromptIds.Concat(c.TokenIds).Select(t => (long)t).ToArray();
            using var ids = torch.tensor(full).unsqueeze(0);
            using var lp = TeacherForcedLogProbs.OfSequence(policy, ids, torch.ones_like(ids)); // [1, T-1], the pushed weights
            var forced = lp[0].narrow(0, c.PromptIds.Count - 1, c.TokenIds.Length).data<float>().ToArray();
            for (int t = 0; t < forced.Length; t++) Assert.InRange(Math.Abs(forced[t] - c.LogProbs[t]), 0, 1e-4);
        }
    }

    [Fact]
    public async Task AServerThatDisappears_GivesAClearErrorNamingIt()
    {
        var modelDir = WriteModel(_dir["m"]);
        var server = await Start(modelDir);
        var address = server.Address.ToString();
        using var engine = new RemoteRolloutEngine(Options(address, retries: 1));
        Assert.Equal(2, (await Task.Run(() => engine.Generate([[10], [10]], new SamplingParams { MaxNewTokens = 2 }))).Count);
        await server.DisposeAsync();
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() => Task.Run(() => engine.Generate([[10], [10]], new SamplingParams { MaxNewTokens = 2 })));
        Assert.Contains(address.TrimEnd('/'), e.Message);
        Assert.Contains("failed after 2 attempt(s)", e.Message);
    }

    [Fact]
    public void Options_ListEveryProblem()
    {
        Assert.Empty(new RemoteRolloutOptions().Problems()); // no endpoints: in-process sampling, nothing to check
        var none = Assert.Throws<ConfigException>(() => new RemoteRolloutEngine(new RemoteRolloutOptions()));
        Assert.Equal("endpoints", Assert.Single(none.Errors).KeyPath);
        Assert.Contains("rollout: endpoints: must list at least one server URL", none.Message);
        var errors = new RemoteRolloutOptions { Endpoints = ["ftp://x", "nonsense"], TimeoutSeconds = 0, MaxRetries = -1 }.Problems().ToList();
        Assert.Equal(["endpoints", "endpoints", "sync_dir", "timeout_seconds", "max_retries"], errors.Select(e => e.Key));
    }

    static RemoteRolloutOptions Options(string endpoint, int retries = 0) => new()
    {
        Endpoints = [endpoint], Model = "m", WeightSync = WeightSyncApi.None, MaxRetries = retries, BackoffSeconds = 0.01,
    };
}
