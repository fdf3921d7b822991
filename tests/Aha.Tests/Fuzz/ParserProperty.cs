namespace Aha.Tests.Fuzz;

/// <summary>
/// The property every file parser must keep on hostile bytes: a valid result or its typed error, and that error
/// names the file and stays short (one clear line, not an echo of a 10 MB input). Anything else fails the test with
/// the variant's name and the exception, so a seed reproduces it.
/// </summary>
internal static class ParserProperty
{
    /// <summary>
    /// Longest line of an error message accepted: long enough for file, line, field, the expectation and a list of
    /// valid keys, far shorter than the inputs (so values are quoted cut short, not echoed whole).
    /// </summary>
    public const int MaxLineLength = 2000;

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";

    /// <summary>Writes each variant to <paramref name="fileName"/> in <paramref name="dir"/> and parses it.</summary>
    /// <returns>How many variants parsed to a valid result (the rest gave the typed error).</returns>
    public static int Check<TError>(TempDir dir, string fileName, IEnumerable<(string Name, byte[] Bytes)> variants, Action<string> parse)
        where TError : Exception
    {
        int valid = 0;
        var problems = new List<string>();
        foreach (var (name, bytes) in variants)
        {
            var path = dir[fileName];
            File.WriteAllBytes(path, bytes);
            try
            {
                parse(path);
                valid++;
            }
            catch (TError e)
            {
                if (!e.Message.Contains(path, StringComparison.Ordinal))
                    problems.Add($"{name}: the error does not name the file: {Shorten(e.Message)}");
                else if (e.Message.Split('\n').Max(l => l.Length) > MaxLineLength)
                    problems.Add($"{name}: an error line of {e.Message.Split('\n').Max(l => l.Length)} characters: {Shorten(e.Message)}");
            }
            catch (Exception e)
            {
                problems.Add($"{name}: {e.GetType().Name} instead of {typeof(TError).Name}: {Shorten(e.Message)}\n{e.StackTrace}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        return valid;
    }
}
