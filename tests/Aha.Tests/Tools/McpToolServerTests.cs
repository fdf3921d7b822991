using System.Text.Json;
using Aha.Tools;

namespace Aha.Tests.Tools;

/// <summary>Against tests/Aha.McpTestServer, a real MCP server over stdio that the test starts (built with the solution).</summary>
public sealed class McpToolServerTests
{
    static McpServerCommand TestServer() =>
        new("dotnet", [Path.Combine(AppContext.BaseDirectory, "Aha.McpTestServer.dll")]) { Name = "test-server" };

    static ParsedToolCall Call(string text) => ToolCallParser.Parse(text).Single();

    [Fact]
    public void ToolsAreListed_IntoTheSystemPrompt_AndCalled()
    {
        using var server = McpToolServer.Start(TestServer());
        Assert.Equal(["add", "crash", "env", "fail", "hang"], server.Tools.Select(t => t.Name).Order());
        var add = server.Tools.Single(t => t.Name == "add");
        Assert.Equal("Adds two integers.", add.Description);
        Assert.Equal(JsonValueKind.Object, add.ParametersSchema.GetProperty("properties").GetProperty("a").ValueKind);

        var box = new ToolBox(server.Tools.Append(new CalculatorTool()), TimeSpan.FromSeconds(20));
        Assert.Contains("\"name\":\"add\"", box.SystemPrompt());
        Assert.Equal(new ToolOutcome("5", false), box.Call(Call("<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 2, \"b\": 3}}</tool_call>")));
        var error = box.Call(Call("<tool_call>{\"name\": \"fail\", \"arguments\": {}}</tool_call>"));
        Assert.True(error.IsError);
        Assert.Contains("the fail tool always fails", error.Text);
    }

    [Fact]
    public void HangingAndCrashingServerTools_AreErrorObservations_NeverExceptions()
    {
        using var server = McpToolServer.Start(TestServer());
        var box = new ToolBox(server.Tools, TimeSpan.FromSeconds(2));
        var hang = box.Call(Call("<tool_call>{\"name\": \"hang\", \"arguments\": {}}</tool_call>"));
        Assert.True(hang.IsError);
        Assert.Contains("timed out", hang.Text);

        var patient = new ToolBox(server.Tools, TimeSpan.FromSeconds(20));
        Assert.Equal("5", patient.Call(Call("<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 2, \"b\": 3}}</tool_call>")).Text);
        var crash = patient.Call(Call("<tool_call>{\"name\": \"crash\", \"arguments\": {}}</tool_call>"));
        Assert.True(crash.IsError);
        // The server is gone: later calls fail as observations too.
        var after = patient.Call(Call("<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 1}}</tool_call>"));
        Assert.True(after.IsError);
    }

    [Fact]
    public void TheServersEnvironmentVariables_AndItsOwnCallTimeout_Apply()
    {
        using (var server = McpToolServer.Start(TestServer() with { Environment = new Dictionary<string, string> { ["AHA_MCP_TEST_VALUE"] = "forty-two" } }))
        {
            var box = new ToolBox(server.Tools, TimeSpan.FromSeconds(60));
            Assert.Equal("forty-two", box.Call(Call("<tool_call>{\"name\": \"env\", \"arguments\": {\"name\": \"AHA_MCP_TEST_VALUE\"}}</tool_call>")).Text);
        }
        using (var server = McpToolServer.Start(TestServer() with { CallTimeout = TimeSpan.FromSeconds(2) }))
        {
            // The server's 2 s wins over the box's 60 s.
            var box = new ToolBox(server.Tools, TimeSpan.FromSeconds(60));
            Assert.Equal("error: tool 'hang' timed out after 2 s", box.Call(Call("<tool_call>{\"name\": \"hang\", \"arguments\": {}}</tool_call>")).Text);
        }
    }

    [Fact]
    public void AServerThatCannotStart_FailsAtStart_NamingTheCommand()
    {
        var e = Assert.Throws<InvalidOperationException>(() => McpToolServer.Start(
            new McpServerCommand("aha-no-such-mcp-server", []) { StartTimeout = TimeSpan.FromSeconds(20) }));
        Assert.Contains("aha-no-such-mcp-server", e.Message);
    }
}
