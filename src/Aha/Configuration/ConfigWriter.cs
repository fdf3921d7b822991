using Aha.IO;
using System.Collections;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Aha.Configuration;

/// <summary>
/// Writes a configuration back as YAML (snake_case keys, declaration order) that <see cref="ConfigLoader"/> reads back
/// to an equal configuration: the <c>resolved_config.yaml</c> of a run folder.
/// </summary>
public static class ConfigWriter
{
    /// <summary>The YAML text of <paramref name="config"/>, with optional <c># comment</c> header lines.</summary>
    public static string ToYaml(object config, ConfigValueParsers? parsers = null, IEnumerable<string>? header = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        foreach (var line in header ?? []) writer.WriteLine("# " + line);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        EmitValue(emitter, config, config.GetType(), parsers ?? ConfigValueParsers.Default);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    /// <summary>Writes <see cref="ToYaml"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, object config, ConfigValueParsers? parsers = null, IEnumerable<string>? header = null)
        => AtomicFile.WriteText(path, ToYaml(config, parsers, header));

    private static void EmitValue(IEmitter e, object? value, Type declared, ConfigValueParsers parsers)
    {
        if (value is null)
        {
            Scalar(e, "null", ScalarStyle.Plain);
            return;
        }
        var type = value.GetType();
        if (parsers.Find(Nullable.GetUnderlyingType(declared) ?? type) is { } parser) Text(e, parser.Format(value));
        else if (value is string s) Text(e, s);
        else if (value is bool b) Scalar(e, b ? "true" : "false", ScalarStyle.Plain);
        else if (value is double or float) Scalar(e, FormatFloat(Convert.ToDouble(value, CultureInfo.InvariantCulture)), ScalarStyle.Plain);
        else if (value is int or long) Scalar(e, Convert.ToString(value, CultureInfo.InvariantCulture)!, ScalarStyle.Plain);
        else if (value is IDictionary dict)
        {
            var valueType = ConfigTypes.DictionaryValue(declared) ?? typeof(object);
            e.Emit(new MappingStart(null, null, true, dict.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
            foreach (DictionaryEntry entry in dict)
            {
                Text(e, (string)entry.Key);
                EmitValue(e, entry.Value, valueType, parsers);
            }
            e.Emit(new MappingEnd());
        }
        else if (value is IEnumerable list && ConfigTypes.ListElement(declared) is { } element)
        {
            var items = list.Cast<object?>().ToList();
            bool flat = items.Count == 0 || !ConfigTypes.IsSection(Nullable.GetUnderlyingType(element) ?? element);
            e.Emit(new SequenceStart(null, null, true, flat ? SequenceStyle.Flow : SequenceStyle.Block));
            foreach (var item in items) EmitValue(e, item, element, parsers);
            e.Emit(new SequenceEnd());
        }
        else if (ConfigTypes.IsSection(type))
        {
            var properties = ConfigTypes.Properties(type);
            e.Emit(new MappingStart(null, null, true, properties.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
            foreach (var p in properties)
            {
                Scalar(e, p.Key, ScalarStyle.Plain);
                EmitValue(e, p.Info.GetValue(value), p.Type, parsers);
            }
            e.Emit(new MappingEnd());
        }
        else throw new InvalidOperationException($"Cannot write a config value of type {type.Name}.");
    }

    /// <summary>Strings that YAML would read as null, bool or a number (or that are empty) are double-quoted.</summary>
    private static void Text(IEmitter e, string s)
    {
        bool ambiguous = s.Length == 0 || s.Trim() != s
            || s is "~" or "null" or "Null" or "NULL" or "true" or "false" or "True" or "False" or "yes" or "no"
            || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            || s.StartsWith('.') && double.TryParse("0" + s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        Scalar(e, s, ambiguous ? ScalarStyle.DoubleQuoted : ScalarStyle.Any);
    }

    private static void Scalar(IEmitter e, string value, ScalarStyle style)
        => e.Emit(new YamlDotNet.Core.Events.Scalar(null, null, value, style, true, true));

    internal static string FormatFloat(double d) => d switch
    {
        double.PositiveInfinity => ".inf",
        double.NegativeInfinity => "-.inf",
        _ when double.IsNaN(d) => ".nan",
        _ => d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e"),
    };
}
