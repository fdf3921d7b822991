using System.Runtime.InteropServices;

namespace Aha.Native;

/// <summary>
/// Keeps freed tensor memory inside the process (glibc's allocator) instead of handing it back to the OS after every
/// step. A training step frees and reallocates the same activations each time; with glibc's defaults, large blocks are
/// unmapped or trimmed and every page is faulted in again on the next step, which on a virtual machine is a
/// noticeable share of a small model's step (figures in docs/performance.md). PyTorch's CPU tuning guide solves the same problem by preloading jemalloc or tcmalloc;
/// this is the in-process equivalent: blocks up to 32 MiB (glibc's limit for this setting) come from the heap and
/// the heap is not trimmed below 2 GiB of free space at its top. The process keeps its peak footprint.
/// It covers the main thread fully (where `aha` trains); other threads allocate from glibc's per-thread arenas,
/// whose heaps are capped at 64 MiB, so a working set beyond that is still returned and refaulted there.
/// </summary>
internal static class FreedMemoryRetention
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
    const int MmapThreshold = 32 << 20, TrimThreshold = int.MaxValue;

    /// <summary>Applies the setting; false where the C library is not glibc (or refuses it).</summary>
    public static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6")]
    static extern int mallopt(int param, int value);
}
