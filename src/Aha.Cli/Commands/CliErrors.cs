using System.CommandLine;
using Aha.Tokenization;

namespace Aha.Cli.Commands;

/// <summary>Turns the errors users cause (bad files, bad values) into one line on stderr and exit code 1; bugs still crash loudly.</summary>
internal static class CliErrors
{
    public static int Run(ParseResult parse, Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or TokenizerFormatException or ArgumentException or UnauthorizedAccessException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
