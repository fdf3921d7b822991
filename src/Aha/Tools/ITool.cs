using System.Text.Json;

namespace Aha.Tools;

/// <summary>
/// A function the policy can call with <c>&lt;tool_call&gt;{"name": …, "arguments": {…}}&lt;/tool_call&gt;</c>. Built in:
/// <see cref="CalculatorTool"/> and <see cref="LookupTool"/>; <see cref="McpToolServer"/> wraps the tools of any Model
/// Context Protocol server. Implementations may throw or hang: <see cref="ToolBox"/> turns exceptions and timeouts
/// into error observations.
/// </summary>
public interface ITool
{
    /// <summary>The name the policy calls it by.</summary>
    string Name { get; }

    /// <summary>One line for the system prompt.</summary>
    string Description { get; }

    /// <summary>JSON Schema of the arguments object (as listed to the model).</summary>
    JsonElement ParametersSchema { get; }

    /// <summary>Longest wait for one call of this tool; null takes the <see cref="ToolBox"/>'s timeout.</summary>
    TimeSpan? Timeout => null;

    /// <summary>Runs the tool; the returned text is what the policy sees in &lt;tool_response&gt;.</summary>
    /// <exception cref="ToolException">A bad argument or an error the policy should read as such.</exception>
    Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken);
}

/// <summary>An error a tool reports to the policy (its message becomes the observation).</summary>
public sealed class ToolException(string message) : Exception(message);
