using Aha.Models;
using Aha.Models.Lora;

namespace Aha.Checkpoints;

/// <summary>
/// <c>aha model merge-lora</c>: base HF folder + PEFT adapter folder → a plain HF folder whose weights are W + s·B·A for
/// every adapted layer (PEFT's <c>merge_and_unload</c>), so it opens in transformers/vLLM without PEFT. The output is
/// written into a temporary sibling folder and renamed into place: a crash or a bad adapter leaves no partial folder.
/// </summary>
public static class LoraMerge
{
    /// <summary>Tokenizer and generation files copied from the base folder when present.</summary>
    static readonly string[] SideFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "vocab.json", "merges.txt", "tokenizer.model"];

    /// <summary>Merges <paramref name="adapterDir"/> into the model of <paramref name="baseDir"/> and writes it to <paramref name="outDir"/> (which must not exist).</summary>
    /// <returns>The number of merged layers.</returns>
    /// <exception cref="InvalidDataException">The adapter does not fit the base (names, shapes, config), naming the file and tensor or field.</exception>
    public static int Merge(string baseDir, string adapterDir, string outDir)
    {
        if (!Directory.Exists(adapterDir)) throw new DirectoryNotFoundException($"--adapter: folder not found: {adapterDir}");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new IOException($"--out: {outDir} exists and is not empty; choose a new folder (nothing was written).");
        var config = PeftAdapter.ReadConfig(adapterDir);
        using var model = HfCheckpoint.LoadCausalLM(baseDir);
        var lora = LoraAdapters.Attach(model, config);
        PeftAdapter.Load(model, adapterDir);
        int merged = lora.Adapters.Count;
        lora.MergeAndUnload();

        var full = Path.GetFullPath(outDir).TrimEnd(Path.DirectorySeparatorChar);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".tmp-{Path.GetFileName(full)}-{Guid.NewGuid():N}");
        try
        {
            HfCheckpoint.Save(model, model.Config, temp);
            foreach (var name in SideFiles)
            {
                var from = Path.Combine(baseDir, name);
                if (File.Exists(from)) File.Copy(from, Path.Combine(temp, name));
            }
            if (Directory.Exists(full)) Directory.Delete(full); // empty, checked above
            Directory.Move(temp, full);
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw;
        }
        return merged;
    }
}
