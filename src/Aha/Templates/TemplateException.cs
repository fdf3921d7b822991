namespace Aha.Templates;

/// <summary>
/// A chat template that cannot be parsed or rendered: unsupported syntax, a bad expression, or an error the template
/// raises itself (<c>raise_exception(...)</c>). The message names the template and the line (1-based, in the
/// template text as written) where it happened.
/// </summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string templateName, int line, string message, Exception? inner = null)
        : base($"{templateName}: line {line}: {message}", inner)
    {
        TemplateName = templateName;
        Line = line;
    }

    /// <summary>Where the template came from (a file path, or "tokenizer_config.json: chat_template").</summary>
    public string TemplateName { get; }

    /// <summary>1-based line in the template text.</summary>
    public int Line { get; }
}

/// <summary>An error inside the engine, before the line is known; <see cref="JinjaTemplate"/> turns it into a <see cref="TemplateException"/>.</summary>
internal sealed class JinjaError(string message, int line = 0) : Exception(message)
{
    public int Line { get; } = line;
}
