using System.Runtime.CompilerServices;
using Aha.Tokenization;
using Microsoft.Extensions.AI;
using AhaMessage = Aha.Tokenization.ChatMessage;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Aha.Generation.Chat;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over any <see cref="IRolloutEngine"/>: the in-process
/// <see cref="LocalRolloutEngine"/>, or a <see cref="Remote.RemoteRolloutEngine"/> on aha serve / vLLM / SGLang, so .NET
/// code calls a model trained here the way it calls any chat model. Messages are rendered with the chat template,
/// tokenized here, and the completion stops at EOS or &lt;|im_end|&gt;. <see cref="ChatOptions"/> maps to sampling:
/// Temperature, TopP, TopK, MaxOutputTokens (default 256), Seed, StopSequences. Streaming yields the text token by
/// token after the engine has sampled the whole completion (the engines sample whole batches). Calls are serialized:
/// the local engine runs TorchSharp, which must not run on two threads at once.
/// </summary>
public sealed class RolloutChatClient : IChatClient
{
    /// <summary>Completion length when the caller sets no MaxOutputTokens.</summary>
    public const int DefaultMaxOutputTokens = 256;

    readonly IRolloutEngine _engine;
    readonly ITokenizer _tokenizer;
    readonly ChatTemplate _template;
    readonly string _modelId;
    readonly SemaphoreSlim _gate = new(1, 1);

    public RolloutChatClient(IRolloutEngine engine, ITokenizer tokenizer, string modelId, ChatTemplate? template = null)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _modelId = modelId;
        _template = template ?? ChatTemplate.Default;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, sampling) = Prepare(messages, options);
        var completion = await Generate(prompt, sampling, cancellationToken);
        var text = CompletionText.Visible(completion, sampling.StopStrings, _tokenizer);
        return new ChatResponse(new AiMessage(ChatRole.Assistant, text))
        {
            ModelId = _modelId,
            ResponseId = Guid.NewGuid().ToString("N"),
            FinishReason = Finish(completion),
            Usage = Usage(prompt, completion),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, sampling) = Prepare(messages, options);
        var completion = await Generate(prompt, sampling, cancellationToken);
        var id = Guid.NewGuid().ToString("N");
        var text = CompletionText.Visible(completion, sampling.StopStrings, _tokenizer);
        foreach (var piece in CompletionText.Deltas(_tokenizer, completion.TokenIds, text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ResponseId = id, ModelId = _modelId };
        }
        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant, ResponseId = id, ModelId = _modelId, FinishReason = Finish(completion),
            Contents = [new UsageContent(Usage(prompt, completion))],
        };
    }

    (IReadOnlyList<int> Prompt, SamplingParams Sampling) Prepare(IEnumerable<AiMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = messages.Select(m => new AhaMessage(m.Role.Value, m.Text)).ToList();
        var prompt = _tokenizer.Encode(_template.Render(turns, addGenerationPrompt: true));
        var stops = new List<int>();
        if (_tokenizer.EosTokenId is int eos) stops.Add(eos);
        if (_tokenizer.TokenToId(ChatTemplate.ImEnd) is int imEnd && !stops.Contains(imEnd)) stops.Add(imEnd);
        var sampling = new SamplingParams
        {
            MaxNewTokens = options?.MaxOutputTokens ?? DefaultMaxOutputTokens,
            Temperature = options?.Temperature ?? 1.0,
            TopP = options?.TopP ?? 1.0,
            TopK = options?.TopK ?? 0,
            Seed = options?.Seed ?? Random.Shared.NextInt64(),
            StopTokenIds = stops,
            StopStrings = options?.StopSequences?.ToList() ?? [],
        }.Validate();
        return (prompt, sampling);
    }

    async Task<Completion> Generate(IReadOnlyList<int> prompt, SamplingParams sampling, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try { return await Task.Run(() => _engine.Generate([prompt], sampling)[0], cancellationToken); }
        finally { _gate.Release(); }
    }

    static ChatFinishReason Finish(Completion c) => c.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    static UsageDetails Usage(IReadOnlyList<int> prompt, Completion c) => new()
    {
        InputTokenCount = prompt.Count, OutputTokenCount = c.TokenIds.Length, TotalTokenCount = prompt.Count + c.TokenIds.Length,
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("aha", defaultModelId: _modelId)
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(_engine) ? _engine
        : null;

    public void Dispose() => _gate.Dispose();
}
