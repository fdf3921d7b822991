using Aha.Configuration;
using Aha.Tracking;

namespace Aha.Training.Runs;

/// <summary>
/// A run folder: <c>resolved_config.yaml</c>, <c>metrics.jsonl</c>/<c>.csv</c>, <c>completions.jsonl</c>,
/// <c>log.txt</c>, <c>plots/</c>, <c>checkpoints/</c>. <see cref="Create(string, string, object, ConfigValueParsers?)"/> checks everything it can first and builds
/// the folder under a temporary name, renaming it into place last, so a bad configuration or a failed write never
/// leaves a half-created run folder behind.
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(string path) => Path = path;

    /// <summary>The run folder's full path.</summary>
    public string Path { get; }

    /// <summary><c>resolved_config.yaml</c>.</summary>
    public string ResolvedConfig => File(RunFiles.ResolvedConfig);

    /// <summary><c>checkpoints/</c>.</summary>
    public string CheckpointsDir => File(RunFiles.CheckpointsDir);

    /// <summary><c>plots/</c>.</summary>
    public string PlotsDir => File(RunFiles.PlotsDir);

    /// <summary>A path inside the run folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Creates <c>&lt;root&gt;/&lt;name&gt;</c> holding <c>resolved_config.yaml</c>. Before touching the disk it
    /// checks the name, that the folder does not exist yet, that the config validates
    /// (<see cref="IValidatableConfig"/>, all sections) and that it serialises.
    /// </summary>
    /// <param name="root">Parent folder (created if missing), e.g. <c>runs</c>.</param>
    /// <param name="name">Folder name; one path segment (see <see cref="DefaultName"/>).</param>
    /// <param name="config">The resolved configuration to record.</param>
    /// <param name="parsers">Scalar formats for the YAML; <see cref="ConfigValueParsers.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The name is empty, has path separators or invalid characters, or is <c>.</c>/<c>..</c>.</exception>
    /// <exception cref="IOException">The run folder already exists (resume it with <see cref="Open"/> instead).</exception>
    /// <exception cref="ConfigException">The configuration fails validation.</exception>
    public static RunDirectory Create(string root, string name, object config, ConfigValueParsers? parsers = null)
        => Create(root, name, config, parsers, validated: false);

    /// <summary>As <see cref="Create(string, string, object, ConfigValueParsers?)"/>; a config that the caller has
    /// <paramref name="validated"/> already (the CLI's loader does) is not validated a second time.</summary>
    internal static RunDirectory Create(string root, string name, object config, ConfigValueParsers? parsers, bool validated)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0
            || name.Contains('/') || name.Contains('\\') || name.StartsWith(".tmp-", StringComparison.Ordinal))
            throw new ArgumentException($"Run name '{name}' must be one folder name (no path separators, not '.', '..' or '.tmp-*').", nameof(name));
        var target = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, name));
        if (Directory.Exists(target) || System.IO.File.Exists(target))
            throw new IOException($"Run folder '{target}' already exists; choose another name or resume it.");

        if (!validated)
        {
            var errors = new List<ConfigError>();
            ConfigValidation.Run(config, "", new ConfigSources("(resolved config)"), new Dictionary<string, YamlDotNet.RepresentationModel.YamlNode>(), errors);
            if (errors.Count > 0) throw new ConfigException(errors);
        }
        var yaml = ConfigWriter.ToYaml(config, parsers, [$"Resolved configuration of run '{name}', {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z"]);

        Directory.CreateDirectory(root);
        var temp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(target)!, $".tmp-{name}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
            System.IO.File.WriteAllText(System.IO.Path.Combine(temp, RunFiles.ResolvedConfig), yaml);
            Directory.Move(temp, target);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
        return new RunDirectory(target);
    }

    /// <summary>An existing run folder (to resume); it must hold <c>resolved_config.yaml</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder, or it is not a run folder.</exception>
    public static RunDirectory Open(string path)
    {
        // --resume may name a checkpoint folder (<run>/checkpoints/step-N): the run is the folder that holds it.
        var full = System.IO.Path.GetFullPath(Aha.Training.Checkpointing.CheckpointManager.RunFolderOf(path));
        if (!System.IO.File.Exists(System.IO.Path.Combine(full, RunFiles.ResolvedConfig)))
            throw new DirectoryNotFoundException($"'{full}' is not a run folder (no {RunFiles.ResolvedConfig}).");
        return new RunDirectory(full);
    }

    /// <summary>A sortable default name: <c>&lt;prefix&gt;-yyyyMMdd-HHmmss</c> (UTC), e.g. <c>grpo-20250131-120000</c>.</summary>
    public static string DefaultName(string prefix, DateTimeOffset now)
        => $"{prefix}-{now.UtcDateTime:yyyyMMdd-HHmmss}";
}
