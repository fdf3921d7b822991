using Aha.Tools;

namespace Aha.Tests.Tools;

public sealed class ToolCallParserTests
{
    [Fact]
    public void HermesCall_IsRead_WithItsArguments()
    {
        var calls = ToolCallParser.Parse("let me compute <tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"12*34\"}}\n</tool_call>");
        var call = Assert.Single(calls);
        Assert.True(call.IsValid);
        Assert.Equal("calculator", call.Name);
        Assert.Equal("12*34", call.Arguments.GetProperty("expression").GetString());
    }

    [Fact]
    public void SeveralCalls_InOrder_AndArgumentsGivenAsAJsonString_AreAccepted()
    {
        var calls = ToolCallParser.Parse("<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call> and <tool_call>{\"name\":\"b\",\"arguments\":\"{\\\"x\\\": 1}\"}</tool_call>");
        Assert.Equal(["a", "b"], calls.Select(c => c.Name));
        Assert.Equal(1, calls[1].Arguments.GetProperty("x").GetInt32());
    }

    [Fact]
    public void NoCall_GivesNothing() => Assert.Empty(ToolCallParser.Parse("<answer>408</answer>"));

    [Theory]
    [InlineData("<tool_call>{\"name\": \"calculator\"", "no closing </tool_call>")]
    [InlineData("<tool_call>{name: calculator}</tool_call>", "not valid JSON")]
    [InlineData("<tool_call>[1, 2]</tool_call>", "must be a JSON object")]
    [InlineData("<tool_call>{\"arguments\": {}}</tool_call>", "needs a string \"name\"")]
    [InlineData("<tool_call>{\"name\": \"\"}</tool_call>", "needs a string \"name\"")]
    [InlineData("<tool_call>{\"name\": \"c\", \"arguments\": 5}</tool_call>", "must be a JSON object")]
    [InlineData("<tool_call>{\"name\": \"c\", \"arguments\": \"not json\"}</tool_call>", "must be a JSON object")]
    public void MalformedCall_IsReturnedWithAReason_NotThrown(string text, string reason)
    {
        var call = Assert.Single(ToolCallParser.Parse(text));
        Assert.False(call.IsValid);
        Assert.Contains(reason, call.Error);
    }

    [Fact]
    public void HugeOrDeeplyNestedCall_IsAnError()
    {
        var huge = "<tool_call>{\"name\": \"c\", \"arguments\": {\"x\": \"" + new string('9', ToolCallParser.MaxCallChars) + "\"}}</tool_call>";
        Assert.Contains("longer than", ToolCallParser.Parse(huge)[0].Error);
        var deep = "<tool_call>" + new string('[', 100) + new string(']', 100) + "</tool_call>";
        Assert.Contains("not valid JSON", ToolCallParser.Parse(deep)[0].Error);
    }
}
