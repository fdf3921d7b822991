using System.CommandLine;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary><c>aha rejection-sample</c>: sample N per prompt, keep the verified ones, write <c>&lt;run&gt;/sft.jsonl</c>.</summary>
internal static class RejectionSampleCommand
{
    internal static Command Create()
    {
        var cli = new TrainingCli();
        var command = new Command("rejection-sample",
            "Sample N completions per prompt, keep those the rewards accept (all correct or best-of-N) and write an SFT JSONL (<run>/sft.jsonl).");
        cli.AddTo(command);
        command.SetAction(parse => CliRun.Run(parse, cancel =>
        {
            var resume = cli.ResumeDir(parse, "rejection-sample");
            var config = cli.Load(parse, new RejectionSamplingRunConfig(), resume);
            var (run, result) = RejectionSamplingRun.Run(config, cli.RunOptions(parse, resume, cancel));
            parse.InvocationConfiguration.Output.WriteLine(
                $"{result.Written} completions written for {result.PromptsWithAccepted} of {result.Prompts} prompts " +
                $"({result.Accepted} of {result.Samples} samples accepted) → {run.Output}");
            return true;
        }));
        return command;
    }
}
