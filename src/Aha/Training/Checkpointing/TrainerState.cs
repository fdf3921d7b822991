using Aha.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aha.Training.Checkpointing;

/// <summary>
/// The small, human-readable part of a checkpoint, saved as <c>trainer_state.json</c>: the step and
/// anything else a trainer needs to continue exactly (as JSON values by name).
/// </summary>
public sealed record TrainerState
{
    /// <summary>The file name inside a checkpoint folder.</summary>
    public const string FileName = "trainer_state.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Optimizer steps completed.</summary>
    public int Step { get; init; }

    /// <summary>
    /// Further state by name, e.g. <c>epoch</c>, <c>kl_coef</c> of an adaptive controller, <c>data_rng</c> (a
    /// <see cref="Aha.Data.SeededRandom.State"/>). Set with <see cref="With{T}"/>, read with <see cref="Get{T}"/>.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (serialised with System.Text.Json).</summary>
    public TrainerState With<T>(string key, T value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var extra = new Dictionary<string, JsonElement>(Extra, StringComparer.Ordinal) { [key] = JsonSerializer.SerializeToElement(value, Json) };
        return this with { Extra = extra };
    }

    /// <summary>The extra value <paramref name="key"/> as <typeparamref name="T"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such extra (the message lists the keys present).</exception>
    public T Get<T>(string key)
    {
        if (!Extra.TryGetValue(key, out var element))
            throw new KeyNotFoundException($"{FileName} has no '{key}'; it has: {string.Join(", ", Extra.Keys)}.");
        return element.Deserialize<T>(Json)!;
    }

    /// <summary>Writes <c>trainer_state.json</c> into <paramref name="dir"/> atomically.</summary>
    public void Save(string dir) => AtomicFile.WriteText(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>Reads <c>trainer_state.json</c> from <paramref name="dir"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid trainer state (names the file).</exception>
    public static TrainerState Load(string dir)
    {
        var path = Path.Combine(dir, FileName);
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty trainer state.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid trainer state ({Aha.Data.JsonErrors.Describe(e)}).", e);
        }
    }
}
