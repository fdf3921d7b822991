using Aha.Data;
using Aha.Environments;
using Aha.Generation;
using Aha.Tokenization;

namespace Aha.Tests.Environments;

/// <summary>
/// A scripted environment: the prompt is the item's prompt as a user message; each step answers with a tool message
/// whose text depends on the item and the turn (so observations differ in length across rows), pays 0.25 per step,
/// and ends after <see cref="Steps"/> steps with a final reward of 1.
/// </summary>
internal sealed class ScriptedEnvironment(int steps, List<string> actions, Action? onDispose = null) : IEnvironment
{
    PromptItem _item = new("", "", null);
    int _turn;
    public int Steps => steps;

    public IReadOnlyList<ChatMessage> Reset(PromptItem item) { _item = item; _turn = 0; return [ChatMessage.User(item.Prompt)]; }

    public EnvironmentStep Step(string action)
    {
        actions.Add(action);
        _turn++;
        if (_turn >= steps) return EnvironmentStep.Final(1.0);
        return new EnvironmentStep([ToolMessages.Result(new string('7', _turn + _item.Prompt.Length % 3))], 0.25, false) { ToolCalls = 1 };
    }

    public void Dispose() => onDispose?.Invoke();
}

internal sealed class ScriptedFactory(int steps) : IEnvironmentFactory
{
    public readonly List<string> Actions = [];
    public int Disposed;
    public IEnvironment Create() => new ScriptedEnvironment(steps, Actions, () => Disposed++);
}

/// <summary>Records every text it encodes, so a test can check that nothing the policy wrote is ever encoded again.</summary>
internal sealed class RecordingTokenizer(ITokenizer inner) : ITokenizer
{
    public readonly List<string> Encoded = [];
    public int VocabSize => inner.VocabSize;
    public int? BosTokenId => inner.BosTokenId;
    public int? EosTokenId => inner.EosTokenId;
    public int PadTokenId => inner.PadTokenId;
    public IReadOnlyList<int> Encode(string text) { Encoded.Add(text); return inner.Encode(text); }
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) => inner.Decode(ids, skipSpecialTokens);
    public int? TokenToId(string token) => inner.TokenToId(token);
    public bool IsSpecial(int id) => inner.IsSpecial(id);
}

/// <summary>Records what the engine was asked and what it answered.</summary>
internal sealed class RecordingEngine(IRolloutEngine inner) : IRolloutEngine
{
    public readonly List<(IReadOnlyList<IReadOnlyList<int>> Prompts, IReadOnlyList<Completion> Completions)> Calls = [];
    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
    {
        var c = inner.Generate(prompts, sampling);
        Calls.Add((prompts.Select(p => (IReadOnlyList<int>)p.ToArray()).ToList(), c));
        return c;
    }
}

/// <summary>Records the observation texts it renders.</summary>
internal sealed class RecordingFormat(ITurnFormat inner) : ITurnFormat
{
    public readonly List<string> Prompts = [], Observations = [];
    public string Prompt(IReadOnlyList<ChatMessage> messages) { var t = inner.Prompt(messages); Prompts.Add(t); return t; }
    public string Observation(IReadOnlyList<ChatMessage> messages, bool closed) { var t = inner.Observation(messages, closed); Observations.Add(t); return t; }
}
