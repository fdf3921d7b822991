namespace Aha.Serving;

/// <summary>A request the server refuses (HTTP 400 with an OpenAI-shaped error body): names the field at fault.</summary>
public sealed class RequestException(string message, string? param = null) : Exception(message)
{
    /// <summary>The request field the error is about, or null.</summary>
    public string? Param { get; } = param;
}
