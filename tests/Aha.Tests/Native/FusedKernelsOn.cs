using Aha.Native;

namespace Aha.Tests.Native;

/// <summary>
/// A test class whose tests run with the fused kernels on (off by default, <c>AHA_FUSED_KERNELS</c>): each test turns
/// them on and puts the process's setting back.
/// </summary>
public abstract class FusedKernelsOn : IDisposable
{
    readonly bool _before = NativeKernels.FusedEnabled;

    protected FusedKernelsOn() => NativeKernels.FusedEnabled = true;

    public void Dispose() => NativeKernels.FusedEnabled = _before;
}
