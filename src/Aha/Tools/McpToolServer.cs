using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Aha.Tools;

/// <summary>How to start a Model Context Protocol server that speaks over stdio.</summary>
/// <param name="Command">The executable, e.g. "npx", "uvx", "dotnet".</param>
/// <param name="Arguments">Its arguments, e.g. ["my-server.dll"].</param>
public sealed record McpServerCommand(string Command, IReadOnlyList<string> Arguments)
{
    /// <summary>A name for logs and errors. The default value is the command.</summary>
    public string? Name { get; init; }

    /// <summary>Longest wait for the server to start and list its tools. The default value is 30 seconds.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for one call of its tools; null takes the <see cref="ToolBox"/>'s. The default value is null.</summary>
    public TimeSpan? CallTimeout { get; init; }

    /// <summary>Environment variables set for the server process, on top of this process's. The default value is empty.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The tools of one MCP server (the official <c>ModelContextProtocol</c> SDK client over stdio), as <see cref="ITool"/>s
/// for a <see cref="ToolBox"/>: listed once at start (name, description, input schema go into the system prompt), called
/// during rollouts. A tool result marked <c>isError</c>, a server that crashed or hangs all reach the policy as error
/// observations through the <see cref="ToolBox"/>; only a server that cannot start at all throws, from <see cref="Start"/>.
/// </summary>
public sealed class McpToolServer : IDisposable
{
    readonly McpClient _client;

    McpToolServer(McpClient client, IReadOnlyList<ITool> tools)
    {
        _client = client;
        Tools = tools;
    }

    /// <summary>The server's tools.</summary>
    public IReadOnlyList<ITool> Tools { get; }

    /// <summary>Starts the server process and lists its tools.</summary>
    /// <exception cref="InvalidOperationException">The server did not start or answer within <see cref="McpServerCommand.StartTimeout"/> (names the command).</exception>
    public static McpToolServer Start(McpServerCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var name = command.Name ?? command.Command;
        using var cts = new CancellationTokenSource(command.StartTimeout);
        McpClient? client = null;
        try
        {
            var transport = new StdioClientTransport(new StdioClientTransportOptions
            {
                Command = command.Command, Arguments = command.Arguments.ToList(), Name = name,
                EnvironmentVariables = command.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
            });
            client = McpClient.CreateAsync(transport, cancellationToken: cts.Token).GetAwaiter().GetResult();
            var listed = client.ListToolsAsync(cancellationToken: cts.Token).GetAwaiter().GetResult();
            var tools = listed.Select(t => (ITool)new McpTool(client, t.Name, t.Description ?? "", t.JsonSchema.Clone(), command.CallTimeout)).ToList();
            return new McpToolServer(client, tools);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new InvalidOperationException($"MCP server '{name}' ({command.Command} {string.Join(' ', command.Arguments)}) did not start: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        try { _client.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { } // the server may already be gone; nothing is left to release
    }

    sealed class McpTool(McpClient client, string name, string description, JsonElement schema, TimeSpan? timeout) : ITool
    {
        public string Name => name;
        public TimeSpan? Timeout => timeout;
        public string Description => description;
        public JsonElement ParametersSchema => schema;

        public async Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
        {
            var args = arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
            var result = await client.CallToolAsync(name, args, cancellationToken: cancellationToken).ConfigureAwait(false);
            var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(c => c.Text));
            return result.IsError == true ? throw new ToolException($"tool '{name}' reported an error: {text}") : text;
        }
    }
}
