using Aha.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Training.Checkpointing;

/// <summary>
/// Saving and restoring the non-model state a resume needs to continue bit-for-bit: the optimizer (AdamW moments and
/// step counts, per parameter group) and torch random generators. Files go into a checkpoint folder.
/// </summary>
public static class TrainingStateFiles
{
    /// <summary>File name of the optimizer state inside a checkpoint folder.</summary>
    public const string OptimizerFile = "optimizer.bin";

    /// <summary>
    /// Saves the optimizer with TorchSharp's own format (<c>save_state_dict</c>): the optimizer type name, then each
    /// parameter group's options (lr, betas, eps, weight decay…) and each parameter's state (AdamW: step, exp_avg,
    /// exp_avg_sq) in group and parameter order. Not PyTorch's pickle format.
    /// </summary>
    public static void SaveOptimizer(OptimizerHelper optimizer, string path)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        // save_state_dict writes by path, so write a sibling temp file and rename it into place.
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            optimizer.save_state_dict(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Restores state saved by <see cref="SaveOptimizer"/> into an optimizer built the same way (same type, same
    /// parameter groups holding parameters of the same shapes in the same order, e.g. by
    /// <see cref="OptimizerFactory.AdamW"/> on the same model). The learning rates come back as saved; a trainer that
    /// sets the LR from a schedule each step overrides them anyway.
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds another optimizer type, group count or parameter count (names the file).</exception>
    public static void LoadOptimizer(OptimizerHelper optimizer, string path)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!File.Exists(path)) throw new FileNotFoundException($"Optimizer state '{path}' not found.", path);
        try
        {
            optimizer.load_state_dict(path);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: optimizer state does not fit this optimizer: {e.Message}", e);
        }
    }

    /// <summary>Saves a generator's state (its ByteTensor) as raw bytes.</summary>
    public static void SaveGenerator(Generator generator, string path)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var state = generator.get_state();
        AtomicFile.Write(path, s => s.Write(state.data<byte>().ToArray()));
    }

    /// <summary>Restores a generator's state saved by <see cref="SaveGenerator"/>.</summary>
    public static void LoadGenerator(Generator generator, string path)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var bytes = File.ReadAllBytes(path);
        using var state = torch.tensor(bytes, dtype: ScalarType.Byte);
        generator.set_state(state);
    }

    /// <summary>Saves torch's global CPU generator (the one used when no generator is passed).</summary>
    public static void SaveGlobalGenerator(string path) => SaveGenerator(torch.Generator.Default, path);

    /// <summary>Restores torch's global CPU generator.</summary>
    public static void LoadGlobalGenerator(string path) => LoadGenerator(torch.Generator.Default, path);
}
