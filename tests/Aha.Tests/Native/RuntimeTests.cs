using Aha.Native;
using TorchSharp;

namespace Aha.Tests.Native;

public sealed class RuntimeTests
{
    [Fact]
    public void TorchSharp_LoadsAndComputes()
    {
        AhaRuntime.Initialize(new RuntimeOptions { Threads = 2 });
        using var x = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        // 0+1+2+3+4+5 = 15
        Assert.Equal(15f, x.sum().item<float>());
    }

    [Fact]
    public void UnknownDevice_IsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => AhaRuntime.ParseDevice("tpu"));
        Assert.Contains("'tpu'", e.Message);
    }
}
