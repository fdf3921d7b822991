using System.CommandLine;
using Aha.Checkpoints;
using Aha.Models;
using Aha.Tokenization;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary><c>aha model init --config config.json --out DIR</c>: a randomly initialised HF checkpoint, for tests and tiny demos.</summary>
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
        return command;
    }
}
