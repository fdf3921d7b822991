using Aha.IO;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aha.Training.Checkpointing;

/// <summary>
/// <c>checkpoint.json</c>: every file of a checkpoint folder with its size and SHA-256, written last, just before the
/// folder is renamed into place. A resume checks the newest checkpoint against it before loading anything, so a
/// truncated or damaged file (a disk that filled, a copy cut short, a flipped byte) is found with its name and the
/// run falls back to an older checkpoint, instead of failing half-way through a load with a message naming no file.
/// </summary>
public static class CheckpointManifest
{
    /// <summary>The manifest's file name inside a checkpoint folder.</summary>
    public const string FileName = "checkpoint.json";

    /// <summary>Writes the manifest of every file under <paramref name="dir"/> (sub-folders included).</summary>
    public static void Write(string dir)
    {
        var files = new JsonObject();
        foreach (var (relative, path) in Files(dir))
            files[relative] = new JsonObject { ["bytes"] = new FileInfo(path).Length, ["sha256"] = Sha256(path) };
        AtomicFile.WriteText(Path.Combine(dir, FileName), new JsonObject { ["files"] = files }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Null when every file listed in the manifest is present with its size and hash, or when the folder has no
    /// manifest (written before manifests existed: nothing to check against); otherwise what is wrong, naming the file.
    /// </summary>
    public static string? Problem(string dir)
    {
        var manifest = Path.Combine(dir, FileName);
        if (!File.Exists(manifest)) return null;
        JsonObject files;
        try
        {
            files = JsonNode.Parse(File.ReadAllText(manifest))?["files"] as JsonObject
                ?? throw new InvalidDataException("no 'files' object");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException)
        {
            return $"{manifest} is damaged ({e.Message})";
        }
        foreach (var (relative, entry) in files)
        {
            var path = Path.Combine(dir, relative);
            if (!File.Exists(path)) return $"{path} is missing";
            long expected = entry?["bytes"]?.GetValue<long>() ?? -1;
            long actual = new FileInfo(path).Length;
            if (actual != expected)
                return $"{path} has {actual.ToString(CultureInfo.InvariantCulture)} bytes; {FileName} says {expected.ToString(CultureInfo.InvariantCulture)} (truncated or overwritten)";
            if (entry?["sha256"]?.GetValue<string>() != Sha256(path))
                return $"{path} does not match its SHA-256 in {FileName} (damaged)";
        }
        return null;
    }

    private static IEnumerable<(string Relative, string Path)> Files(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(p => (Path.GetRelativePath(dir, p).Replace('\\', '/'), p))
            .Where(f => f.Item1 != FileName)
            .OrderBy(f => f.Item1, StringComparer.Ordinal);

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
