using System.Text.Json;

namespace Aha.Templates;

/// <summary>
/// A parsed Jinja template of the subset Hugging Face chat templates use, rendering exactly what @huggingface/jinja
/// (the engine of transformers.js) renders: lexer (<see cref="JinjaLexer"/>), parser (<see cref="JinjaParser"/>),
/// evaluator (<see cref="JinjaInterpreter"/>, <see cref="JinjaBuiltins"/>). Not supported, and reported with their
/// line: macros, call/filter blocks, includes, argument unpacking, filters such as <c>reject</c> or <c>batch</c>.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly List<Node> _body;

    private JinjaTemplate(string name, List<Node> body)
    {
        Name = name;
        _body = body;
    }

    /// <summary>Where the template came from, used in error messages.</summary>
    public string Name { get; }

    /// <exception cref="TemplateException">Syntax the engine does not read; names the line.</exception>
    public static JinjaTemplate Parse(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return new JinjaTemplate(name, JinjaParser.Parse(JinjaLexer.Tokenize(text)));
        }
        catch (JinjaError e)
        {
            throw new TemplateException(name, Math.Max(e.Line, 1), e.Message, e);
        }
    }

    /// <summary>
    /// Renders with the given top-level variables (JSON values: objects, arrays, strings, numbers, booleans, null).
    /// </summary>
    /// <exception cref="TemplateException">An evaluation error, or <c>raise_exception(…)</c> in the template.</exception>
    public string Render(IReadOnlyDictionary<string, JsonElement> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var scope = new JinjaScope(null);
        JinjaBuiltins.AddGlobals(scope);
        foreach (var (k, v) in variables)
            scope.Set(k, JinjaJson.FromJson(v));
        try
        {
            return new JinjaInterpreter().Render(_body, scope);
        }
        catch (JinjaError e)
        {
            throw new TemplateException(Name, Math.Max(e.Line, 1), e.Message, e);
        }
    }
}
