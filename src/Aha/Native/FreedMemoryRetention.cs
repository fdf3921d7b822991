using System.Runtime.InteropServices;

namespace Aha.Native;

/// <summary>
/// Keeps freed tensor memory inside the process (glibc's allocator) instead of handing it back to the OS after every
/// step. A training step frees and reallocates the same activations each time; with glibc's defaults, large blocks are
/// unmapped or trimmed and every page is faulted in again on the next step, which on a virtual machine is a
/// noticeable share of a step (figures in docs/performance.md). PyTorch's CPU tuning guide solves the same problem by preloading jemalloc or tcmalloc;
/// this is the in-process equivalent: no block is served by mmap — glibc could not keep one beyond 32 MiB, the cap of
/// its mmap threshold, and a Qwen2.5-0.5B-shaped layer's activations are 80 MB each — so every block comes from the
/// heap, and the heap is not trimmed below 2 GiB of free space at its top. The process keeps its peak footprint.
/// The main thread's heap (where `aha` trains) grows without limit; on other threads glibc still maps a block larger
/// than their arenas' 64 MiB heaps.
/// </summary>
internal static class FreedMemoryRetention
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;
    const int TrimThreshold = int.MaxValue;

    /// <summary>Applies the setting; false where the C library is not glibc (or refuses it).</summary>
    public static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6")]
    static extern int mallopt(int param, int value);
}
