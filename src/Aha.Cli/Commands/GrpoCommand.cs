using System.CommandLine;
using Aha.Algorithms;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha grpo [--preset grpo|dapo|dr_grpo|rloo|reinforce_pp|ppo] [--config FILE] [--set k=v]…</c>: on-policy RL. With no
/// config file it trains the built-in tiny model on the arithmetic task for a few steps.
/// </summary>
internal static class GrpoCommand
{
    internal static Command Create() => OnPolicyCommand.Create("grpo",
        "On-policy RL, GRPO family (grpo, dapo, dr_grpo, rloo, reinforce_pp presets). No config: a tiny model on the arithmetic task.", "grpo");
}

/// <summary><c>aha ppo</c>: the on-policy trainer with the <c>ppo</c> preset (critic, GAE, KL in the reward).</summary>
internal static class PpoCommand
{
    internal static Command Create() => OnPolicyCommand.Create("ppo",
        "PPO with a critic (GAE) and KL in the reward; reward_model: DIR uses a trained reward model. No config: a tiny demo.", "ppo");
}

internal static class OnPolicyCommand
{
    internal static Command Create(string name, string description, string defaultPreset)
    {
        var cli = new TrainingCli();
        var preset = new Option<string?>("--preset")
        {
            Description = "Algorithm preset, the same as --set trainer.preset=NAME: it wins over the config file's trainer.preset " +
                          "(command line over file, as every --set). Without it and without a file's choice: " + defaultPreset + ". Presets:" +
                          string.Concat(Presets.Names.Select(Presets.Get).Select(p => $"\n  {p.Name}: {p.Formula} ({p.Source})")),
        };
        var command = new Command(name, description);
        cli.AddTo(command);
        command.Options.Add(preset);
        command.SetAction(parse => CliRun.Run(parse, cancel =>
        {
            var resume = cli.ResumeDir(parse, name);
            var defaults = resume is null ? Defaults(defaultPreset) : new OnPolicyRunConfig();
            var config = cli.Load(parse, defaults, resume, parse.GetValue(preset) is string p ? [$"trainer.preset={p}"] : null);
            var result = OnPolicyRun.Run(config, cli.RunOptions(parse, resume, cancel), name);
            TrainingCli.Report(parse, result);
            return result.Completed;
        }));
        return command;
    }

    /// <summary>The command's config before any file or --set: the run defaults with its preset.</summary>
    internal static OnPolicyRunConfig Defaults(string preset)
    {
        var defaults = new OnPolicyRunConfig();
        return defaults with { Trainer = defaults.Trainer with { Preset = preset } };
    }
}
