using Aha.Algorithms;

namespace Aha.Tests.Algorithms;

public sealed class ScalarsTests
{
    [Fact]
    public void EachRead_HoldsItsOwnTensorsValue_AfterOneRead()
    {
        var reads = new Scalars();
        var mean = reads.Add(T.Vec(1, 2, 6).mean());     // 3
        var sum = reads.Add(T.Vec(1, 2, 6).sum());       // 9
        var max = reads.Add(T.Vec(1, 2, 6).max());       // 6
        Assert.Throws<InvalidOperationException>(() => mean.Value);
        reads.Read();
        Assert.Equal((3.0, 9.0, 6.0), (mean.Value, sum.Value, max.Value));
        Assert.Throws<InvalidOperationException>(() => reads.Add(T.Vec(1)));
    }

    [Fact]
    public void Add_RefusesATensorOfMoreThanOneElement()
    {
        Assert.Throws<ArgumentException>(() => new Scalars().Add(T.Vec(1, 2)));
    }
}
