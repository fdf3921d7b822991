using System.Globalization;

namespace Aha.Templates;

/// <summary>
/// A runtime value of the template engine. Kinds, truthiness and printing follow @huggingface/jinja (itself
/// following JavaScript where Jinja is silent): booleans print "true"/"false", a float with no fraction prints
/// "2.0", lists and dicts print as JSON, <c>none</c> and undefined print nothing; empty lists and dicts are false,
/// a namespace is always true.
/// </summary>
internal abstract class JinjaValue
{
    public abstract string Kind { get; }

    public virtual bool IsTrue => true;

    /// <summary>The text written when the value is output (<c>{{ value }}</c>).</summary>
    public abstract string Print();

    public override string ToString() => Print();
}

internal sealed class JinjaString(string value) : JinjaValue
{
    public string Value { get; } = value;
    public override string Kind => "string";
    public override bool IsTrue => Value.Length > 0;
    public override string Print() => Value;
}

internal sealed class JinjaInt(long value) : JinjaValue
{
    public long Value { get; } = value;
    public override string Kind => "integer";
    public override bool IsTrue => Value != 0;
    public override string Print() => Value.ToString(CultureInfo.InvariantCulture);
}

internal sealed class JinjaFloat(double value) : JinjaValue
{
    public double Value { get; } = value;
    public override string Kind => "float";
    public override bool IsTrue => Value != 0 && !double.IsNaN(Value);

    public override string Print()
    {
        if (Value == 0 && double.IsNegative(Value))
            return "-0.0";
        return Value % 1 == 0 ? Value.ToString("0.0", CultureInfo.InvariantCulture) : JinjaJson.Number(Value);
    }
}

internal sealed class JinjaBool(bool value) : JinjaValue
{
    public static readonly JinjaBool True = new(true);
    public static readonly JinjaBool False = new(false);
    public bool Value { get; } = value;
    public override string Kind => "boolean";
    public override bool IsTrue => Value;
    public override string Print() => Value ? "true" : "false";
    public static JinjaBool Of(bool b) => b ? True : False;
}

internal sealed class JinjaNone : JinjaValue
{
    public static readonly JinjaNone Instance = new();
    public override string Kind => "none";
    public override bool IsTrue => false;
    public override string Print() => "";
}

internal sealed class JinjaUndefined : JinjaValue
{
    public static readonly JinjaUndefined Instance = new();
    public override string Kind => "undefined";
    public override bool IsTrue => false;
    public override string Print() => "";
}

/// <summary>A list; <see cref="IsTuple"/> for <c>(a, b)</c> literals (not "iterable" to the <c>is iterable</c> test, as in @huggingface/jinja).</summary>
internal sealed class JinjaList(List<JinjaValue> items, bool isTuple = false) : JinjaValue
{
    public List<JinjaValue> Items { get; } = items;
    public bool IsTuple { get; } = isTuple;
    public override string Kind => IsTuple ? "tuple" : "list";
    public override bool IsTrue => Items.Count > 0;
    public override string Print() => JinjaJson.Write(this, new JinjaJson.Options(), 0, undefinedAsNull: false);
}

/// <summary>A dict (insertion-ordered), a <c>namespace(...)</c> (mutable by <c>set ns.x = …</c>), or keyword arguments.</summary>
internal sealed class JinjaDict(OrderedDictionary<string, JinjaValue> items, JinjaDict.DictKind dictKind = JinjaDict.DictKind.Dict) : JinjaValue
{
    public enum DictKind { Dict, Namespace, Keywords }

    public OrderedDictionary<string, JinjaValue> Items { get; } = items;
    public DictKind Sort { get; } = dictKind;
    public bool IsNamespace => Sort == DictKind.Namespace;
    public override string Kind => IsNamespace ? "namespace" : "dict";
    public override bool IsTrue => IsNamespace || Items.Count > 0;
    public override string Print() => JinjaJson.Write(this, new JinjaJson.Options(), 0, undefinedAsNull: false);
}

internal sealed class JinjaFunction(string name, Func<List<JinjaValue>, JinjaValue> invoke) : JinjaValue
{
    public string Name { get; } = name;
    public Func<List<JinjaValue>, JinjaValue> Invoke { get; } = invoke;
    public override string Kind => "function";
    public override string Print() => throw new JinjaError($"cannot print the function {Name}");
}
