using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Native;

/// <summary>Process-wide settings for the tensor runtime.</summary>
public sealed record RuntimeOptions
{
    /// <summary>Intra-op threads. The default is the number of logical processors (physical cores where they differ is better; override it).</summary>
    public int? Threads { get; init; }

    /// <summary>Global seed for torch's default generator. The default value is 0.</summary>
    public long Seed { get; init; }

    /// <summary>"cpu" or "cuda" (or "cuda:N"). The default value is "cpu".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Keep freed tensor memory in the process rather than returning it to the OS after each step (glibc only; see
    /// <see cref="FreedMemoryRetention"/>). The default value is true. It is process-wide and stays once applied.
    /// </summary>
    public bool RetainFreedMemory { get; init; } = true;

    /// <summary>
    /// Run RMSNorm, SwiGLU and causal attention on the fused native kernels in float32 on the CPU (<see cref="FusedRmsNorm"/>,
    /// <see cref="FusedSwiGlu"/>, <see cref="FusedAttention"/>): a few % off a Small4M training step, more on a busy host (README). Null leaves the process's setting, whose
    /// default is <c>AHA_FUSED_KERNELS=1</c> or off. Off by default because they round differently from libtorch's ops,
    /// which moves every seeded run's trajectory.
    /// </summary>
    public bool? FusedKernels { get; init; }
}

/// <summary>
/// The one place the runtime is initialised: threads, seed, device and the allocator setting. Call once at start;
/// later calls with the same thread count are no-ops for the thread setting (torch forbids changing it twice).
/// </summary>
public static class AhaRuntime
{
    static readonly object Gate = new();
    static int? _threads;
    static bool _retainsFreedMemory;

    /// <summary>Whether <see cref="RuntimeOptions.RetainFreedMemory"/> is in effect in this process.</summary>
    public static bool RetainsFreedMemory { get { lock (Gate) return _retainsFreedMemory; } }

    public static Device Initialize(RuntimeOptions? options = null)
    {
        options ??= new RuntimeOptions();
        lock (Gate)
        {
            int threads = options.Threads ?? Environment.ProcessorCount;
            if (threads < 1) throw new ArgumentException($"threads must be ≥ 1 (got {threads})", nameof(options));
            if (_threads != threads)
            {
                torch.set_num_threads(threads);
                _threads = threads;
            }
            if (options.RetainFreedMemory && !_retainsFreedMemory) _retainsFreedMemory = FreedMemoryRetention.Apply();
            if (options.FusedKernels is bool fused) NativeKernels.FusedEnabled = fused;
            torch.manual_seed(options.Seed);
            return ParseDevice(options.Device);
        }
    }

    /// <summary>Parses "cpu", "cuda" or "cuda:N", failing clearly when CUDA is asked for but absent.</summary>
    public static Device ParseDevice(string device)
    {
        var d = device.Trim().ToLowerInvariant();
        if (d == "cpu") return CPU;
        if (d.StartsWith("cuda"))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"Device '{device}' was requested but CUDA is not available in this build (the TorchSharp-cuda-linux package is needed).", nameof(device));
            return torch.device(d);
        }
        throw new ArgumentException($"Unknown device '{device}'. Expected 'cpu', 'cuda' or 'cuda:N'.", nameof(device));
    }
}
