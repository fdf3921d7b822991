using System.Text;
using System.Text.Json;

namespace Aha.Tools;

/// <summary>What a tool call produced: the text the policy sees, and whether it was an error.</summary>
public sealed record ToolOutcome(string Text, bool IsError);

/// <summary>
/// The tools of an environment by name, with a timeout per call. <see cref="Call"/> never throws for anything the
/// policy or a tool did: an unknown name, a malformed call, an exception, a timeout or a dead tool server all come back
/// as an error <see cref="ToolOutcome"/> whose text tells the model what went wrong.
/// </summary>
public sealed class ToolBox
{
    readonly Dictionary<string, ITool> _tools;

    /// <param name="tools">Distinct names.</param>
    /// <param name="timeout">Longest wait for one call of a tool that sets no <see cref="ITool.Timeout"/>. The default value is 10 seconds.</param>
    public ToolBox(IEnumerable<ITool> tools, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        _tools = new Dictionary<string, ITool>(StringComparer.Ordinal);
        foreach (var t in tools)
            if (!_tools.TryAdd(t.Name, t)) throw new ArgumentException($"Two tools are named '{t.Name}'.", nameof(tools));
        Timeout = timeout ?? TimeSpan.FromSeconds(10);
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), Timeout, "The tool timeout must be positive.");
    }

    public TimeSpan Timeout { get; }

    public IReadOnlyCollection<ITool> Tools => _tools.Values;

    /// <summary>Runs one parsed call.</summary>
    public ToolOutcome Call(ParsedToolCall call)
    {
        if (!call.IsValid) return Error(call.Error!);
        if (!_tools.TryGetValue(call.Name!, out var tool))
            return Error($"unknown tool '{call.Name}'; available: {string.Join(", ", _tools.Keys)}");
        var timeout = tool.Timeout ?? Timeout;
        using var cts = new CancellationTokenSource(timeout);
        // Task.Run: a tool that blocks without looking at the token still cannot hold the rollout past the timeout.
        var task = Task.Run(() => tool.InvokeAsync(call.Arguments, cts.Token), cts.Token);
        try
        {
            if (!task.Wait(timeout)) return Error($"tool '{tool.Name}' timed out after {timeout.TotalSeconds:0.###} s");
            return new ToolOutcome(task.Result, false);
        }
        catch (AggregateException e) when (e.InnerException is ToolException te) { return Error(te.Message); }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException) { return Error($"tool '{tool.Name}' timed out after {timeout.TotalSeconds:0.###} s"); }
        catch (AggregateException e) { return Error($"tool '{tool.Name}' failed: {e.InnerException?.Message ?? e.Message}"); }
    }

    static ToolOutcome Error(string message) => new("error: " + message, true);

    /// <summary>
    /// The tool list in the system prompt as Qwen2.5's chat template writes it (Hermes function calling): one JSON
    /// line per tool inside &lt;tools&gt;&lt;/tools&gt;, then how to call them.
    /// </summary>
    public string SystemPrompt()
    {
        var text = new StringBuilder("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n")
            .Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        foreach (var t in _tools.Values)
        {
            var function = new Dictionary<string, object>
            {
                ["type"] = "function",
                ["function"] = new Dictionary<string, object> { ["name"] = t.Name, ["description"] = t.Description, ["parameters"] = t.ParametersSchema },
            };
            text.Append('\n').Append(JsonSerializer.Serialize(function));
        }
        return text.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within ")
            .Append("<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>")
            .ToString();
    }
}
