using System.Text.Json;
using Aha.Tests.Tokenization;

namespace Aha.Tests.Templates;

/// <summary>`aha template` in-process through the CLI's command catalog, against @huggingface/jinja's renderings.</summary>
public sealed class TemplateCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int ExitCode, string Output, string Error) Aha(params string[] args) => Cli.AhaCli.RunExact(args);

    /// <summary>The expected text and context of one rendering in fixtures/templates/renderings.json.</summary>
    private static (string Expected, JsonElement Context) Reference(string template, string scenario)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "templates", "renderings.json")));
        var r = doc.RootElement.GetProperty("renderings").EnumerateArray()
            .Single(x => x.GetProperty("template").GetString() == template && x.GetProperty("scenario").GetString() == scenario);
        return (r.GetProperty("expected").GetString()!, r.GetProperty("context").Clone());
    }

    [Fact]
    public void Qwen3_EnableThinkingFalse_PrintsExactlyTheReference()
    {
        var (expected, context) = Reference("qwen3", "enable_thinking_false");
        var messages = _dir.File("m.json", context.GetProperty("messages").GetRawText());
        var (code, output, error) = Aha("template", "--tokenizer", HfFamilyFixtures.Folder("qwen3"), "--messages", messages,
            "--add-generation-prompt", "--var", "enable_thinking=false");
        Assert.True(code == 0, error);
        Assert.Equal(expected, output);
        Assert.EndsWith("<think>\n\n</think>\n\n", output);
    }

    [Fact]
    public void Qwen3_WithToolsFile_PrintsExactlyTheReference()
    {
        var (expected, context) = Reference("qwen3", "tools_offered");
        var messages = _dir.File("m.json", context.GetProperty("messages").GetRawText());
        var tools = _dir.File("t.json", context.GetProperty("tools").GetRawText());
        var (code, output, error) = Aha("template", "--tokenizer", HfFamilyFixtures.Folder("qwen3"), "--messages", messages,
            "--tools", tools, "--add-generation-prompt");
        Assert.True(code == 0, error);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Gemma3_NonAlternatingRoles_ExitsTwoNamingTheTemplateLine()
    {
        var messages = _dir.File("m.json", """[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]""");
        var (code, output, error) = Aha("template", "--tokenizer", HfFamilyFixtures.Folder("gemma3"), "--messages", messages);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        // gemma3's raise_exception("Conversation roles must alternate…") is on line 19 of its chat_template (grep -n raise_exception).
        Assert.Contains("chat_template: line 19:", error);
        Assert.Contains("Conversation roles must alternate", error);
    }

    [Fact]
    public void UnsupportedSyntax_ExitsTwoNamingTheLine()
    {
        var template = "{{ bos_token }}\n{% macro greet(name) %}Hi {{ name }}{% endmacro %}\n{{ greet('x') }}";
        File.WriteAllText(_dir["tokenizer_config.json"], JsonSerializer.Serialize(new { chat_template = template, bos_token = "<s>" }));
        var messages = _dir.File("m.json", """[{"role": "user", "content": "a"}]""");
        var (code, _, error) = Aha("template", "--tokenizer", _dir.Path, "--messages", messages);
        Assert.Equal(2, code);
        Assert.Contains("tokenizer_config.json: chat_template: line 2:", error);
        Assert.Contains("'macro' is not supported", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void VarThatIsNotJson_IsAString_AndFolderWithoutTemplate_UsesChatMl()
    {
        File.WriteAllText(_dir["tokenizer_config.json"], JsonSerializer.Serialize(new { chat_template = "{{ greeting }}|{{ n + 1 }}|{{ flag }}" }));
        var messages = _dir.File("m.json", """[{"role": "user", "content": "a"}]""");
        var (code, output, error) = Aha("template", "--tokenizer", _dir.Path, "--messages", messages,
            "--var", "greeting=hello world", "--var", "n=41", "--var", "flag=true");
        Assert.True(code == 0, error);
        Assert.Equal("hello world|42|true", output);

        var bare = Directory.CreateDirectory(_dir["bare"]).FullName;
        (code, output, error) = Aha("template", "--tokenizer", bare, "--messages", messages, "--add-generation-prompt");
        Assert.True(code == 0, error);
        Assert.Equal("<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\n", output);
    }

    [Fact]
    public void MessagesNotAnArray_ExitsTwo()
    {
        var messages = _dir.File("m.json", """{"role": "user"}""");
        var (code, _, error) = Aha("template", "--tokenizer", HfFamilyFixtures.Folder("qwen3"), "--messages", messages);
        Assert.Equal(2, code);
        Assert.Contains("--messages", error);
        Assert.Contains("expected a JSON array", error);
    }
}
