using System.Text;

namespace Aha.Tokenization;

/// <summary>
/// The ChatML chat template, the chat format of Qwen2 / Qwen2.5 / Qwen3: each turn is <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>,
/// and the generation prompt is <c>&lt;|im_start|&gt;assistant\n</c>. For plain messages (no tools) the text is
/// identical to Qwen2.5's Jinja template (<see cref="Qwen25"/>) and to Qwen3's for conversations without
/// &lt;think&gt; history.
/// <para>System prompt policy: when the first message is not a system message and <see cref="DefaultSystemPrompt"/>
/// is set, a system turn with it is prepended (Qwen2.5's behaviour). The default is null: no system turn is
/// invented (Qwen3's behaviour), so an RL prompt is exactly what the dataset says.</para>
/// <para>Departures from Qwen3's template: reasoning in earlier assistant turns is not stripped, and there is no
/// <c>enable_thinking</c> switch (write "&lt;think&gt;\n\n&lt;/think&gt;\n\n" into the prompt yourself).</para>
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>Qwen2.5's built-in default system prompt.</summary>
    public const string QwenDefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";


    /// <summary>Plain ChatML with no default system prompt (Qwen3 behaviour).</summary>
    public static ChatTemplate Default { get; } = new();

    /// <summary>Qwen2.5's template: injects <see cref="QwenDefaultSystemPrompt"/> when there is no system message.</summary>
    public static ChatTemplate Qwen25 { get; } = new() { DefaultSystemPrompt = QwenDefaultSystemPrompt };

    /// <summary>System prompt prepended when the conversation does not start with one. Default: null (none).</summary>
    public string? DefaultSystemPrompt { get; init; }

    /// <summary>
    /// Renders <paramref name="messages"/>; with <paramref name="addGenerationPrompt"/> appends
    /// "&lt;|im_start|&gt;assistant\n" so the model writes the next assistant turn.
    /// </summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
            throw new ArgumentException("a chat needs at least one message", nameof(messages));
        var text = new StringBuilder();
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw new ArgumentException($"message {i} is null", nameof(messages));
            if (!ChatMessage.Roles.Contains(m.Role))
                throw new ArgumentException(
                    $"message {i} has role \"{m.Role}\"; expected one of: system, user, assistant", nameof(messages));
            ArgumentNullException.ThrowIfNull(m.Content, $"{nameof(messages)}[{i}].Content");
            if (i == 0 && m.Role != "system" && DefaultSystemPrompt is not null)
                AppendTurn(text, "system", DefaultSystemPrompt);
            AppendTurn(text, m.Role, m.Content);
        }
        if (addGenerationPrompt)
            text.Append(ImStart).Append("assistant\n");
        return text.ToString();
    }

    private static void AppendTurn(StringBuilder text, string role, string content) =>
        text.Append(ImStart).Append(role).Append('\n').Append(content).Append(ImEnd).Append('\n');
}
