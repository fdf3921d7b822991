using System.Text.Json;
using Aha.Templates;

namespace Aha.Tests.Templates;

/// <summary>
/// The real chat templates of the Qwen 2.5/3, Llama 3/3.1, DeepSeek-V3/R1, Gemma 2/3, Mistral and Phi-3 families,
/// rendered on 11 conversations (tools, tool calls, system prompts, thinking history, enable_thinking, content parts)
/// and compared byte for byte with @huggingface/jinja's output (tests/reference/templates/make_template_renderings.mjs).
/// Where @huggingface/jinja raises (the template's raise_exception, or a value it cannot handle), Aha must raise too.
/// </summary>
public sealed class ChatTemplateRenderingTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "fixtures", "templates");

    private sealed record Rendering(string Template, string Scenario, Dictionary<string, JsonElement> Context, string? Expected, string? Error);

    private static readonly Lazy<List<Rendering>> All = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "renderings.json")));
        return doc.RootElement.GetProperty("renderings").EnumerateArray().Select(r => new Rendering(
            r.GetProperty("template").GetString()!,
            r.GetProperty("scenario").GetString()!,
            r.GetProperty("context").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
            r.TryGetProperty("expected", out var e) ? e.GetString() : null,
            r.TryGetProperty("error", out var err) ? err.GetString() : null)).ToList();
    });

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in All.Value)
            data.Add(r.Template, r.Scenario);
        return data;
    }

    [Fact]
    public void Fixture_CoversEveryFamilyWithAndWithoutTools()
    {
        var templates = All.Value.Select(r => r.Template).ToHashSet();
        Assert.Superset(new HashSet<string> { "qwen3", "qwen2_5", "llama3_1_instruct", "deepseek_r1", "gemma3", "gemma2", "mistral_nemo", "phi3" }, templates);
        Assert.Contains(All.Value, r => r is { Template: "llama3_1_instruct", Scenario: "tool_call_round_trip", Expected: not null });
        Assert.Contains(All.Value, r => r is { Template: "qwen3", Scenario: "enable_thinking_false", Expected: not null });
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Render_MatchesHuggingFaceJinja(string template, string scenario)
    {
        var r = All.Value.Single(x => x.Template == template && x.Scenario == scenario);
        var parsed = JinjaTemplate.Parse(File.ReadAllText(Path.Combine(Folder, template + ".jinja")), template + ".jinja");
        if (r.Error is not null)
        {
            var e = Assert.Throws<TemplateException>(() => parsed.Render(r.Context));
            Assert.True(e.Line >= 1);
            return;
        }
        Assert.Equal(r.Expected, parsed.Render(r.Context));
    }
}
