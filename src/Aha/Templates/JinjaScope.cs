namespace Aha.Templates;

/// <summary>Variables of one scope, looked up through its parents (a for-loop body is a child scope, an if body is not).</summary>
internal sealed class JinjaScope(JinjaScope? parent)
{
    private readonly JinjaScope? _parent = parent;

    private readonly Dictionary<string, JinjaValue> _variables = new(StringComparer.Ordinal);

    public void Set(string name, JinjaValue value) => _variables[name] = value;

    public JinjaValue Lookup(string name)
    {
        for (var s = this; s is not null; s = s._parent)
            if (s._variables.TryGetValue(name, out var v))
                return v;
        return JinjaUndefined.Instance;
    }
}
