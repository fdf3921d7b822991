using System.CommandLine;
using Aha.Configuration;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary>
/// The options every training command shares (<c>--config</c>, <c>--set</c>, <c>--out</c>, <c>--name</c>,
/// <c>--resume</c>, <c>--threads</c>, <c>--device</c>), config loading with the precedence defaults (preset) → file →
/// <c>--set</c>. Errors go through <see cref="CliRun"/>; because everything is checked and built before the run folder
/// is created, a bad config, a missing file or a bad value leaves no run folder.
/// </summary>
internal sealed class TrainingCli
{
    public Option<string?> Config { get; } = new("--config") { Description = "YAML run config; `aha config keys <command>` lists every key with its default." };
    public Option<string[]> Set { get; } = new("--set") { Description = "Override a config key: --set trainer.learning_rate=1e-4 (repeatable); `aha config keys <command>` lists them." };
    public Option<string> Out { get; } = new("--out") { Description = "Parent folder of run folders.", DefaultValueFactory = _ => "runs" };
    public Option<string?> Name { get; } = new("--name") { Description = "Run folder name (default <command>-<UTC time>)." };
    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "Continue a run from its newest checkpoint: RUN_DIR, or with no value the newest run of this command in --out (or --out/--name).",
        Arity = ArgumentArity.ZeroOrOne,
    };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Intra-op threads (same as --set threads=N)." };
    public Option<string?> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N (same as --set device=...)." };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Config, Set, Out, Name, Resume, Threads, Device }) command.Options.Add(o);
    }

    /// <summary>--set items, then --threads/--device as overrides of their keys.</summary>
    public List<string> Overrides(ParseResult parse, bool runtimeKeys = true)
    {
        var list = new List<string>(parse.GetValue(Set) ?? []);
        if (runtimeKeys && parse.GetValue(Threads) is int t) list.Add($"threads={t}");
        if (runtimeKeys && parse.GetValue(Device) is string d) list.Add($"device={d}");
        return list;
    }

    /// <summary>The run folder to resume, or null for a fresh run.</summary>
    public string? ResumeDir(ParseResult parse, string prefix)
    {
        if (parse.GetResult(Resume) is null) return null;
        if (parse.GetValue(Resume) is { Length: > 0 } dir) return dir;
        var root = parse.GetValue(Out)!;
        if (parse.GetValue(Name) is string name) return Path.Combine(root, name);
        var newest = Directory.Exists(root)
            ? Directory.EnumerateDirectories(root, prefix + "-*").Where(d => File.Exists(Path.Combine(d, RunFiles.ResolvedConfig))).Max(StringComparer.Ordinal)
            : null;
        return newest ?? throw new DirectoryNotFoundException($"--resume: no '{prefix}-*' run folder in '{root}'; give the run folder.");
    }

    /// <summary>
    /// The config: <paramref name="defaults"/> ← --config file ← --set; when resuming, the run's resolved_config.yaml
    /// takes the file's place (so the run continues with the same settings; --set may still change e.g. steps).
    /// </summary>
    public T Load<T>(ParseResult parse, T defaults, string? resume, IEnumerable<string>? extra = null) where T : class
    {
        var file = parse.GetValue(Config);
        if (resume is not null)
        {
            if (file is not null) throw new ArgumentException("--resume continues with the run's resolved_config.yaml; drop --config (use --set to change a key).");
            file = RunDirectory.Open(resume).ResolvedConfig;
        }
        return ConfigLoader.Apply(defaults, file, (extra ?? []).Concat(Overrides(parse)));
    }

    public RunOptions RunOptions(ParseResult parse, string? resume, CancellationToken cancel)
    {
        var output = parse.InvocationConfiguration.Output;
        bool console = ReferenceEquals(output, Console.Out);
        return new RunOptions
        {
            Root = parse.GetValue(Out)!, Name = parse.GetValue(Name), Resume = resume,
            Console = console ? null : output, Interactive = console ? null : false, Cancellation = cancel,
        };
    }

    public static void Report(ParseResult parse, RunResult r)
    {
        var o = parse.InvocationConfiguration.Output;
        o.WriteLine(r.Completed
            ? $"Run finished: {r.Steps} step(s) → {r.RunDir} (model: {r.Output})"
            : $"Run stopped at step {r.Steps}; checkpoint saved. Continue with --resume {r.RunDir}");
    }
}
