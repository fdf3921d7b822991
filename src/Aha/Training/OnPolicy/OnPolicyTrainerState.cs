using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aha.Training.OnPolicy;

/// <summary>The scalar part of an on-policy checkpoint (<c>trainer_state.json</c>).</summary>
/// <param name="Step">Optimisation steps completed.</param>
/// <param name="PromptPosition">Prompts drawn from the prompt source so far.</param>
/// <param name="Beta">The KL coefficient after the last step (adaptive controller state).</param>
/// <param name="Preset">The preset the run used (checked on load).</param>
/// <param name="Seed">The sampling seed the run used.</param>
/// <param name="HasCritic">Whether a value model and its optimiser were saved.</param>
public sealed record OnPolicyTrainerState(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("prompt_position")] long PromptPosition,
    [property: JsonPropertyName("beta")] double Beta,
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("has_critic")] bool HasCritic)
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <exception cref="InvalidDataException">Malformed JSON or a missing field, naming <paramref name="source"/>.</exception>
    public static OnPolicyTrainerState FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<OnPolicyTrainerState>(json, Options)
                ?? throw new InvalidDataException($"{source}: empty trainer state.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: invalid trainer state at {Aha.Data.JsonErrors.Describe(e)}", e);
        }
    }
}
