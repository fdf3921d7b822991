using System.Text.Json.Nodes;

namespace Aha.Models;

/// <summary>
/// Llama-3.1-style RoPE frequency scaling (<c>rope_scaling.rope_type = "llama3"</c>). Other scaling kinds are
/// rejected when the config is read rather than silently ignored.
/// </summary>
public sealed record RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    public static RopeScaling? FromJson(JsonNode? node, string source)
    {
        if (node is not JsonObject o) return null;
        var kind = (o["rope_type"] ?? o["type"])?.GetValue<string>();
        if (kind is null or "default") return null;
        if (kind != "llama3")
            throw new InvalidDataException($"{source}: field 'rope_scaling.rope_type' is '{kind}'; supported: default, llama3.");
        double Get(string f) => o[f]?.GetValue<double>() ?? throw new InvalidDataException($"{source}: missing field 'rope_scaling.{f}'.");
        return new RopeScaling(Get("factor"), Get("low_freq_factor"), Get("high_freq_factor"), (int)Get("original_max_position_embeddings"));
    }

    /// <summary>Rescales inverse frequencies as transformers' <c>_compute_llama3_parameters</c> does.</summary>
    public double[] Apply(double[] invFreq)
    {
        double lowWavelen = OriginalMaxPositionEmbeddings / LowFreqFactor;
        double highWavelen = OriginalMaxPositionEmbeddings / HighFreqFactor;
        return invFreq.Select(f =>
        {
            double wavelen = 2 * Math.PI / f;
            if (wavelen < highWavelen) return f;                 // high frequency: unchanged
            if (wavelen > lowWavelen) return f / Factor;         // low frequency: fully scaled
            double smooth = (OriginalMaxPositionEmbeddings / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
            return (1 - smooth) * f / Factor + smooth * f;       // in between: interpolate
        }).ToArray();
    }
}
