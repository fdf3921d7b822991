using Aha.Tokenization;
namespace Aha.Data;

/// <summary>
/// One supervised example: either chat <see cref="Messages"/> (<c>{"messages": [{"role","content"}…]}</c>, loss on
/// assistant turns) or plain <see cref="Prompt"/> + <see cref="Completion"/> (loss on the completion).
/// </summary>
public sealed record SftExample(string Id, IReadOnlyList<ChatMessage>? Messages, string? Prompt, string? Completion)
{
    public bool IsChat => Messages is not null;

    public static SftExample Chat(string id, IReadOnlyList<ChatMessage> messages) => new(id, messages, null, null);

    public static SftExample Text(string id, string prompt, string completion) => new(id, null, prompt, completion);
}

/// <summary>
/// One preference pair: <c>{"prompt","chosen","rejected"}</c>, each text or a message list. <see cref="Prompt"/> is
/// null only when chosen and rejected are full conversations that include the prompt (implicit prompt).
/// </summary>
public sealed record PreferenceExample(string Id, TextOrMessages? Prompt, TextOrMessages Chosen, TextOrMessages Rejected);
