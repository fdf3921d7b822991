using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// Tools with behaviour a client must survive: a plain answer, an error result, a hang, and a crash of the whole server;
// and one that reads the server's environment (to check the variables a client sets for it).
var options = new McpServerOptions
{
    ServerInfo = new Implementation { Name = "aha-test-server", Version = "1.0.0" },
    ToolCollection =
    [
        McpServerTool.Create([Description("Adds two integers.")] (long a, long b) => (a + b).ToString(System.Globalization.CultureInfo.InvariantCulture),
            new McpServerToolCreateOptions { Name = "add" }),
        McpServerTool.Create([Description("Always fails.")] () => new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "the fail tool always fails" }] },
            new McpServerToolCreateOptions { Name = "fail" }),
        McpServerTool.Create([Description("Never answers.")] async (CancellationToken ct) => { await Task.Delay(Timeout.Infinite, ct); return ""; },
            new McpServerToolCreateOptions { Name = "hang" }),
        McpServerTool.Create([Description("Reads an environment variable of the server process.")] (string name) => Environment.GetEnvironmentVariable(name) ?? "(unset)",
            new McpServerToolCreateOptions { Name = "env" }),
        McpServerTool.Create([Description("Kills the server.")] () => { Environment.Exit(3); return ""; },
            new McpServerToolCreateOptions { Name = "crash" }),
    ],
};
await using var server = McpServer.Create(new StdioServerTransport("aha-test-server"), options);
await server.RunAsync();
