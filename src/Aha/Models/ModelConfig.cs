using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aha.Models;

/// <summary>Decoder families Aha builds. All share one implementation, switched by flags.</summary>
public enum ModelFamily { Llama, Qwen2, Qwen3 }

/// <summary>
/// A Hugging Face <c>config.json</c> for Llama / Qwen2 / Qwen3 decoders. Field names in the file are HF's;
/// unknown fields are kept (in <see cref="Raw"/>) and written back on save so a round trip loses nothing.
/// </summary>
public sealed record ModelConfig
{
    public ModelFamily Family { get; init; } = ModelFamily.Qwen2;
    public int VocabSize { get; init; }
    public int HiddenSize { get; init; }
    public int IntermediateSize { get; init; }
    public int NumLayers { get; init; }
    public int NumHeads { get; init; }
    public int NumKvHeads { get; init; }
    /// <summary>Per-head width. Qwen3 sets it explicitly (may differ from hidden/heads); otherwise hidden/heads.</summary>
    public int HeadDim { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000;
    public RopeScaling? RopeScaling { get; init; }
    public int MaxPositionEmbeddings { get; init; } = 32768;
    /// <summary>Bias on q/k/v projections: always on for Qwen2, <c>attention_bias</c> for Llama/Qwen3.</summary>
    public bool QkvBias { get; init; }
    /// <summary>Bias on o_proj: Llama's <c>attention_bias</c> covers it too; Qwen2/Qwen3 never have it.</summary>
    public bool OutputBias { get; init; }
    public bool MlpBias { get; init; }
    /// <summary>RMSNorm over head_dim on q and k before RoPE (Qwen3).</summary>
    public bool QkNorm { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public double InitializerRange { get; init; } = 0.02;
    public int? BosTokenId { get; init; }
    public int? EosTokenId { get; init; }
    public string TorchDtype { get; init; } = "float32";
    /// <summary>The parsed file, with fields Aha does not model; null for configs built in code.</summary>
    public JsonObject? Raw { get; init; }

    public string ModelType => Family switch
    {
        ModelFamily.Llama => "llama",
        ModelFamily.Qwen2 => "qwen2",
        ModelFamily.Qwen3 => "qwen3",
        _ => throw new InvalidOperationException(),
    };

    string Architecture => Family switch
    {
        ModelFamily.Llama => "LlamaForCausalLM",
        ModelFamily.Qwen2 => "Qwen2ForCausalLM",
        _ => "Qwen3ForCausalLM",
    };

    /// <summary>Parameter count (tied head counted once).</summary>
    public long ParameterCount()
    {
        long h = HiddenSize, q = (long)NumHeads * HeadDim, kv = (long)NumKvHeads * HeadDim;
        long attn = h * q + 2 * h * kv + q * h + (QkvBias ? q + 2 * kv : 0) + (OutputBias ? h : 0) + (QkNorm ? 2L * HeadDim : 0);
        long mlp = 3 * h * IntermediateSize + (MlpBias ? 2L * IntermediateSize + h : 0);
        long layer = attn + mlp + 2 * h;
        return VocabSize * h * (TieWordEmbeddings ? 1 : 2) + NumLayers * layer + h;
    }

    /// <summary>Checks the sizes fit together; throws naming every bad field at once.</summary>
    public ModelConfig Validate(string source = "config")
    {
        var errors = new List<string>();
        void Positive(string field, int value) { if (value <= 0) errors.Add($"{field} must be > 0 (got {value})"); }
        Positive("vocab_size", VocabSize); Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize); Positive("num_hidden_layers", NumLayers);
        Positive("num_attention_heads", NumHeads); Positive("num_key_value_heads", NumKvHeads); Positive("head_dim", HeadDim);
        if (NumKvHeads > 0 && NumHeads % NumKvHeads != 0)
            errors.Add($"num_attention_heads ({NumHeads}) must be divisible by num_key_value_heads ({NumKvHeads})");
        if (HeadDim % 2 != 0) errors.Add($"head_dim ({HeadDim}) must be even for rotary embeddings");
        if (errors.Count > 0) throw new InvalidDataException($"{source}: " + string.Join("; ", errors) + ".");
        return this;
    }

    public static ModelConfig Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"Model config not found: {path}", path);
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path}: empty JSON."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON at {Aha.Data.JsonErrors.Describe(e)}", e); }
        return FromJson(json, path);
    }

    public static ModelConfig FromJson(JsonObject json, string source = "config.json")
    {
        string modelType = Str(json, "model_type", source) ?? throw new InvalidDataException($"{source}: missing field 'model_type' (expected one of llama, qwen2, qwen3).");
        var family = modelType switch
        {
            "llama" => ModelFamily.Llama,
            "qwen2" => ModelFamily.Qwen2,
            "qwen3" => ModelFamily.Qwen3,
            _ => throw new InvalidDataException($"{source}: field 'model_type' is '{Shown(modelType)}'; supported: llama, qwen2, qwen3."),
        };
        if (json["use_sliding_window"] is JsonValue sw && sw.GetValue<bool>())
            throw new InvalidDataException($"{source}: field 'use_sliding_window' is true; sliding-window attention is not supported.");
        int hidden = Int(json, "hidden_size", source) ?? Missing<int>(source, "hidden_size");
        int heads = Int(json, "num_attention_heads", source) ?? Missing<int>(source, "num_attention_heads");
        bool attentionBias = Bool(json, "attention_bias", source) ?? false;
        return new ModelConfig
        {
            Family = family,
            VocabSize = Int(json, "vocab_size", source) ?? Missing<int>(source, "vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = Int(json, "intermediate_size", source) ?? Missing<int>(source, "intermediate_size"),
            NumLayers = Int(json, "num_hidden_layers", source) ?? Missing<int>(source, "num_hidden_layers"),
            NumHeads = heads,
            NumKvHeads = Int(json, "num_key_value_heads", source) ?? heads,
            HeadDim = Int(json, "head_dim", source) ?? (heads > 0 ? hidden / heads : 0),
            RmsNormEps = Num(json, "rms_norm_eps", source) ?? 1e-6,
            RopeTheta = Num(json, "rope_theta", source) ?? 10000,
            RopeScaling = Models.RopeScaling.FromJson(json["rope_scaling"], source),
            MaxPositionEmbeddings = Int(json, "max_position_embeddings", source) ?? 32768,
            QkvBias = family == ModelFamily.Qwen2 || attentionBias,
            OutputBias = family == ModelFamily.Llama && attentionBias,
            MlpBias = family == ModelFamily.Llama && (Bool(json, "mlp_bias", source) ?? false),
            QkNorm = family == ModelFamily.Qwen3,
            TieWordEmbeddings = Bool(json, "tie_word_embeddings", source) ?? false,
            InitializerRange = Num(json, "initializer_range", source) ?? 0.02,
            BosTokenId = FirstInt(json["bos_token_id"]),
            EosTokenId = FirstInt(json["eos_token_id"]),
            TorchDtype = Str(json, "torch_dtype", source) ?? Str(json, "dtype", source) ?? "float32",
            Raw = json,
        }.Validate(source);
    }

    /// <summary>The HF config.json text: the original fields, with Aha's values written over them.</summary>
    public string ToJson(string? torchDtype = null)
    {
        var json = Raw is null ? new JsonObject() : (JsonObject)Raw.DeepClone();
        json["architectures"] = new JsonArray(Architecture);
        json["model_type"] = ModelType;
        json["vocab_size"] = VocabSize;
        json["hidden_size"] = HiddenSize;
        json["intermediate_size"] = IntermediateSize;
        json["num_hidden_layers"] = NumLayers;
        json["num_attention_heads"] = NumHeads;
        json["num_key_value_heads"] = NumKvHeads;
        json["head_dim"] = HeadDim;
        json["rms_norm_eps"] = RmsNormEps;
        json["rope_theta"] = RopeTheta;
        json["max_position_embeddings"] = MaxPositionEmbeddings;
        json["tie_word_embeddings"] = TieWordEmbeddings;
        json["initializer_range"] = InitializerRange;
        if (Family != ModelFamily.Qwen2) json["attention_bias"] = QkvBias;
        if (Family == ModelFamily.Llama) json["mlp_bias"] = MlpBias;
        if (BosTokenId is int bos) json["bos_token_id"] = bos;
        if (EosTokenId is int eos && Raw?["eos_token_id"] is not JsonArray) json["eos_token_id"] = eos;
        json["torch_dtype"] = torchDtype ?? TorchDtype;
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>A value as quoted in an error: cut short, so a hostile 10 MB field does not become a 10 MB message.</summary>
    static string Shown(string value) => value.Length <= 60 ? value : value[..60] + "…";

    static T Missing<T>(string source, string field) => throw new InvalidDataException($"{source}: missing required field '{field}'.");

    static int? Int(JsonObject j, string field, string source) => Typed(j, field, source, "an integer", n => n.GetValue<int>());
    static double? Num(JsonObject j, string field, string source) => Typed(j, field, source, "a number", n => n.GetValue<double>());
    static bool? Bool(JsonObject j, string field, string source) => Typed(j, field, source, "true or false", n => n.GetValue<bool>());
    static string? Str(JsonObject j, string field, string source) => j[field] is null ? null : Typed(j, field, source, "a string", n => n.GetValue<string>());

    static T? Typed<T>(JsonObject j, string field, string source, string expected, Func<JsonValue, T> read) where T : struct
        => j[field] switch
        {
            null => null,
            JsonValue v => TryRead(v, read) ?? throw new InvalidDataException($"{source}: field '{field}' is {Shown(v.ToJsonString())}; expected {expected}."),
            var other => throw new InvalidDataException($"{source}: field '{field}' is {Shown(other.ToJsonString())}; expected {expected}."),
        };

    static string Typed(JsonObject j, string field, string source, string expected, Func<JsonValue, string> read)
        => j[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? read(v)
           : throw new InvalidDataException($"{source}: field '{field}' is {Shown(j[field]?.ToJsonString() ?? "missing")}; expected {expected}.");

    static T? TryRead<T>(JsonValue v, Func<JsonValue, T> read) where T : struct
    {
        try { return read(v); } catch (Exception e) when (e is FormatException or InvalidOperationException) { return null; }
    }

    static int? FirstInt(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonArray { Count: > 0 } a => FirstInt(a[0]),
        _ => null,
    };
}
