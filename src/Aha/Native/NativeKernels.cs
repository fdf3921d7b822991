using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Aha.Native;

/// <summary>
/// This project's native kernel library, <c>libaha_kernels.so</c>, built from <c>Native/Kernels/*.c</c> by the system C
/// compiler (see Aha.csproj). Absent where it was not built (no C compiler at build time, not Linux x64) or with
/// <c>AHA_NATIVE_KERNELS=0</c>; every user then declines and libtorch computes instead.
/// </summary>
internal static unsafe class NativeKernels
{
    static readonly IntPtr Library;
    static readonly delegate* unmanaged<IntPtr, void*> DataPointer;

    static NativeKernels()
    {
        if (Environment.GetEnvironmentVariable("AHA_NATIVE_KERNELS") == "0") return;
        // TorchSharp's native library first (THSTensor_data(t) is t->data_ptr()): it brings libtorch's libgomp into the
        // process, which the kernel library's libgomp.so.1 dependency then binds to instead of loading a second one.
        _ = torch.get_num_threads();
        if (!NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out var torchSharp)
            || !NativeLibrary.TryGetExport(torchSharp, "THSTensor_data", out var data)
            || !NativeLibrary.TryLoad("aha_kernels", typeof(NativeKernels).Assembly, null, out var kernels)) return;
        DataPointer = (delegate* unmanaged<IntPtr, void*>)data;
        Library = kernels;
    }

    /// <summary>
    /// Whether the fused RMSNorm, SwiGLU and attention kernels (<see cref="FusedRmsNorm"/>, <see cref="FusedSwiGlu"/>,
    /// <see cref="FusedAttention"/>) start enabled:
    /// <c>AHA_FUSED_KERNELS=1</c> or <see cref="RuntimeOptions.FusedKernels"/>. Off by default, as TRL's
    /// <c>use_liger_kernel</c>: they change float rounding, and with it every seeded run's trajectory.
    /// </summary>
    public static bool FusedByDefault => Environment.GetEnvironmentVariable("AHA_FUSED_KERNELS") == "1";

    /// <summary>
    /// Whether RMSNorm, SwiGLU and attention use the fused kernels where they apply (all or none: tests and benchmarks compare
    /// the two ways). The default value is <see cref="FusedByDefault"/>.
    /// </summary>
    public static bool FusedEnabled { get; set; } = FusedByDefault;

    /// <summary>The address of exported function <paramref name="name"/>, or zero where the library or the function is missing.</summary>
    public static IntPtr Export(string name)
        => Library != IntPtr.Zero && NativeLibrary.TryGetExport(Library, name, out var f) ? f : IntPtr.Zero;

    /// <summary>The address of <paramref name="t"/>'s first element (the caller keeps <paramref name="t"/> alive while it is used).</summary>
    public static void* Data(Tensor t) => DataPointer(t.Handle);

    /// <summary><see cref="Data"/> as float32.</summary>
    public static float* Floats(Tensor t) => (float*)DataPointer(t.Handle);
}
