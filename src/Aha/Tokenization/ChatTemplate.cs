using System.Text;
using System.Text.Json;
using Aha.Templates;

namespace Aha.Tokenization;

/// <summary>
/// How a conversation becomes prompt text. Two kinds:
/// <list type="bullet">
/// <item><b>The model's own template</b> (<see cref="For(ITokenizer)"/>, <see cref="FromTokenizerConfig"/>): the Jinja
/// <c>chat_template</c> of tokenizer_config.json, rendered by Aha's engine (<see cref="JinjaTemplate"/>) exactly as
/// transformers.js renders it, with <c>messages</c>, <c>add_generation_prompt</c>, <c>tools</c> (null when none), the
/// config's <c>bos_token</c>/<c>eos_token</c>/<c>unk_token</c>/<c>pad_token</c> and any extra variables
/// (<c>enable_thinking</c>, …).</item>
/// <item><b>ChatML</b> (<see cref="Default"/>, <see cref="Qwen25"/>), the fallback for a folder without a template
/// (Aha's character tokenizer, synthetic tasks): each turn is <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c>,
/// the generation prompt <c>&lt;|im_start|&gt;assistant\n</c>; identical to Qwen2.5's template for plain messages.
/// <see cref="DefaultSystemPrompt"/> (null by default, Qwen3's behaviour) is prepended when the first message is not
/// a system message.</item>
/// </list>
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>Qwen2.5's built-in default system prompt.</summary>
    public const string QwenDefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    private readonly JinjaTemplate? _jinja;
    private readonly Dictionary<string, string> _specialTokens = [];

    /// <summary>Plain ChatML with no default system prompt (Qwen3 behaviour).</summary>
    public static ChatTemplate Default { get; } = new();

    /// <summary>Qwen2.5's template: injects <see cref="QwenDefaultSystemPrompt"/> when there is no system message.</summary>
    public static ChatTemplate Qwen25 { get; } = new() { DefaultSystemPrompt = QwenDefaultSystemPrompt };

    private ChatTemplate()
    {
    }

    private ChatTemplate(JinjaTemplate jinja, Dictionary<string, string> specialTokens)
    {
        _jinja = jinja;
        _specialTokens = specialTokens;
    }

    /// <summary>ChatML only: system prompt prepended when the conversation does not start with one. Default: null (none).</summary>
    public string? DefaultSystemPrompt { get; init; }

    /// <summary>True for the built-in ChatML template, false for a model's Jinja template.</summary>
    public bool IsChatMl => _jinja is null;

    /// <summary>
    /// The template of the folder <paramref name="tokenizer"/> was loaded from (its tokenizer_config.json's
    /// <c>chat_template</c>), or <see cref="Default"/> (ChatML) when it has none.
    /// </summary>
    /// <exception cref="TemplateException">The template uses syntax Aha's engine does not read (names the line).</exception>
    public static ChatTemplate For(ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer is HfBpeTokenizer { SourceFile: { } file } ? FromTokenizerConfig(file) ?? Default : Default;
    }

    /// <summary>
    /// Reads <c>chat_template</c> from the tokenizer_config.json beside <paramref name="tokenizerPath"/> (a
    /// tokenizer.json or its folder); null when the file or the field is missing. A list of named templates picks
    /// "default".
    /// </summary>
    /// <exception cref="TokenizerFormatException">The field is not a string or a list of {name, template}.</exception>
    /// <exception cref="TemplateException">The template does not parse (names the line).</exception>
    public static ChatTemplate? FromTokenizerConfig(string tokenizerPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenizerPath);
        var folder = Directory.Exists(tokenizerPath) ? tokenizerPath : Path.GetDirectoryName(Path.GetFullPath(tokenizerPath))!;
        var configPath = Path.Combine(folder, SpecialTokenRoles.ConfigFileName);
        if (!File.Exists(configPath))
            return null;
        using var doc = TokenizerJson.Parse(configPath);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("chat_template", out var field) || field.ValueKind == JsonValueKind.Null)
            return null;
        var text = field.ValueKind switch
        {
            JsonValueKind.String => field.GetString()!,
            JsonValueKind.Array => field.EnumerateArray()
                .FirstOrDefault(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) && n.GetString() == "default")
                is { ValueKind: JsonValueKind.Object } named && named.TryGetProperty("template", out var body) && body.ValueKind == JsonValueKind.String
                ? body.GetString()!
                : throw new TokenizerFormatException(configPath, "chat_template", "a list of templates needs one named \"default\" with a string \"template\""),
            _ => throw new TokenizerFormatException(configPath, "chat_template",
                $"expected a string or a list of {{\"name\", \"template\"}}, found {TokenizerJson.Describe(field)}"),
        };
        var specials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "bos_token", "eos_token", "unk_token", "pad_token" })
            if (root.TryGetProperty(name, out var token))
                if (token.ValueKind == JsonValueKind.String)
                    specials[name] = token.GetString()!;
                else if (token.ValueKind == JsonValueKind.Object && token.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                    specials[name] = content.GetString()!;
        return new ChatTemplate(JinjaTemplate.Parse(text, $"{configPath}: chat_template"), specials);
    }

    /// <summary>
    /// Renders <paramref name="messages"/>; with <paramref name="addGenerationPrompt"/> the text ends where the model
    /// writes the next assistant turn.
    /// </summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
            throw new ArgumentException("a chat needs at least one message", nameof(messages));
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw new ArgumentException($"message {i} is null", nameof(messages));
            if (_jinja is null && !ChatMessage.Roles.Contains(m.Role))
                throw new ArgumentException(
                    $"message {i} has role \"{m.Role}\"; expected one of: system, user, assistant", nameof(messages));
            ArgumentNullException.ThrowIfNull(m.Content, $"{nameof(messages)}[{i}].Content");
        }
        if (_jinja is not null)
            return RenderJson(JsonSerializer.SerializeToElement(messages.Select(m => new { role = m.Role, content = m.Content })),
                addGenerationPrompt, tools: null, new Dictionary<string, JsonElement>());

        var text = new StringBuilder();
        for (var i = 0; i < messages.Count; i++)
        {
            if (i == 0 && messages[i].Role != "system" && DefaultSystemPrompt is not null)
                AppendTurn(text, "system", DefaultSystemPrompt);
            AppendTurn(text, messages[i].Role, messages[i].Content);
        }
        if (addGenerationPrompt)
            text.Append(ImStart).Append("assistant\n");
        return text.ToString();
    }

    /// <summary>
    /// Renders messages given as JSON (any fields the template reads: role, content, tool_calls, reasoning_content, …),
    /// with <paramref name="tools"/> (a JSON array, or null) and extra template variables. ChatML reads only role
    /// and content of each message and ignores tools and variables.
    /// </summary>
    /// <exception cref="TemplateException">The template raised an error or met a value it cannot handle (names the line).</exception>
    public string RenderJson(JsonElement messages, bool addGenerationPrompt, JsonElement? tools, IReadOnlyDictionary<string, JsonElement> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        if (messages.ValueKind != JsonValueKind.Array)
            throw new ArgumentException("messages must be a JSON array", nameof(messages));
        if (_jinja is null)
            return Render(messages.EnumerateArray().Select((m, i) => new ChatMessage(
                m.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : throw new ArgumentException($"message {i} has no string \"role\""),
                m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new ArgumentException($"message {i} has no string \"content\"")))
                .ToList(), addGenerationPrompt);

        var context = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["messages"] = messages,
            ["add_generation_prompt"] = JsonSerializer.SerializeToElement(addGenerationPrompt),
            ["tools"] = tools ?? JsonSerializer.SerializeToElement<object?>(null),
        };
        foreach (var (name, token) in _specialTokens)
            context[name] = JsonSerializer.SerializeToElement(token);
        foreach (var (name, value) in variables)
            context[name] = value;
        return _jinja.Render(context);
    }

    private static void AppendTurn(StringBuilder text, string role, string content) =>
        text.Append(ImStart).Append(role).Append('\n').Append(content).Append(ImEnd).Append('\n');
}
