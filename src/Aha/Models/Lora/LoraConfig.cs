using Aha.Configuration;

namespace Aha.Models.Lora;

/// <summary>
/// LoRA (arXiv:2106.09685) on a decoder's linear layers: y = W·x + (α/r)·B·A·dropout(x), W frozen, A: [r, in], B: [out, r].
/// Defaults are PEFT's <c>LoraConfig</c> (peft/tuners/lora/config.py): r = 8, lora_alpha = 8, lora_dropout = 0.0, and for
/// Llama/Qwen2/Qwen3 the target modules PEFT picks when none are given (q_proj, v_proj). bias "none" and
/// fan_in_fan_out false are the only values supported (HF Linear layers store W as [out, in]). As a config section
/// (<c>model.lora</c>) its keys are <c>enabled</c>, <c>r</c>, <c>alpha</c>, <c>dropout</c>, <c>target_modules</c>,
/// <c>use_rslora</c>; TRL's <c>use_peft</c>, <c>lora_r</c>, <c>lora_alpha</c>, <c>lora_dropout</c>,
/// <c>lora_target_modules</c> are accepted at the top level.
/// </summary>
public sealed record LoraConfig : IValidatableConfig
{
    /// <summary>PEFT's wildcard for every linear layer except the output head.</summary>
    public const string AllLinear = "all-linear";

    /// <summary>The linear layers of a Llama/Qwen decoder block, by Hugging Face module name.</summary>
    public static IReadOnlyList<string> LinearModules { get; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>Whether the adapters are on (a section that is present is on unless this is false; TRL's <c>use_peft</c>). The default value is true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Rank r of A and B. The default value is 8 (PEFT); 8–64 in practice.</summary>
    public int R { get; init; } = 8;

    /// <summary>α: the update is scaled by α/r (α/√r with <see cref="UseRslora"/>). The default value is 8 (PEFT); 2·r is common.</summary>
    public double Alpha { get; init; } = 8;

    /// <summary>Dropout probability on the adapter's input while training. The default value is 0 (PEFT).</summary>
    public double Dropout { get; init; }

    /// <summary>Module names to adapt (<c>q_proj</c> … <c>down_proj</c>), or the single entry <c>all-linear</c>. The default value is [q_proj, v_proj].</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "v_proj"];

    /// <summary>Rank-stabilised scaling α/√r (arXiv:2312.03732) instead of α/r. The default value is false (PEFT).</summary>
    public bool UseRslora { get; init; }

    /// <summary>
    /// A PEFT adapter folder (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>, e.g. a run's
    /// <c>final/adapter</c>) to start training from instead of fresh adapters (PEFT's <c>is_trainable=True</c>): its r,
    /// alpha, use_rslora and target_modules must equal this section's. Default null: fresh adapters (B = 0).
    /// </summary>
    public string? Adapter { get; init; }

    /// <summary>The scale of B·A: α/r, or α/√r with rsLoRA.</summary>
    public double Scaling => UseRslora ? Alpha / Math.Sqrt(R) : Alpha / R;

    /// <summary>The adapted module names, <c>all-linear</c> expanded, in block order.</summary>
    public IReadOnlyList<string> ResolvedTargets => TargetModules.Contains(AllLinear)
        ? LinearModules
        : LinearModules.Where(TargetModules.Contains).ToList();

    public IEnumerable<ConfigProblem> Problems()
    {
        if (R < 1) yield return new("r", "must be ≥ 1 (PEFT's default is 8).", R);
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) yield return new("alpha", "must be a positive number (the update is scaled by alpha/r).", Alpha);
        if (!(Dropout >= 0 && Dropout < 1)) yield return new("dropout", "must be a probability in [0, 1).", Dropout);
        if (TargetModules.Count == 0)
            yield return new("target_modules", $"is empty; name some of {string.Join(", ", LinearModules)}, or '{AllLinear}'.");
        foreach (var name in TargetModules.Where(n => n != AllLinear && !LinearModules.Contains(n)))
            yield return new("target_modules", $"'{name}' is not a linear layer of Llama/Qwen2/Qwen3 blocks; expected some of {string.Join(", ", LinearModules)}, or '{AllLinear}'" +
                                               (name is "lm_head" or "embed_tokens" ? " (the head and embedding cannot be adapted here)." : "."), name);
        if (TargetModules.Contains(AllLinear) && TargetModules.Count > 1)
            yield return new("target_modules", $"'{AllLinear}' already names every linear layer; give it alone or list the names.");
    }
}
