using System.CommandLine;
using Aha.Configuration;
using Aha.Data;
using Aha.Tokenization;

namespace Aha.Cli.Commands;

/// <summary>
/// The one error path of every <c>aha</c> command. A user error (bad flag, bad config, bad or missing file, bad value)
/// becomes one line per problem on stderr, <c>error: …</c>, naming the file/line/field/flag and what was expected, and
/// exit code 2 (as for a command-line syntax error). Ctrl+C stops between steps (exit 130). Anything else is a bug and
/// still crashes loudly with its stack trace.
/// </summary>
internal static class CliRun
{
    /// <summary>Exit code of a user error (bad input): the conventional "usage" status.</summary>
    public const int UserError = 2;

    /// <summary>Exit code of a run stopped by Ctrl+C (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Runs <paramref name="action"/>; it returns false when it stopped early on a cancellation.</summary>
    public static int Run(ParseResult parse, Func<CancellationToken, bool> action)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (kill, systemd, a scheduler's preemption) stops the run like Ctrl+C: checkpoint, then exit.
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        try
        {
            return action(cts.Token) ? 0 : Interrupted;
        }
        catch (Exception e) when (IsUserError(e))
        {
            foreach (var line in Lines(e)) parse.InvocationConfiguration.Error.WriteLine($"error: {line}");
            return UserError;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    /// <summary>Runs a command that has nothing to cancel.</summary>
    public static int Run(ParseResult parse, Action action) => Run(parse, _ => { action(); return true; });

    /// <summary>
    /// Parses and invokes <paramref name="args"/> on <paramref name="root"/>. Command-line syntax errors (unknown flag,
    /// missing required option, a value of the wrong type) are reported the same way as other user errors.
    /// </summary>
    public static int Invoke(RootCommand root, string[] args, InvocationConfiguration? configuration = null)
    {
        var parse = root.Parse(args);
        configuration ??= new InvocationConfiguration();
        if (parse.Errors.Count == 0) return parse.Invoke(configuration);
        foreach (var error in parse.Errors) configuration.Error.WriteLine($"error: {OneLine(error.Message)}");
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null && r.Command != root; r = r.Parent as System.CommandLine.Parsing.CommandResult) names.Insert(0, r.Command.Name);
        configuration.Error.WriteLine($"(see 'aha {string.Join(' ', names.Append("--help"))}')");
        return UserError;
    }

    /// <summary>Exceptions that mean the input was wrong, not the program.</summary>
    internal static bool IsUserError(Exception e) => e is ConfigException or DataFormatException or TokenizerFormatException
        or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or Aha.Templates.TemplateException;

    /// <summary>The message lines of a user error: one per configuration problem, else one.</summary>
    internal static IEnumerable<string> Lines(Exception e) => e is ConfigException c
        ? c.Errors.Select(x => OneLine(x.ToString()))
        : [OneLine(Message(e))];

    /// <summary>The message without the "(Parameter 'x')" suffix .NET appends to argument exceptions.</summary>
    static string Message(Exception e)
    {
        var message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            var suffix = $" (Parameter '{name}')";
            int at = message.IndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message.Remove(at, suffix.Length);
        }
        return message;
    }

    static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
