using System.CommandLine;

namespace Aha.Cli.Commands;

/// <summary>Every top-level `aha` command. Each command lives in its own file with a static Create().</summary>
internal static class CommandCatalog
{
    /// <summary>The <c>aha</c> root command with every subcommand.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("Aha: post-train language models with reinforcement learning.");
        foreach (var command in All()) root.Subcommands.Add(command);
        return root;
    }

    public static IEnumerable<Command> All()
    {
        yield return GenerateCommand.Create();
        yield return TokenizeCommand.Create();
        yield return TemplateCommand.Create();
        yield return ModelCommand.Create();
        yield return BenchCommand.Create();
        yield return RewardCommand.Create();
        yield return SftCommand.Create();
        yield return RmCommand.Create();
        yield return DpoCommand.Create();
        yield return KtoCommand.Create();
        yield return GrpoCommand.Create();
        yield return PpoCommand.Create();
        yield return RejectionSampleCommand.Create();
        yield return EvalCommand.Create();
        yield return RecipeCommand.Create();
        yield return R1ZeroCommand.Create();
        yield return ServeCommand.Create();
        yield return ConfigCommand.Create();
    }
}
