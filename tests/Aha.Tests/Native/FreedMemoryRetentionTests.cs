using System.Diagnostics;
using System.Text.Json;
using Aha.Native;

namespace Aha.Tests.Native;

public sealed class FreedMemoryRetentionTests
{
    [Fact]
    public void Initialize_RetainsFreedMemory_OnLinux()
    {
        AhaRuntime.Initialize();
        Assert.Equal(OperatingSystem.IsLinux(), AhaRuntime.RetainsFreedMemory);
    }

    /// <summary>
    /// The training benchmark in its own process (so the step runs on the main thread and in glibc's main arena, as in
    /// `aha` runs, and the allocator state is fresh), at batch 8 after 40 burn-in steps, when the retained heap has
    /// stopped growing: a typical step then faults almost nothing (median 0–1 per step in ten runs). The median, not the
    /// mean: in 2 of those 10 runs one of the ten timed steps faulted 1 500–2 000 pages (a mean of 154 and 206) — the
    /// same one-off appears with glibc's defaults, so it is not the heap this switch governs — and a mean-based form of
    /// this test failed a full-suite run on it. At batch 32 and 16 burn-in steps the heap still grew in spurts of
    /// 1 000–7 000 faults. The test does not compare with glibc's defaults, whose faults in the same window are erratic
    /// — medians of 0 to 768 per step at batch 8 in five runs, 0.7 to 3 000 at batches 16–32 (they adapt their
    /// thresholds, sometimes well, sometimes not) — so no bound on them holds; what retention guarantees is the quiet
    /// steady state, and that the benchmark's switch reaches the runtime.
    /// </summary>
    [Fact]
    public void TrainingSteps_AfterTheBurnIn_FaultAlmostNoMemoryIn()
    {
        if (!OperatingSystem.IsLinux()) return; // page faults are read from /proc
        var result = RunBench("--batch", "8", "--warmup", "40", "--steps", "10");
        Assert.True(result.GetProperty("retains_freed_memory").GetBoolean());
        double median = result.GetProperty("median_page_faults_per_step").GetDouble();
        double mean = result.GetProperty("page_faults_per_step").GetDouble();
        Assert.True(median < 20, $"retained: a median of {median:F1} faults per step after the burn-in (mean {mean:F1}; expected about 1)");
    }

    [Fact]
    public void ReleaseFreedMemory_TurnsTheRetentionOff()
    {
        var result = RunBench("--batch", "1", "--seq-len", "8", "--warmup", "0", "--steps", "1", "--release-freed-memory");
        Assert.False(result.GetProperty("retains_freed_memory").GetBoolean());
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
}
