using Aha.Configuration;
using Aha.Environments;
using Aha.Generation;
using Aha.Models;
using TorchSharp;

namespace Aha.Tests.Generation;

public sealed class SamplingParamsTests
{
    [Fact]
    public void Validate_ListsEveryProblem_AsKeyMessageValue()
    {
        var e = Assert.Throws<ConfigException>(() => new SamplingParams { MaxNewTokens = 0, Temperature = -1, TopP = 0, TopK = -2 }.Validate());
        Assert.Equal(["max_new_tokens", "temperature", "top_p", "top_k"], e.Errors.Select(x => x.KeyPath).ToArray());
        Assert.Equal(new object[] { 0, -1.0, 0.0, -2 }, e.Errors.Select(x => x.Value).ToArray());
        Assert.All(e.Errors, x => Assert.Equal(nameof(SamplingParams), x.Source));
        Assert.Contains("must be ≥ 1 (got 0)", e.Errors[0].Message);
        var ok = new SamplingParams { Temperature = 0 };
        Assert.Same(ok, ok.Validate());
    }

    [Fact]
    public void Validate_NaNTemperature_IsAProblem()
    {
        var e = Assert.Throws<ConfigException>(() => new SamplingParams { Temperature = double.NaN }.Validate());
        Assert.Equal("temperature", Assert.Single(e.Errors).KeyPath);
    }

    [Fact]
    public void MultiTurnOptions_Validate_ListsEveryProblem()
    {
        var e = Assert.Throws<ConfigException>(() => new MultiTurnOptions { MaxTurns = 0, MaxTotalTokens = 1 }.Validate());
        Assert.Equal(["max_turns", "max_total_tokens"], e.Errors.Select(x => x.KeyPath).ToArray());
        Assert.Equal(new object[] { 0, 1 }, e.Errors.Select(x => x.Value).ToArray());
        Assert.Empty(new MultiTurnOptions().Problems());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Gather_RefusesATemperatureThatIsNotPositive(double temperature)
    {
        using var logits = torch.zeros(1, 2, 3);
        using var targets = torch.zeros(1, 2, dtype: torch.int64);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TokenLogProbs.Gather(logits, targets, temperature));
        Assert.Equal("temperature", e.ParamName);
    }

    [Fact]
    public void Gather_ScalesByTemperature()
    {
        // logits [0, ln 2] at T = 0.5 → [0, 2 ln 2] → p(1) = 4 / (1 + 4)
        using var logits = torch.tensor(new[] { 0.0, Math.Log(2) }, dtype: torch.float64).reshape(1, 1, 2);
        using var targets = torch.ones(1, 1, dtype: torch.int64);
        using var lp = TokenLogProbs.Gather(logits, targets, 0.5);
        Assert.Equal(Math.Log(0.8), lp.item<double>(), 12);
    }
}
