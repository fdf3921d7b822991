namespace Aha.Tokenization;

/// <summary>One chat turn. <paramref name="Role"/> is "system", "user" or "assistant".</summary>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>The roles the ChatML template renders.</summary>
    public static IReadOnlySet<string> Roles { get; } = new HashSet<string> { "system", "user", "assistant" };

    public static ChatMessage System(string content) => new("system", content);

    public static ChatMessage User(string content) => new("user", content);

    public static ChatMessage Assistant(string content) => new("assistant", content);
}
