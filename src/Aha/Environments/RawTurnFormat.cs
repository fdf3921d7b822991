using System.Text;
using Aha.Tokenization;

namespace Aha.Environments;

/// <summary>
/// No chat markup, for base models and the character-level demo: the prompt is the messages' contents joined, and a
/// tool result is appended as <c>&lt;tool_response&gt;…&lt;/tool_response&gt;</c> right after the policy's text (other
/// observation messages are appended as they are).
/// </summary>
public sealed class RawTurnFormat : ITurnFormat
{
    /// <summary>Shared instance (stateless).</summary>
    public static RawTurnFormat Instance { get; } = new();

    public string Prompt(IReadOnlyList<ChatMessage> messages) => Join(messages);

    public string Observation(IReadOnlyList<ChatMessage> messages, bool policyTurnClosed) => Join(messages);

    static string Join(IReadOnlyList<ChatMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var m in messages)
            text.Append(m.Role == ToolMessages.Role ? $"<tool_response>{m.Content}</tool_response>" : m.Content);
        return text.ToString();
    }
}
