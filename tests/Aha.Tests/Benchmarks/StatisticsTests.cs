using Aha.Benchmarks;

namespace Aha.Tests.Benchmarks;

public sealed class StatisticsTests
{
    [Fact]
    public void Median_IsTheMiddleValue_OrTheMeanOfTheTwoMiddleOnes()
    {
        Assert.Equal(2.0, Statistics.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, Statistics.Median([4.0, 1.0, 3.0, 2.0]));
        Assert.Equal(7.0, Statistics.Median([7.0]));
    }
}
