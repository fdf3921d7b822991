using System.Text.Json;
using Aha.Rewards;

namespace Aha.Tools;

/// <summary>
/// <c>calculator</c>: evaluates <c>{"expression": "12*34+5"}</c> exactly over the rationals with the Countdown
/// parser (+ − × ÷ and parentheses, no code evaluation, the same length/depth/digit limits, linear time), answering
/// "413" or "-3/4". Syntax errors and division by zero are error observations.
/// </summary>
public sealed class CalculatorTool : ITool
{
    static readonly JsonElement Schema = ToolArguments.OneStringSchema("expression", "arithmetic with + - * / and parentheses, e.g. (12+3)*4");

    readonly CountdownLimits _limits;

    /// <param name="limits">Parser limits; default <see cref="CountdownLimits.Default"/>.</param>
    public CalculatorTool(CountdownLimits? limits = null) => _limits = limits ?? CountdownLimits.Default;

    public string Name => "calculator";

    public string Description => "Evaluate an arithmetic expression exactly (+ - * / and parentheses).";

    public JsonElement ParametersSchema => Schema;

    public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken) =>
        Task.FromResult(Evaluate(ToolArguments.RequiredString(arguments, "expression", Name)));

    /// <summary>The exact value of <paramref name="expression"/> as text.</summary>
    /// <exception cref="ToolException">Not an expression the parser accepts, or a division by zero.</exception>
    public string Evaluate(string expression)
    {
        var parse = CountdownExpression.Parse(expression, _limits);
        if (!parse.IsWellFormed) throw new ToolException($"cannot evaluate \"{Shorten(expression)}\": {parse.Error}");
        return parse.Value?.ToString() ?? throw new ToolException("division by zero");
    }

    static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
