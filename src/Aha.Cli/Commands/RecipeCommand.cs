using System.CommandLine;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary><c>aha recipe r1 [--config configs/r1-recipe.yaml]</c>: the DeepSeek-R1 pipeline, one run folder per stage.</summary>
internal static class RecipeCommand
{
    internal static Command Create()
    {
        var cli = new TrainingCli();
        var r1 = new Command("r1", "Cold-start SFT → GRPO → rejection sampling + SFT → final GRPO; each stage's final/ is the next one's model.");
        cli.AddTo(r1);
        r1.SetAction(parse => CliRun.Run(parse, cancel =>
        {
            var resume = cli.ResumeDir(parse, "r1");
            var config = cli.Load(parse, new R1RecipeConfig(), resume);
            var stages = R1Recipe.Run(config, cli.RunOptions(parse, resume, cancel));
            foreach (var (stage, i) in stages.Select((s, i) => (s, i)))
                parse.InvocationConfiguration.Output.WriteLine($"{R1Recipe.StageNames[i]}: {stage.Output}");
            return stages.All(s => s.Completed);
        }));
        var command = new Command("recipe", "Multi-stage training recipes.");
        command.Subcommands.Add(r1);
        return command;
    }
}
