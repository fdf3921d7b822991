using Aha.Configuration;

namespace Aha.Training.Runs;

/// <summary>
/// Turns a trainer config's one-exception validation (<c>Invalid SFT config (2 problems): a; b.</c>) into one config
/// error per problem, located at the key it names when the message starts with one (<c>learning_rate must be…</c> or
/// <c>LearningRate must be…</c> → <c>trainer.learning_rate</c>), so the error points at the file line.
/// </summary>
internal static class SectionErrors
{
    public static IEnumerable<(string Key, string Message)> From(string section, object config, Action validate)
    {
        string message;
        try
        {
            validate();
            yield break;
        }
        catch (ArgumentException e) { message = e.Message; }
        int param = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        if (param >= 0) message = message[..param];
        int colon = message.IndexOf("):", StringComparison.Ordinal);
        var body = colon >= 0 ? message[(colon + 2)..].Trim() : message;
        var keys = ConfigKeys(config.GetType());
        foreach (var problem in Split(body))
        {
            var first = problem.Split(' ', 2)[0];
            var key = ConfigNaming.ToSnakeCase(first.Length == 0 ? "x" : first);
            yield return (keys.Contains(key) ? $"{section}.{key}" : section, problem);
        }
    }

    static HashSet<string> ConfigKeys(Type t) =>
        t.GetProperties().Where(p => p.SetMethod is { IsPublic: true }).Select(p => ConfigNaming.ToSnakeCase(p.Name)).ToHashSet();

    /// <summary>"- a\n- b" lists, or "a; B…; c." lists split where the next problem starts with a capital (a key name).</summary>
    static IEnumerable<string> Split(string body)
    {
        if (body.StartsWith("- ", StringComparison.Ordinal))
        {
            foreach (var line in body.Split("\n- ")) yield return line.TrimStart('-', ' ').Trim();
            yield break;
        }
        body = body.TrimEnd('.');
        int start = 0;
        for (int i = body.IndexOf("; ", StringComparison.Ordinal); i >= 0; i = body.IndexOf("; ", i + 2, StringComparison.Ordinal))
        {
            if (i + 2 < body.Length && char.IsUpper(body[i + 2]))
            {
                yield return body[start..i].Trim();
                start = i + 2;
            }
        }
        yield return body[start..].Trim();
    }
}
