using Aha.Configuration;

namespace Aha.Training.Runs;

/// <summary>
/// TRL's config key names (<c>GRPOConfig</c>, <c>DPOConfig</c>, <c>SFTConfig</c>, <c>RewardConfig</c> and the
/// <c>TrainingArguments</c> they share) accepted at the top level of our run configs with TRL's meaning, so a TRL YAML
/// recipe runs unchanged where every key it uses has an equivalent, and a key without one is named as such.
/// </summary>
public static class TrlAliases
{
    /// <summary>TRL keys a run of ours has no use for, with why (shared by every trainer).</summary>
    static readonly ConfigAlias[] Unsupported =
    [
        ConfigAlias.Unsupported("output_dir", "runs go to --out/--name (default runs/<command>-<time>)."),
        ConfigAlias.Unsupported("logging_steps", "metrics are written every optimizer step."),
        ConfigAlias.Unsupported("bf16", "training runs in float32 (bf16 checkpoints load into float32 models)."),
        ConfigAlias.Unsupported("fp16", "training runs in float32."),
        ConfigAlias.Unsupported("gradient_checkpointing", "not implemented; shorten max lengths or the micro-batch instead."),
        ConfigAlias.Unsupported("lr_scheduler_type", "the schedule is linear warmup then cosine to min_lr_ratio·peak (constant without total steps)."),
        ConfigAlias.Unsupported("push_to_hub", "nothing is uploaded; the final HF folder is <run>/final."),
        ConfigAlias.Unsupported("use_vllm", "rollouts come from the local engine or rollout.endpoints (vLLM/SGLang/aha serve servers)."),
        ConfigAlias.Unsupported("deepspeed", "one process per machine; no distributed training."),
        ConfigAlias.Unsupported("fsdp", "one process per machine; no distributed training."),
        ConfigAlias.Unsupported("dataloader_num_workers", "data is streamed on the training thread."),
    ];

    static readonly ConfigAlias[] Runtime =
    [
        new("save_steps", "checkpointing.every"),
        new("save_total_limit", "checkpointing.keep_last"),
        new("use_cpu", "device", Values: new Dictionary<string, string> { ["true"] = "cpu" },
            Reason: "use device: cuda to train on a GPU."),
        // TRL's ModelConfig (PEFT): the adapters are model.lora here; any lora_* key turns it on unless use_peft is false.
        new("use_peft", "model.lora.enabled"),
        new("lora_r", "model.lora.r"),
        new("lora_alpha", "model.lora.alpha"),
        new("lora_dropout", "model.lora.dropout"),
        new("lora_target_modules", "model.lora.target_modules"),
    ];

    /// <summary>For <c>aha grpo</c>/<c>aha ppo</c> (<see cref="OnPolicyRunConfig"/>), with <c>GRPOConfig</c>'s meanings.</summary>
    public static IReadOnlyList<ConfigAlias> OnPolicy { get; } =
    [
        new("max_steps", "steps"),
        new("learning_rate", "trainer.learning_rate"),
        new("weight_decay", "trainer.weight_decay"),
        new("warmup_steps", "trainer.warmup_steps"),
        new("max_grad_norm", "trainer.max_grad_norm"),
        new("seed", "trainer.seed"),
        new("num_generations", "trainer.num_generations"),
        new("max_completion_length", "trainer.max_new_tokens"),
        new("temperature", "trainer.temperature"),
        new("top_p", "trainer.top_p"),
        new("top_k", "trainer.top_k"),
        new("num_iterations", "trainer.num_iterations"),
        new("beta", "trainer.beta"),
        // TRL: epsilon_high defaults to epsilon, so epsilon alone clips both sides.
        new("epsilon", "trainer.clip_low", AlsoTarget: "trainer.clip_high"),
        new("epsilon_high", "trainer.clip_high"),
        new("mask_truncated_completions", "trainer.mask_truncated_completions"),
        // TRL's loss_type picks the normaliser of the per-token loss: our aggregation modes.
        new("loss_type", "trainer.aggregation", Values: new Dictionary<string, string>
        {
            ["grpo"] = "seq-mean-token-mean", ["bnpo"] = "token-mean", ["dapo"] = "token-mean", ["dr_grpo"] = "seq-mean-token-sum-norm",
        }, Reason: "Other losses (GSPO, CISPO, SAPO, …) are presets here: --preset."),
        // TRL's scale_rewards: divide the group-centred reward by the group's std (GRPO) or not (Dr. GRPO).
        new("scale_rewards", "trainer.estimator", Values: new Dictionary<string, string>
        {
            ["true"] = "grpo", ["group"] = "grpo", ["false"] = "dr_grpo", ["none"] = "dr_grpo",
        }, Reason: "'batch' (std over the whole batch) is not implemented."),
        ConfigAlias.Unsupported("per_device_train_batch_size", "the batch is trainer.prompts_per_step × trainer.num_generations completions; micro-batches: trainer.micro_batch_size."),
        ConfigAlias.Unsupported("gradient_accumulation_steps", "set trainer.mini_batch_size / trainer.micro_batch_size (completions)."),
        ConfigAlias.Unsupported("generation_batch_size", "one step generates trainer.prompts_per_step × trainer.num_generations completions."),
        ConfigAlias.Unsupported("steps_per_generation", "set trainer.mini_batch_size: the batch is split into mini-batches, one optimizer step each."),
        ConfigAlias.Unsupported("max_prompt_length", "prompts are never truncated; prompt + max_new_tokens must fit the model's positions."),
        ConfigAlias.Unsupported("reward_weights", "weights are the values of the rewards mapping (rewards: {math: 1.0, format: 0.1})."),
        ConfigAlias.Unsupported("num_train_epochs", "on-policy runs are counted in steps (max_steps)."),
        .. Runtime, .. Unsupported,
    ];

    /// <summary>The <c>TrainingArguments</c> keys every offline trainer (SFT, reward model, DPO, KTO) shares.</summary>
    static readonly ConfigAlias[] Offline =
    [
        new("max_steps", "trainer.max_steps"),
        new("num_train_epochs", "trainer.epochs"),
        new("learning_rate", "trainer.learning_rate"),
        new("per_device_train_batch_size", "trainer.batch_size"),
        new("per_device_eval_batch_size", "trainer.eval_batch_size"),
        new("gradient_accumulation_steps", "trainer.gradient_accumulation_steps"),
        new("warmup_steps", "trainer.warmup_steps"),
        new("warmup_ratio", "trainer.warmup_ratio"),
        new("weight_decay", "trainer.weight_decay"),
        new("adam_beta1", "trainer.adam_beta1"),
        new("adam_beta2", "trainer.adam_beta2"),
        new("adam_epsilon", "trainer.adam_epsilon"),
        new("max_grad_norm", "trainer.max_grad_norm"),
        new("eval_steps", "trainer.eval_steps"),
        new("max_length", "trainer.max_length"),
        new("seed", "trainer.seed"),
        .. Runtime, .. Unsupported,
    ];

    /// <summary>For <c>aha sft</c>, with <c>SFTConfig</c>'s meanings.</summary>
    public static IReadOnlyList<ConfigAlias> Sft { get; } =
    [
        .. Offline,
        ConfigAlias.Fixed("completion_only_loss", "true", "the loss is always on completion tokens only (prompt tokens masked)."),
    ];

    /// <summary>For <c>aha rm</c>, with <c>RewardConfig</c>'s meanings.</summary>
    public static IReadOnlyList<ConfigAlias> RewardModel { get; } = Offline;

    /// <summary>For <c>aha dpo</c>, with <c>DPOConfig</c>'s meanings.</summary>
    public static IReadOnlyList<ConfigAlias> Dpo { get; } =
    [
        .. Offline,
        new("beta", "trainer.beta"),
        new("loss_type", "trainer.loss_type"),
        new("label_smoothing", "trainer.label_smoothing"),
        ConfigAlias.Unsupported("max_prompt_length", "prompts are kept whole; max_length bounds prompt + completion."),
        ConfigAlias.Unsupported("precompute_ref_log_probs", "reference log-probs are always computed once, before training."),
    ];

    /// <summary>For <c>aha kto</c>, with <c>KTOConfig</c>'s meanings.</summary>
    public static IReadOnlyList<ConfigAlias> Kto { get; } =
    [
        .. Offline,
        new("beta", "trainer.beta"),
        new("loss_type", "trainer.loss_type"),
        new("desirable_weight", "trainer.desirable_weight"),
        new("undesirable_weight", "trainer.undesirable_weight"),
        ConfigAlias.Unsupported("precompute_ref_log_probs", "reference log-probs are always computed once, before training."),
    ];
}
