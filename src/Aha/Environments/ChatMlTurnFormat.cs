using System.Text;
using Aha.Tokenization;

namespace Aha.Environments;

/// <summary>
/// ChatML turns as Qwen2.5/Qwen3's chat templates write them, tool results included: a run of consecutive
/// <c>tool</c> messages becomes one user turn of <c>&lt;tool_response&gt;\n…\n&lt;/tool_response&gt;</c> blocks.
/// The text an observation appends after an assistant turn that ended with &lt;|im_end|&gt; is exactly what the template
/// puts between that &lt;|im_end|&gt; and the next generation prompt.
/// </summary>
public sealed class ChatMlTurnFormat : ITurnFormat
{
    /// <summary>Shared instance (stateless).</summary>
    public static ChatMlTurnFormat Instance { get; } = new();

    public string Prompt(IReadOnlyList<ChatMessage> messages)
    {
        var text = new StringBuilder();
        AppendTurns(text, messages);
        return text.Append(ChatTemplate.ImStart).Append("assistant\n").ToString();
    }

    public string Observation(IReadOnlyList<ChatMessage> messages, bool policyTurnClosed)
    {
        // The policy stops at <|im_end|>; the template's newline after it was never sampled, so it starts the observation.
        var text = new StringBuilder(policyTurnClosed ? "\n" : ChatTemplate.ImEnd + "\n");
        AppendTurns(text, messages);
        return text.Append(ChatTemplate.ImStart).Append("assistant\n").ToString();
    }

    static void AppendTurns(StringBuilder text, IReadOnlyList<ChatMessage> messages)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.Role != ToolMessages.Role)
            {
                text.Append(ChatTemplate.ImStart).Append(m.Role).Append('\n').Append(m.Content).Append(ChatTemplate.ImEnd).Append('\n');
                continue;
            }
            bool first = i == 0 || messages[i - 1].Role != ToolMessages.Role;
            bool last = i == messages.Count - 1 || messages[i + 1].Role != ToolMessages.Role;
            if (first) text.Append(ChatTemplate.ImStart).Append("user");
            text.Append("\n<tool_response>\n").Append(m.Content).Append("\n</tool_response>");
            if (last) text.Append(ChatTemplate.ImEnd).Append('\n');
        }
    }
}
