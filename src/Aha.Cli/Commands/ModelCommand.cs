using System.CommandLine;
using Aha.Checkpoints;
using Aha.Models;
using Aha.Tokenization;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha model init --config config.json --out DIR</c>: a randomly initialised HF checkpoint, for tests and tiny demos.
/// <c>aha model merge-lora --base DIR --adapter DIR --out DIR</c>: a PEFT LoRA adapter merged into its base, as a HF folder.
/// </summary>
internal static class ModelCommand
{
    internal static Command Create()
    {
        var config = new Option<string>("--config") { Description = "A Hugging Face config.json (llama, qwen2 or qwen3).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to write config.json and model.safetensors into.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Initialisation seed.", DefaultValueFactory = _ => 0 };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "A tokenizer.json (or folder) to copy beside the weights." };
        var init = new Command("init", "Write a randomly initialised checkpoint (weights ~ N(0, initializer_range²), norms 1).")
            { config, output, seed, tokenizer };
        init.SetAction(parse => CliRun.Run(parse, () =>
        {
            var modelConfig = ModelConfig.Load(parse.GetRequiredValue(config));
            var dir = parse.GetRequiredValue(output);
            var tok = parse.GetValue(tokenizer);
            var loaded = tok is null ? null : TokenizerLoader.Load(tok); // validated before anything is written
            if (loaded is not null) RunModels.CheckVocabulary(modelConfig, loaded, "--config/--tokenizer");
            using var model = new CausalLM(modelConfig);
            WeightInit.Initialize(model, modelConfig.InitializerRange, parse.GetValue(seed));
            if (loaded is not null) RunModels.SaveTokenizer(loaded, new ModelSection { Tokenizer = tok }, dir);
            HfCheckpoint.Save(model, modelConfig, dir);
            parse.InvocationConfiguration.Output.WriteLine($"{modelConfig.ModelType}: {modelConfig.ParameterCount():N0} parameters → {dir}");
        }));
        var command = new Command("model", "Model utilities.");
        command.Subcommands.Add(init);
        command.Subcommands.Add(MergeLora());
        return command;
    }

    static Command MergeLora()
    {
        var baseDir = new Option<string>("--base") { Description = "The base model's Hugging Face folder (config.json + safetensors).", Required = true };
        var adapter = new Option<string>("--adapter") { Description = "A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors).", Required = true };
        var output = new Option<string>("--out") { Description = "New folder for the merged model (written to a temporary name, then renamed).", Required = true };
        var merge = new Command("merge-lora", "Merge a LoRA adapter into its base model: W + (alpha/r)·B·A, saved as a plain HF folder.")
            { baseDir, adapter, output };
        merge.SetAction(parse => CliRun.Run(parse, () =>
        {
            var dir = parse.GetRequiredValue(output);
            int layers = LoraMerge.Merge(parse.GetRequiredValue(baseDir), parse.GetRequiredValue(adapter), dir);
            parse.InvocationConfiguration.Output.WriteLine($"merged {layers} LoRA layers → {dir}");
        }));
        return merge;
    }
}
