using System.Net;
using System.Text.Json;

namespace Aha.Tests.Serving;

/// <summary>Answers HTTP calls from a function of (path, body) and keeps every request it saw.</summary>
internal sealed class RecordedHandler(Func<string, JsonElement?, (HttpStatusCode Status, string Body)> reply) : HttpMessageHandler
{
    public List<(string Path, JsonElement? Body)> Requests { get; } = [];

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "remote", name));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        JsonElement? body = request.Content is null ? null : JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        lock (Requests) Requests.Add((request.RequestUri!.AbsolutePath, body));
        var (status, text) = reply(request.RequestUri!.AbsolutePath, body);
        return new HttpResponseMessage(status) { Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json") };
    }
}
