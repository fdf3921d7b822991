using Aha.Rewards;

namespace Aha.Tests.Rewards;

public sealed class BigRationalTests
{
    [Fact]
    public void Arithmetic_IsExactAndReduced()
    {
        // 0.1 + 0.2 = 1/10 + 2/10 = 3/10 exactly.
        Assert.True(BigRational.TryParseDecimal("0.1", out var a));
        Assert.True(BigRational.TryParseDecimal("0.2", out var b));
        Assert.Equal(new BigRational(3, 10), a + b);
        Assert.Equal("-3/4", new BigRational(6, -8).ToString());
        Assert.Throws<DivideByZeroException>(() => a / BigRational.Zero);
    }

    [Theory]
    [InlineData("1e400000")]   // exponent beyond the digit cap
    [InlineData("١٢")]         // arabic-indic digits
    [InlineData("1,000")]
    [InlineData(".")]
    [InlineData("")]
    public void TryParseDecimal_RejectsWhatItShould(string s) => Assert.False(BigRational.TryParseDecimal(s, out _));
}
