using System.CommandLine;
using System.Text.Json;
using Aha.Templates;
using Aha.Tokenization;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha template --tokenizer DIR --messages FILE.json [--add-generation-prompt] [--tools FILE.json] [--var NAME=VALUE]…</c>:
/// prints exactly the text the model's chat template renders (no newline added). Bad input exits 2 with one line.
/// </summary>
internal static class TemplateCommand
{
    internal static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "Model folder (or its tokenizer.json) whose tokenizer_config.json holds chat_template; ChatML when it has none.",
            Required = true,
        };
        var messages = new Option<string>("--messages") { Description = "JSON file: an array of messages ({\"role\", \"content\", …}).", Required = true };
        var generation = new Option<bool>("--add-generation-prompt") { Description = "End with the header of a new assistant turn." };
        var tools = new Option<string?>("--tools") { Description = "JSON file: an array of tool (function) schemas." };
        var vars = new Option<string[]>("--var")
        {
            Description = "Template variable NAME=VALUE (repeatable); VALUE is read as JSON when it parses (false, 3, [..]), else as a string.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("template", "Render a conversation with the model's own chat template and print the text.")
            { tokenizer, messages, generation, tools, vars };
        command.SetAction(parse => CliRun.Run(parse, () =>
        {
            var folder = parse.GetRequiredValue(tokenizer);
            if (!Directory.Exists(folder) && !File.Exists(folder))
                throw new FileNotFoundException($"--tokenizer: no such file or folder: {folder}");
            var template = ChatTemplate.FromTokenizerConfig(folder) ?? ChatTemplate.Default;
            var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var v in parse.GetValue(vars) ?? [])
            {
                var eq = v.IndexOf('=');
                if (eq <= 0)
                    throw new ArgumentException($"--var \"{v}\": expected NAME=VALUE");
                variables[v[..eq]] = ParseValue(v[(eq + 1)..]);
            }
            var toolsFile = parse.GetValue(tools);
            var text = template.RenderJson(ReadJson(parse.GetRequiredValue(messages), "--messages", JsonValueKind.Array),
                parse.GetValue(generation), toolsFile is null ? null : ReadJson(toolsFile, "--tools", JsonValueKind.Array), variables);
            parse.InvocationConfiguration.Output.Write(text);
        }));
        return command;
    }

    private static JsonElement ParseValue(string value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(value);
        }
    }

    private static JsonElement ReadJson(string path, string flag, JsonValueKind expected)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{flag}: no such file: {path}");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{flag} {path}: invalid JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message}");
        }
        if (root.ValueKind != expected)
            throw new ArgumentException($"{flag} {path}: expected a JSON array, found {root.ValueKind.ToString().ToLowerInvariant()}");
        return root;
    }
}
