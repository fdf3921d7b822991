using System.CommandLine;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary><c>aha sft</c>: supervised fine-tuning (completion-only loss). No config: the tiny model on a synthetic cold start.</summary>
internal static class SftCommand
{
    internal static Command Create() => OfflineCommand.Create("sft",
        "Supervised fine-tuning on SFT JSONL ({\"messages\"} or {\"prompt\",\"completion\"}) or a task's synthetic cold start.",
        (cli, parse, resume, cancel) => OfflineRuns.Sft(cli.Load(parse, new SftRunConfig(), resume), cli.RunOptions(parse, resume, cancel)));
}

/// <summary><c>aha rm</c>: a Bradley-Terry reward model on preference pairs.</summary>
internal static class RmCommand
{
    internal static Command Create() => OfflineCommand.Create("rm",
        "Train a reward model (Bradley-Terry, scalar head) on preference JSONL ({\"prompt\",\"chosen\",\"rejected\"}).",
        (cli, parse, resume, cancel) => OfflineRuns.RewardModel(cli.Load(parse, new RewardModelRunConfig(), resume), cli.RunOptions(parse, resume, cancel)));
}

/// <summary><c>aha dpo</c>: direct preference optimisation (reference log-probs cached up front).</summary>
internal static class DpoCommand
{
    internal static Command Create() => OfflineCommand.Create("dpo",
        "Direct preference optimisation (sigmoid / cDPO / IPO) on preference JSONL, the starting model as reference.",
        (cli, parse, resume, cancel) => OfflineRuns.Dpo(cli.Load(parse, new DpoRunConfig(), resume), cli.RunOptions(parse, resume, cancel)));
}

/// <summary><c>aha kto</c>: Kahneman-Tversky optimisation on unpaired desirable / undesirable completions.</summary>
internal static class KtoCommand
{
    internal static Command Create() => OfflineCommand.Create("kto",
        "KTO on unpaired JSONL ({\"prompt\",\"completion\",\"label\"}; paired lines are unpaired), the starting model as reference. No data: the arithmetic task (correct answers desirable, wrong ones undesirable).",
        (cli, parse, resume, cancel) => OfflineRuns.Kto(cli.Load(parse, new KtoRunConfig(), resume), cli.RunOptions(parse, resume, cancel)));
}

internal static class OfflineCommand
{
    internal static Command Create(string name, string description, Func<TrainingCli, ParseResult, string?, CancellationToken, RunResult> run)
    {
        var cli = new TrainingCli();
        var command = new Command(name, description);
        cli.AddTo(command);
        command.SetAction(parse => CliRun.Run(parse, cancel =>
        {
            var result = run(cli, parse, cli.ResumeDir(parse, name), cancel);
            TrainingCli.Report(parse, result);
            return result.Completed;
        }));
        return command;
    }
}
