using System.CommandLine;
using Aha.Configuration;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha config keys &lt;command&gt;</c>: every key the command's config binds (what <c>--set</c> and a <c>--config</c>
/// file accept), its default for that command and its doc, read from the config records themselves
/// (<see cref="ConfigKeys"/>), then the TRL key names the command also accepts.
/// </summary>
internal static class ConfigCommand
{
    /// <summary>The default config of each command that takes <c>--config</c>/<c>--set</c>, as the command builds it.</summary>
    internal static IReadOnlyDictionary<string, Func<object>> Defaults { get; } = new Dictionary<string, Func<object>>(StringComparer.Ordinal)
    {
        ["grpo"] = () => OnPolicyCommand.Defaults("grpo"),
        ["ppo"] = () => OnPolicyCommand.Defaults("ppo"),
        ["sft"] = () => new SftRunConfig(),
        ["rm"] = () => new RewardModelRunConfig(),
        ["dpo"] = () => new DpoRunConfig(),
        ["kto"] = () => new KtoRunConfig(),
        ["rejection-sample"] = () => new RejectionSamplingRunConfig(),
        ["eval"] = () => new EvalRunConfig(),
        ["recipe"] = () => new R1RecipeConfig(),
    };

    internal static Command Create()
    {
        var name = new Argument<string>("command") { Description = $"One of: {string.Join(", ", Defaults.Keys)}." };
        var keys = new Command("keys", "List every config key of a command with its default and what it does (the same keys --set and --config take).");
        keys.Arguments.Add(name);
        keys.SetAction(parse => CliRun.Run(parse, () =>
        {
            var command = parse.GetValue(name)!;
            if (!Defaults.TryGetValue(command, out var defaults))
                throw new ArgumentException($"config keys: unknown command '{command}'; expected one of {string.Join(", ", Defaults.Keys)}.");
            Write(parse.InvocationConfiguration.Output, command, defaults());
        }));
        var config = new Command("config", "Configuration help.");
        config.Subcommands.Add(keys);
        return config;
    }

    static void Write(TextWriter o, string command, object defaults)
    {
        var keys = ConfigKeys.Of(defaults);
        o.WriteLine($"aha {command}: config keys (--set KEY=VALUE, or the same nesting in a --config YAML file)");
        int keyWidth = keys.Max(k => k.Key.Length), defaultWidth = Math.Min(24, keys.Max(k => k.Default.Length));
        foreach (var k in keys)
            o.WriteLine($"  {k.Key.PadRight(keyWidth)}  {k.Default.PadRight(defaultWidth)}  {k.Doc}");
        if (defaults is IConfigAliases aliases)
        {
            var list = aliases.ConfigAliases();
            var mapped = list.Where(a => a.Target is { Length: > 0 }).Select(a => $"{a.Key} → {a.Target}").ToList();
            if (mapped.Count > 0) o.WriteLine($"TRL names also accepted (top level): {string.Join(", ", mapped)}");
            var unsupported = list.Where(a => a.Target is null || a.IsFixed).Select(a => a.Key).ToList();
            if (unsupported.Count > 0) o.WriteLine($"TRL names recognised without an equivalent here (an error naming why): {string.Join(", ", unsupported)}");
        }
    }
}
