using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Aha.Native;

namespace Aha.Tests.Native;

/// <summary>
/// Freed-memory retention is a setting of glibc's allocator, so these tests check that the setting is in force and that
/// the benchmark's switch reaches it — the mechanism, which every CPU shares. How many page faults a step then costs
/// depends on the machine (CPU vendor, kernel, MKL's code path) and is reported by <c>aha bench train</c>, never asserted.
/// </summary>
public sealed class FreedMemoryRetentionTests
{
    [Fact]
    public void Initialize_RetainsFreedMemory_OnLinux()
    {
        AhaRuntime.Initialize();
        Assert.Equal(OperatingSystem.IsLinux(), AhaRuntime.RetainsFreedMemory);
    }

    /// <summary>
    /// With the setting in force, an 8 MiB block and a 48 MiB one come from the heap, not from a fresh mmap: glibc's
    /// default threshold (128 KiB, rising only as mmapped blocks are freed, to at most 32 MiB) would map them, and unmap
    /// them again on free — the page faults retention exists to avoid. (The test runs on a worker thread, whose arena
    /// heaps hold at most 64 MiB; glibc maps a larger block there whatever the setting. On the main thread, where `aha`
    /// trains, nothing is mapped.) mallinfo2's hblkhd counts the bytes in mmapped blocks, process-wide; another thread
    /// could map a block between the two reads, so one clean reading in three tries is asked for.
    /// </summary>
    [Theory]
    [InlineData(8 << 20)]
    [InlineData(48 << 20)] // beyond the 32 MiB that glibc's mmap threshold can be raised to
    public void Blocks_ComeFromTheHeap_NotFromMmap(int size)
    {
        if (!OperatingSystem.IsLinux()) return; // glibc only
        AhaRuntime.Initialize();
        Assert.True(AhaRuntime.RetainsFreedMemory);
        var growth = new List<long>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = (long)mallinfo2().hblkhd;
            IntPtr block = Marshal.AllocHGlobal(size); // malloc on Unix
            long during = (long)mallinfo2().hblkhd;
            Marshal.FreeHGlobal(block);
            growth.Add(during - before);
            if (growth[^1] < size) break;
        }
        Assert.True(growth[^1] < size, $"an {size}-byte block was mmapped on each of {growth.Count} tries (hblkhd grew by {string.Join(", ", growth)})");
    }

    [Fact]
    public void ReleaseFreedMemory_TurnsTheRetentionOff()
    {
        var result = RunBench("--batch", "1", "--seq-len", "8", "--warmup", "0", "--steps", "1", "--release-freed-memory");
        Assert.False(result.GetProperty("retains_freed_memory").GetBoolean());
    }

    [Fact]
    public void BenchTrain_ReportsRetentionOnByDefault()
    {
        var result = RunBench("--batch", "1", "--seq-len", "8", "--warmup", "0", "--steps", "1");
        Assert.True(result.GetProperty("retains_freed_memory").GetBoolean());
    }

    static JsonElement RunBench(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Aha.Cli"), ["bench", "train", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"aha bench train {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    /// <summary>glibc's struct mallinfo2: ten size_t fields.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc.so.6")]
    static extern MallInfo2 mallinfo2();
}
