using System.Text.Json;
using Aha.Tools;

namespace Aha.Tests.Tools;

public sealed class ToolBoxTests
{
    sealed class FakeTool(string name, Func<JsonElement, CancellationToken, Task<string>> run) : ITool
    {
        public string Name => name;
        public string Description => "fake";
        public JsonElement ParametersSchema { get; } = JsonDocument.Parse("{\"type\": \"object\"}").RootElement.Clone();
        public Task<string> InvokeAsync(JsonElement arguments, CancellationToken ct) => run(arguments, ct);
    }

    static ParsedToolCall Call(string name) => new(name, JsonDocument.Parse("{}").RootElement.Clone(), null);

    [Fact]
    public void UnknownTool_IsAnErrorListingTheTools()
    {
        var outcome = new ToolBox([new CalculatorTool()]).Call(Call("search"));
        Assert.True(outcome.IsError);
        Assert.Equal("error: unknown tool 'search'; available: calculator", outcome.Text);
    }

    [Fact]
    public void ThrowingTool_IsAnError_NotAnException()
    {
        var box = new ToolBox([new FakeTool("boom", (_, _) => throw new InvalidOperationException("disk on fire")),
                               new FakeTool("told", (_, _) => throw new ToolException("x must be positive"))]);
        Assert.Equal(new ToolOutcome("error: tool 'boom' failed: disk on fire", true), box.Call(Call("boom")));
        Assert.Equal(new ToolOutcome("error: x must be positive", true), box.Call(Call("told")));
    }

    [Fact]
    public void HangingTool_TimesOut_AsAnErrorObservation()
    {
        using var release = new ManualResetEventSlim();
        // Blocks without looking at the cancellation token: the box must still come back.
        var box = new ToolBox([new FakeTool("stuck", (_, _) => { release.Wait(); return Task.FromResult("late"); })], TimeSpan.FromMilliseconds(200));
        var outcome = box.Call(Call("stuck"));
        release.Set();
        Assert.True(outcome.IsError);
        Assert.Contains("timed out", outcome.Text);
    }

    [Fact]
    public void MalformedCall_IsAnErrorObservation() =>
        Assert.Equal(new ToolOutcome("error: the tool call has no closing </tool_call>", true),
            new ToolBox([]).Call(ToolCallParser.Parse("<tool_call>{")[0]));

    [Fact]
    public void SystemPrompt_ListsEveryToolWithItsSchema_InTheHermesLayout()
    {
        var prompt = new ToolBox([new CalculatorTool()]).SystemPrompt();
        Assert.StartsWith("# Tools\n\nYou may call one or more functions to assist with the user query.", prompt);
        var line = prompt.Split('\n').Single(l => l.Contains("\"calculator\""));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("function", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal("expression", doc.RootElement.GetProperty("function").GetProperty("parameters").GetProperty("required")[0].GetString());
        Assert.EndsWith("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>", prompt);
    }

    [Fact]
    public void DuplicateNames_AreRejected() =>
        Assert.Throws<ArgumentException>(() => new ToolBox([new CalculatorTool(), new CalculatorTool()]));
}
