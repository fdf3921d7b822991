using System.Text.Json;
using Aha.Data;
using Aha.Rewards;
using Aha.Tools;

namespace Aha.Tests.Tools;

public sealed class BuiltInToolTests
{
    static JsonElement Args(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Theory]
    [InlineData("12*34", "408")]                 // 12·34 = 408
    [InlineData("(17+25)*3-4", "122")]           // 42·3 − 4 = 122
    [InlineData("7/2", "7/2")]                   // exact rational, not 3.5
    [InlineData("1/3+1/6", "1/2")]               // 2/6 + 1/6 = 3/6 = 1/2
    [InlineData("5-9", "-4")]
    [InlineData("987 × 654", "645498")]          // 987·654 = 645,498 (987·600 = 592,200; 987·54 = 53,298)
    public void Calculator_IsExact(string expression, string expected) =>
        Assert.Equal(expected, new CalculatorTool().Evaluate(expression));

    [Theory]
    [InlineData("1/0", "division by zero")]
    [InlineData("2+", "cannot evaluate")]
    [InlineData("import os", "cannot evaluate")]
    public void Calculator_BadInput_IsAToolError(string expression, string reason) =>
        Assert.Contains(reason, Assert.Throws<ToolException>(() => new CalculatorTool().Evaluate(expression)).Message);

    [Fact]
    public void Calculator_KeepsTheCountdownParsersLimits()
    {
        var tool = new CalculatorTool(new CountdownLimits { MaxLength = 10 });
        Assert.Throws<ToolException>(() => tool.Evaluate("1+1+1+1+1+1"));
        Assert.Throws<ToolException>(() => new CalculatorTool().Evaluate("1234567890*2")); // 10 digits > the 9-digit cap
    }

    [Fact]
    public async Task Lookup_AnswersFromTheTable_AndAMissIsAnError()
    {
        using var dir = new TempDir();
        var path = dir.File("capitals.jsonl", "{\"key\": \"france\", \"value\": \"Paris\"}\n{\"key\": \"pi\", \"value\": 3.14159}\n");
        var tool = new LookupTool(path);
        Assert.Equal(2, tool.Count);
        Assert.Equal("Paris", await tool.InvokeAsync(Args("{\"key\": \" france \"}"), default));
        Assert.Equal("3.14159", await tool.InvokeAsync(Args("{\"key\": \"pi\"}"), default));
        var miss = new ToolBox([tool]).Call(new ParsedToolCall("lookup", Args("{\"key\": \"spain\"}"), null));
        Assert.True(miss.IsError);
        Assert.Contains("no entry 'spain'", miss.Text);
    }

    [Fact]
    public void Lookup_BadTable_NamesFileLineAndField()
    {
        using var dir = new TempDir();
        var path = dir.File("t.jsonl", "{\"key\": \"a\", \"value\": 1}\n{\"key\": \"a\", \"value\": 2}\n");
        var e = Assert.Throws<DataFormatException>(() => new LookupTool(path));
        Assert.Equal(2, e.LineNumber);
        Assert.Equal("key", e.Field);
        var noValue = dir.File("u.jsonl", "{\"key\": \"a\"}\n");
        Assert.Equal("value", Assert.Throws<DataFormatException>(() => new LookupTool(noValue)).Field);
    }
}
