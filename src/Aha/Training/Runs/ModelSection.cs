using Aha.Checkpoints;
using Aha.Configuration;
using Aha.Models.Lora;

namespace Aha.Training.Runs;

/// <summary>
/// Where a run's starting model and tokenizer come from: a Hugging Face folder (<see cref="Path"/>), a randomly
/// initialised model (<see cref="Init"/>: <c>tiny</c> for the built-in tiny Qwen2, or a <c>config.json</c>), or a small
/// base pretrained on a synthetic corpus, built on first use and cached (<see cref="Pretrain"/>). At most one of the
/// three is set; none means <c>init: tiny</c>.
/// </summary>
public sealed record ModelSection : IValidatableConfig
{
    /// <summary>The built-in tiny model's name for <see cref="Init"/>.</summary>
    public const string Tiny = "tiny";

    /// <summary>The built-in character tokenizer's name for <see cref="Tokenizer"/>.</summary>
    public const string Char = "char";

    /// <summary>HF folder: <c>config.json</c>, <c>model.safetensors</c> (or sharded), <c>tokenizer.json</c>. Default null.</summary>
    public string? Path { get; init; }

    /// <summary><c>tiny</c> or a <c>config.json</c> path: a random model (weights ~ N(0, initializer_range²)). Null with no
    /// <see cref="Path"/> means <c>tiny</c>. Default null.</summary>
    public string? Init { get; init; }

    /// <summary>
    /// A base pretrained on <c>aha r1zero</c>'s synthetic corpus (model and character tokenizer), built on first use and
    /// cached; see <see cref="PretrainSection"/>. Default null.
    /// </summary>
    public PretrainSection? Pretrain { get; init; }

    /// <summary>
    /// A <c>tokenizer.json</c> (or a folder holding one), or <c>char</c> for a character tokenizer over printable ASCII
    /// plus the data's other characters. Null: the model folder's tokenizer, or <c>char</c> with <c>init: tiny</c>.
    /// </summary>
    public string? Tokenizer { get; init; }

    /// <summary>Seed of the random initialisation (and of a fresh reward/value head, and of LoRA's A). The default value is 0.</summary>
    public long InitSeed { get; init; }

    /// <summary>
    /// LoRA adapters on the trained model (<c>lora: {r: 16, alpha: 32, dropout: 0.05, target_modules: [q_proj, v_proj]}</c>):
    /// only the adapters train, the reference policy is the base with them off, checkpoints and <c>final/adapter/</c>
    /// hold them in PEFT's format. Null (the default): full fine-tuning.
    /// </summary>
    public LoraConfig? Lora { get; init; }

    /// <summary><see cref="Lora"/> when it is present and enabled.</summary>
    public LoraConfig? ActiveLora => Lora is { Enabled: true } l ? l : null;

    /// <summary>The tokenizer actually used: <see cref="Tokenizer"/>, else the model folder, else <c>char</c>; null with
    /// <see cref="Pretrain"/> until <see cref="RunModels"/> resolves the base to its folder.</summary>
    public string? ResolvedTokenizer => Tokenizer ?? Path ?? (ResolvedInit == Tiny ? Char : null);

    /// <summary>The random model to build when there is neither <see cref="Path"/> nor <see cref="Pretrain"/>: <see cref="Init"/>, else <c>tiny</c>.</summary>
    public string? ResolvedInit => Path is null && Pretrain is null ? Init ?? Tiny : null;

    /// <summary>A starting adapter must exist, be a valid PEFT LoRA adapter and have this section's shape and scale.</summary>
    static IEnumerable<ConfigProblem> AdapterProblems(LoraConfig lora, string dir)
    {
        if (!PeftAdapter.IsAdapterFolder(dir))
        {
            yield return new ConfigProblem("lora.adapter", $"'{dir}' is not a PEFT adapter folder (no {PeftAdapter.ConfigFile}).", dir);
            yield break;
        }
        var (saved, error) = ReadAdapterConfig(dir);
        if (saved is null)
        {
            yield return new ConfigProblem("lora.adapter", error!, dir);
            yield break;
        }
        string Adapter(string field, object value) => $"the adapter {dir} has {field} = {value}; set this key to match it (or start from fresh adapters).";
        if (saved.R != lora.R) yield return new ConfigProblem("lora.r", $"is {lora.R} but {Adapter("r", saved.R)}", lora.R);
        if (saved.Alpha != lora.Alpha) yield return new ConfigProblem("lora.alpha", $"is {lora.Alpha} but {Adapter("lora_alpha", saved.Alpha)}", lora.Alpha);
        if (saved.UseRslora != lora.UseRslora) yield return new ConfigProblem("lora.use_rslora", $"is {lora.UseRslora} but {Adapter("use_rslora", saved.UseRslora)}", lora.UseRslora);
        if (!saved.ResolvedTargets.SequenceEqual(lora.ResolvedTargets))
            yield return new ConfigProblem("lora.target_modules", $"is [{string.Join(", ", lora.TargetModules)}] but {Adapter("target_modules", $"[{string.Join(", ", saved.TargetModules)}]")}");
    }

    static (LoraConfig? Config, string? Error) ReadAdapterConfig(string dir)
    {
        try { return (PeftAdapter.ReadConfig(dir), null); }
        catch (Exception e) when (e is InvalidDataException or IOException) { return (null, e.Message); }
    }

    public IEnumerable<ConfigProblem> Problems()
    {
        if (new object?[] { Path, Init, Pretrain }.Count(v => v is not null) > 1)
        {
            yield return new ConfigProblem("", "set only one of 'path' (a Hugging Face model folder), 'init' (tiny, or a config.json for a random model) " +
                                               "and 'pretrain' (a base pretrained on a synthetic corpus).");
            yield break;
        }
        if (Pretrain is not null)
        {
            if (Tokenizer is not null) yield return new ConfigProblem("tokenizer", "must not be set with 'pretrain': the base brings its own character tokenizer.", Tokenizer);
            yield break;
        }
        if (Path is not null)
        {
            if (!Directory.Exists(Path)) yield return new ConfigProblem("path", $"model folder '{Path}' not found.");
            else if (!File.Exists(System.IO.Path.Combine(Path, "config.json"))) yield return new ConfigProblem("path", $"'{Path}' has no config.json; expected a Hugging Face model folder.");
        }
        if (ActiveLora is { Adapter: { } adapter } lora)
            foreach (var problem in AdapterProblems(lora, adapter)) yield return problem;
        if (Init is not null && Init != Tiny && !File.Exists(Init))
            yield return new ConfigProblem("init", $"'{Init}' is neither 'tiny' nor an existing config.json.");
        if (ResolvedTokenizer is null)
            yield return new ConfigProblem("tokenizer", "is required with 'init: <config.json>': a tokenizer.json, a folder holding one, or 'char'.");
        else if (ResolvedTokenizer != Char && Tokenizer is not null && !File.Exists(Tokenizer) && !Directory.Exists(Tokenizer))
            yield return new ConfigProblem("tokenizer", $"'{Tokenizer}' not found; expected a tokenizer.json, a folder holding one, or 'char'.");
    }
}
