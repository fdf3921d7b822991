using Aha.Tokenization;

namespace Aha.Environments;

/// <summary>The <c>tool</c> role of observation messages (tool results), which the turn formats render as &lt;tool_response&gt; turns.</summary>
public static class ToolMessages
{
    /// <summary>Role name of a tool result, as in OpenAI/Qwen chat messages.</summary>
    public const string Role = "tool";

    /// <summary>A tool result message.</summary>
    public static ChatMessage Result(string content) => new(Role, content);
}
