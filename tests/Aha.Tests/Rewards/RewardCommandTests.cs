using System.CommandLine;
using System.Text.Json;
using Aha.Cli.Commands;

namespace Aha.Tests.Rewards;

public sealed class RewardCommandTests
{
    private static (int Code, JsonElement? Json, string Error) Run(params string[] args)
    {
        var root = new RootCommand { RewardCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(["reward", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        var text = output.ToString().Trim();
        return (code, !text.StartsWith('{') ? null : JsonDocument.Parse(text).RootElement.Clone(), error.ToString());
    }

    [Fact]
    public void Countdown_PrintsScoreExtractedAnswerAndReason()
    {
        var (code, json, _) = Run("--fn", "countdown", "--completion", "<answer>25 * 5</answer>", "--numbers", "3,7,25", "--target", "125");
        Assert.Equal(0, code);
        Assert.Equal(0.1, json!.Value.GetProperty("score").GetDouble());
        Assert.Equal("25 * 5", json.Value.GetProperty("extracted").GetString());
        Assert.Equal("number 5 is not in [3, 7, 25]", json.Value.GetProperty("reason").GetString());
    }

    [Fact]
    public void Math_WithAnswer_ScoresOne()
    {
        var (_, json, _) = Run("--fn", "math", "--completion", "so \\boxed{\\frac{1}{2}}", "--answer", "0.5");
        Assert.Equal(1.0, json!.Value.GetProperty("score").GetDouble());
        Assert.Equal("\\frac{1}{2}", json.Value.GetProperty("extracted").GetString());
    }

    [Fact]
    public void Math_WithoutAnswer_IsNotApplicable_ScoreNull()
    {
        var (_, json, _) = Run("--fn", "math", "--completion", "<answer>1</answer>");
        Assert.Equal(JsonValueKind.Null, json!.Value.GetProperty("score").ValueKind);
    }

    [Fact]
    public void Overlong_TakesItsParameters()
    {
        // L_max 100, buffer 20, 90 tokens → −(90 − 80)/20 = −0.5.
        var (_, json, _) = Run("--fn", "overlong", "--completion", "x", "--tokens", "90", "--max-length", "100", "--buffer", "20");
        Assert.Equal(-0.5, json!.Value.GetProperty("score").GetDouble(), 12);
    }

    [Fact]
    public void Format_NoAnswerTag_ExplainsWhy()
    {
        var (_, json, _) = Run("--fn", "format", "--completion", "<think>x</think> nothing");
        Assert.Equal(0.0, json!.Value.GetProperty("score").GetDouble());
        Assert.Contains("no <answer>", json.Value.GetProperty("reason").GetString());
    }

    [Fact]
    public void UnknownFunction_IsAParseError()
    {
        var (code, json, _) = Run("--fn", "nope", "--completion", "x");
        Assert.NotEqual(0, code);
        Assert.Null(json);
    }
}
