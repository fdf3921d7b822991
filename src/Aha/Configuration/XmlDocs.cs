using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Aha.Configuration;

/// <summary>
/// Reads the XML documentation file the compiler writes beside an assembly (<c>Aha.xml</c>), so config keys are
/// described by the same doc comments as the code. Missing file or member: null.
/// </summary>
internal static partial class XmlDocs
{
    static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, string>> Files = new();

    /// <summary>The one-line summary of a property.</summary>
    public static string? Summary(PropertyInfo p) => Find(p.DeclaringType!.Assembly, $"P:{Name(p.DeclaringType!)}.{p.Name}");

    /// <summary>The one-line summary of a type.</summary>
    public static string? Summary(Type t) => Find(t.Assembly, $"T:{Name(t)}");

    static string Name(Type t) => (t.FullName ?? t.Name).Replace('+', '.');

    static string? Find(Assembly assembly, string member) =>
        Files.GetOrAdd(assembly, Load).TryGetValue(member, out var text) ? text : null;

    static IReadOnlyDictionary<string, string> Load(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(assembly.Location) || !File.Exists(path)) return members;
        foreach (var m in XDocument.Load(path).Descendants("member"))
            if (m.Attribute("name")?.Value is { } name && m.Element("summary") is { } summary)
                members[name] = OneLine(summary);
        return members;
    }

    /// <summary>The summary's text with <c>cref</c>s as their last name part, whitespace collapsed.</summary>
    static string OneLine(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(Text));
        return Spaces().Replace(text, " ").Trim();
    }

    static string Text(XNode node) => node switch
    {
        XText t => t.Value,
        XElement { Name.LocalName: "see" or "seealso" } e =>
            e.Attribute("langword")?.Value ?? (e.Attribute("cref")?.Value is { } cref ? LastPart(cref) : string.Concat(e.Nodes().Select(Text))),
        XElement { Name.LocalName: "paramref" or "typeparamref" } e => e.Attribute("name")?.Value ?? "",
        XElement e => string.Concat(e.Nodes().Select(Text)),
        _ => "",
    };

    static string LastPart(string cref)
    {
        var name = cref.Contains(':') ? cref[(cref.IndexOf(':') + 1)..] : cref;
        var paren = name.IndexOf('(');
        if (paren >= 0) name = name[..paren];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
