using System.CommandLine;
using Aha.Cli.Commands;

namespace Aha.Tests.Cli;

/// <summary>Runs `aha …` in-process through the CLI's real command catalog, capturing stdout and stderr.</summary>
internal static class AhaCli
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var (exitCode, output, error) = RunExact(args);
        return (exitCode, output.Trim(), error);
    }

    /// <summary>As <see cref="Run"/>, with stdout exactly as written (for commands whose output is byte-exact text).</summary>
    public static (int ExitCode, string Output, string Error) RunExact(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exitCode = CliRun.Invoke(CommandCatalog.Root(), args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
