using Aha.Tokenization;

namespace Aha.Data;

/// <summary>Either plain text or a list of chat messages (preference data allows both).</summary>
public sealed record TextOrMessages
{
    private TextOrMessages(string? text, IReadOnlyList<ChatMessage>? messages)
    {
        Text = text;
        Messages = messages;
    }

    public string? Text { get; }

    public IReadOnlyList<ChatMessage>? Messages { get; }

    public bool IsText => Text is not null;

    public static TextOrMessages FromText(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null);

    public static TextOrMessages FromMessages(IReadOnlyList<ChatMessage> messages) =>
        new(null, messages ?? throw new ArgumentNullException(nameof(messages)));
}
