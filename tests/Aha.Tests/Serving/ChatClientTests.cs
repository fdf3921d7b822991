using Aha.Generation;
using Aha.Generation.Chat;
using Aha.Generation.Remote;
using Aha.Tokenization;
using Microsoft.Extensions.AI;
using static Aha.Tests.Serving.ServingFixtures;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Aha.Tests.Serving;

public sealed class ChatClientTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    static readonly AiMessage[] Conversation = [new(ChatRole.User, "abc"), new(ChatRole.Assistant, "de"), new(ChatRole.User, "fg")];

    [Fact]
    public async Task LocalEngine_Answers_WhatTheEngineSamplesForTheChatMlPrompt()
    {
        var modelDir = WriteModel(_dir["m"]);
        using var model = LoadModel(modelDir);
        var tokenizer = Tokenizer();
        var engine = new LocalRolloutEngine(model, tokenizer);
        using var client = new RolloutChatClient(engine, tokenizer, "tiny");
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 8 };

        var response = await client.GetResponseAsync(Conversation, options);

        // the same prompt rendered and sampled by hand: ChatML, greedy, stop at EOS or <|im_end|>
        var prompt = tokenizer.Encode("<|im_start|>user\nabc<|im_end|>\n<|im_start|>assistant\nde<|im_end|>\n<|im_start|>user\nfg<|im_end|>\n<|im_start|>assistant\n");
        var expected = engine.Generate([prompt], new SamplingParams
        {
            MaxNewTokens = 8, Temperature = 0, StopTokenIds = [tokenizer.EosTokenId!.Value, tokenizer.TokenToId("<|im_end|>")!.Value],
        })[0];
        Assert.Equal(tokenizer.Decode(expected.TokenIds, skipSpecialTokens: true), response.Text);
        Assert.Equal(expected.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(prompt.Count, response.Usage!.InputTokenCount);
        Assert.Equal(expected.TokenIds.Length, response.Usage.OutputTokenCount);
        Assert.Equal("tiny", response.ModelId);
    }

    [Fact]
    public async Task Streaming_ConcatenatesToTheSameText_AndEndsWithTheFinishReason()
    {
        var modelDir = WriteModel(_dir["m"]);
        using var model = LoadModel(modelDir);
        var tokenizer = Tokenizer();
        using var client = new RolloutChatClient(new LocalRolloutEngine(model, tokenizer), tokenizer, "tiny");
        var options = new ChatOptions { Temperature = 0.9f, Seed = 5, MaxOutputTokens = 10 };

        var whole = await client.GetResponseAsync(Conversation, options);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(Conversation, options)) updates.Add(u);

        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(whole.FinishReason, updates[^1].FinishReason);
        Assert.True(updates.Count >= 2, "one update per visible piece, then the finish");
        Assert.Equal(whole.Text, (await updates.ToAsyncEnumerable().ToChatResponseAsync()).Text);
    }

    [Fact]
    public async Task RemoteEngine_OnAhaServe_IsInterchangeableWithTheLocalOne()
    {
        var modelDir = WriteModel(_dir["m"]);
        var tokenizer = Tokenizer();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 8 };
        string local;
        using (var model = LoadModel(modelDir))
        using (var client = new RolloutChatClient(new LocalRolloutEngine(model, tokenizer), tokenizer, "tiny"))
            local = (await client.GetResponseAsync(Conversation, options)).Text;

        await using var server = await Start(modelDir);
        using var remote = new RemoteRolloutEngine(new RemoteRolloutOptions { Endpoints = [server.Address.ToString()], WeightSync = WeightSyncApi.None });
        using var remoteClient = new RolloutChatClient(remote, tokenizer, "tiny");
        IChatClient chat = remoteClient;
        Assert.Equal(local, (await chat.GetResponseAsync(Conversation, options)).Text);
        Assert.Same(remote, chat.GetService<RemoteRolloutEngine>());
        Assert.Equal("tiny", chat.GetService<ChatClientMetadata>()!.DefaultModelId);
    }
}
