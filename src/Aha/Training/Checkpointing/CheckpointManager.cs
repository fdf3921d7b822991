using System.Globalization;
using System.Text.RegularExpressions;

namespace Aha.Training.Checkpointing;

/// <summary>
/// Numbered checkpoints under <c>&lt;run&gt;/checkpoints/</c>. <see cref="Save"/> fills
/// <c>.tmp-step-000123-&lt;guid&gt;/</c>, renames it to <c>step-000123/</c> in one atomic step, then deletes all but
/// the newest <see cref="KeepLast"/>. A folder named <c>step-N</c> is therefore always complete: a crash or an
/// exception during the write (a full disk) removes its <c>.tmp-*</c> folder before the exception propagates, and a
/// crash leaves one that the next <see cref="Save"/> removes. Each checkpoint carries a <see cref="CheckpointManifest"/>,
/// so <see cref="NewestIntact"/> can pass over a damaged one.
/// </summary>
public sealed partial class CheckpointManager
{
    private const string TempPrefix = ".tmp-";

    /// <summary>Manages <c>&lt;runDir&gt;/checkpoints/</c>; nothing is created until the first <see cref="Save"/>.</summary>
    /// <param name="runDir">The run folder; checkpoints go to its <c>checkpoints/</c> subfolder.</param>
    /// <param name="keepLast">How many checkpoints to keep (≥ 1).</param>
    public CheckpointManager(string runDir, int keepLast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDir);
        if (keepLast < 1) throw new ArgumentException($"keepLast must be ≥ 1, got {keepLast}.", nameof(keepLast));
        Root = Path.Combine(Path.GetFullPath(runDir), Aha.Tracking.RunFiles.CheckpointsDir);
        KeepLast = keepLast;
    }

    /// <summary>The checkpoints folder.</summary>
    public string Root { get; }

    /// <summary>How many complete checkpoints are kept.</summary>
    public int KeepLast { get; }

    /// <summary>The folder name of a step: <c>step-000123</c> (six digits at least).</summary>
    public static string FolderName(int step) => $"step-{step.ToString("D6", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Writes checkpoint <paramref name="step"/>: <paramref name="writeInto"/> receives an empty temporary folder and
    /// fills it (model, optimizer, RNG, trainer state). Returns the final folder. If <paramref name="writeInto"/> throws,
    /// the exception propagates and earlier checkpoints are untouched. Saving a step that exists replaces it.
    /// </summary>
    public string Save(int step, Action<string> writeInto)
    {
        if (step < 0) throw new ArgumentException($"step must be ≥ 0, got {step}.", nameof(step));
        ArgumentNullException.ThrowIfNull(writeInto);
        Directory.CreateDirectory(Root);
        RemoveTemporaries();
        var final = Path.Combine(Root, FolderName(step));
        var temp = Path.Combine(Root, $"{TempPrefix}{FolderName(step)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            writeInto(temp);
            CheckpointManifest.Write(temp);
        }
        catch
        {
            // A failed write (e.g. no space left) must not leave a half-written folder behind.
            try { Directory.Delete(temp, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
        if (Directory.Exists(final))
        {
            // Replacing the same step (e.g. after a resume): move the old one aside first, so a crash between the two
            // renames leaves the new one complete under its temporary name and the old one as a temporary too.
            var old = Path.Combine(Root, $"{TempPrefix}old-{FolderName(step)}-{Guid.NewGuid():N}");
            Directory.Move(final, old);
            Directory.Move(temp, final);
            Directory.Delete(old, recursive: true);
        }
        else Directory.Move(temp, final);
        Prune();
        return final;
    }

    /// <summary>The steps that have a complete checkpoint, ascending.</summary>
    public IReadOnlyList<int> Steps()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root)
            .Select(d => StepFolder().Match(Path.GetFileName(d)))
            .Where(m => m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Order()
            .ToList();
    }

    /// <summary>The newest complete checkpoint folder, or null when there is none.</summary>
    public string? Latest() => Steps() is { Count: > 0 } steps ? PathOf(steps[^1]) : null;

    /// <summary>
    /// The newest checkpoint whose files match its <see cref="CheckpointManifest"/>, or null when there is no
    /// checkpoint. Each newer one passed over is reported through <paramref name="skipped"/> with the reason.
    /// </summary>
    /// <exception cref="InvalidDataException">There are checkpoints, but none is intact (lists each one's problem).</exception>
    public string? NewestIntact(Action<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        var problems = new List<string>();
        foreach (var step in Steps().Reverse())
        {
            var path = PathOf(step);
            if (CheckpointManifest.Problem(path) is not { } problem) return path;
            problems.Add(problem);
            skipped($"Skipping checkpoint {path}: {problem}");
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"No intact checkpoint in {Root}: {string.Join("; ", problems)}.");
        return null;
    }

    /// <summary>
    /// The run folder of a <c>--resume</c> argument: <paramref name="path"/> itself, or, when it is a checkpoint
    /// folder (<c>&lt;run&gt;/checkpoints/step-N</c>), the run that holds it.
    /// </summary>
    public static string RunFolderOf(string path) => CheckpointStep(path) is null
        ? path
        : Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar)))!;

    /// <summary>The step of a checkpoint folder path (<c>…/checkpoints/step-N</c>), or null for any other path.</summary>
    public static int? CheckpointStep(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        var m = StepFolder().Match(Path.GetFileName(full));
        return m.Success && Path.GetFileName(Path.GetDirectoryName(full)) == Aha.Tracking.RunFiles.CheckpointsDir
               && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int step)
            ? step
            : null;
    }

    /// <summary>The folder of checkpoint <paramref name="step"/>, or null when it does not exist.</summary>
    public string? Find(int step) => Directory.Exists(PathOf(step)) ? PathOf(step) : null;

    private string PathOf(int step) => Path.Combine(Root, FolderName(step));

    private void Prune()
    {
        var steps = Steps();
        foreach (var step in steps.Take(Math.Max(0, steps.Count - KeepLast)))
            Directory.Delete(PathOf(step), recursive: true);
    }

    private void RemoveTemporaries()
    {
        foreach (var dir in Directory.EnumerateDirectories(Root, TempPrefix + "*"))
            Directory.Delete(dir, recursive: true);
    }

    [GeneratedRegex(@"^step-(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex StepFolder();
}
