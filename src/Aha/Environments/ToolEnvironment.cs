using Aha.Data;
using Aha.Tokenization;
using Aha.Tools;

namespace Aha.Environments;

/// <summary>
/// The tool-use environment: each policy turn that makes <c>&lt;tool_call&gt;</c>s gets one <c>tool</c> message per call
/// (the result, or an error telling the model what was wrong: malformed call, unknown tool, bad arguments, exception,
/// timeout, dead server); a turn without a call is the final answer and ends the episode. Its rewards are 0: the
/// outcome is scored by the trainer's reward functions on the whole response (e.g. correctness of &lt;answer&gt;).
/// </summary>
public sealed class ToolEnvironment(ToolBox tools, Func<PromptItem, IReadOnlyList<ChatMessage>> firstObservation) : IEnvironment
{
    public IReadOnlyList<ChatMessage> Reset(PromptItem item) => firstObservation(item);

    public EnvironmentStep Step(string action)
    {
        var calls = ToolCallParser.Parse(action);
        if (calls.Count == 0) return EnvironmentStep.Final(0);
        var outcomes = calls.Select(tools.Call).ToList();
        return new EnvironmentStep(outcomes.Select(o => ToolMessages.Result(o.Text)).ToList(), 0, false)
        {
            ToolCalls = calls.Count,
            ToolErrors = outcomes.Count(o => o.IsError),
        };
    }

    public void Dispose() { }

    /// <summary>A chat prompt: a system turn listing the tools (<see cref="ToolBox.SystemPrompt"/>) then the item's prompt as the user turn.</summary>
    public static Func<PromptItem, IReadOnlyList<ChatMessage>> ChatPrompt(ToolBox tools)
    {
        var system = tools.SystemPrompt();
        return item => [ChatMessage.System(system), ChatMessage.User(item.Prompt)];
    }

    /// <summary>The item's prompt alone (base models that learned the tool format in pretraining, as the demo's).</summary>
    public static IReadOnlyList<ChatMessage> RawPrompt(PromptItem item) => [ChatMessage.User(item.Prompt)];
}

/// <summary>Makes a <see cref="ToolEnvironment"/> per trajectory over one shared <see cref="ToolBox"/> (tools must be thread-safe).</summary>
public sealed class ToolEnvironmentFactory(ToolBox tools, Func<PromptItem, IReadOnlyList<ChatMessage>> firstObservation) : IEnvironmentFactory
{
    public IEnvironment Create() => new ToolEnvironment(tools, firstObservation);
}
