using Aha.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Aha.Training.Checkpointing;

/// <summary>
/// The small, human-readable part of every trainer's checkpoint, saved as <c>trainer_state.json</c>: the step and the
/// fields a trainer needs to continue exactly, each a top-level JSON value by name
/// (<c>{"step": 3, "prompt_position": 12, "beta": 0.04, …}</c>).
/// <para>Files written before this layout still load: the on-policy trainer already wrote flat fields, and the offline
/// trainers' <c>{"step": n, "extra": {…}}</c> has its <c>extra</c> object's members read as fields.</para>
/// </summary>
public sealed record TrainerState
{
    /// <summary>The file name inside a checkpoint folder.</summary>
    public const string FileName = "trainer_state.json";

    const string StepKey = "step";
    const string LegacyExtraKey = "extra";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Optimizer steps completed.</summary>
    public int Step { get; init; }

    /// <summary>
    /// Further state by name, e.g. <c>prompt_position</c>, <c>beta</c> of an adaptive KL controller, <c>seed</c>,
    /// <c>train_size</c>. Set with <see cref="With{T}"/>, read with <see cref="Get{T}"/>.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Where the state was read from (for error messages); the file name for a state built in code.</summary>
    public string Source { get; init; } = FileName;

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (serialised with System.Text.Json).</summary>
    public TrainerState With<T>(string key, T value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key == StepKey) throw new ArgumentException($"'{StepKey}' is the Step property, not an extra field.", nameof(key));
        var extra = new Dictionary<string, JsonElement>(Extra, StringComparer.Ordinal) { [key] = JsonSerializer.SerializeToElement(value, Json) };
        return this with { Extra = extra };
    }

    /// <summary>The field <paramref name="key"/> as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidDataException">No such field, or one of another type (names the file and the field).</exception>
    public T Get<T>(string key)
    {
        if (!Extra.TryGetValue(key, out var element))
            throw new InvalidDataException($"{Source}: no field '{key}'; it has: {string.Join(", ", Extra.Keys.Prepend(StepKey))}.");
        try
        {
            return element.Deserialize<T>(Json)!;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Source}: field '{key}' is {element.GetRawText()}; expected a {typeof(T).Name}.", e);
        }
    }

    /// <summary>The JSON text: <c>step</c> first, then the fields in the order set.</summary>
    public string ToJson()
    {
        var root = new JsonObject { [StepKey] = Step };
        foreach (var (key, value) in Extra) root[key] = JsonNode.Parse(value.GetRawText());
        return root.ToJsonString(Json);
    }

    /// <summary>Writes <c>trainer_state.json</c> into <paramref name="dir"/> atomically.</summary>
    public void Save(string dir) => AtomicFile.WriteText(Path.Combine(dir, FileName), ToJson());

    /// <summary>Reads <c>trainer_state.json</c> from <paramref name="dir"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid trainer state (names the file).</exception>
    public static TrainerState Load(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found; not a checkpoint folder.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses the JSON text of a trainer state; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, not an object, or no integer <c>step</c>.</exception>
    public static TrainerState Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid trainer state ({Aha.Data.JsonErrors.Describe(e)}).", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: not a valid trainer state (expected a JSON object, found {root.ValueKind}).");
            if (!root.TryGetProperty(StepKey, out var step) || step.ValueKind != JsonValueKind.Number || !step.TryGetInt32(out int n))
                throw new InvalidDataException($"{source}: field '{StepKey}' must be an integer.");
            var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var field in root.EnumerateObject())
            {
                if (field.Name == StepKey) continue;
                if (field.Name == LegacyExtraKey && field.Value.ValueKind == JsonValueKind.Object)
                    foreach (var inner in field.Value.EnumerateObject()) extra[inner.Name] = inner.Value.Clone();
                else extra[field.Name] = field.Value.Clone();
            }
            return new TrainerState { Step = n, Extra = extra, Source = source };
        }
    }
}
