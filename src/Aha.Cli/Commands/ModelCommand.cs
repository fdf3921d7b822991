using System.CommandLine;
using Aha.Checkpoints;
using Aha.Models;
using Aha.Tokenization;

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
        init.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var modelConfig = ModelConfig.Load(parse.GetRequiredValue(config));
            using var model = new CausalLM(modelConfig);
            WeightInit.Initialize(model, modelConfig.InitializerRange, parse.GetValue(seed));
            var dir = parse.GetRequiredValue(output);
            if (parse.GetValue(tokenizer) is string tok)
            {
                var file = TokenizerLoader.ResolveFile(tok);
                TokenizerLoader.Load(file); // validate before writing anything
                Directory.CreateDirectory(dir);
                foreach (var name in new[] { TokenizerLoader.TokenizerFileName, "tokenizer_config.json" })
                {
                    var source = Path.Combine(Path.GetDirectoryName(file)!, name);
                    if (File.Exists(source)) AtomicFile.Write(Path.Combine(dir, name), s => { using var f = File.OpenRead(source); f.CopyTo(s); });
                }
            }
            HfCheckpoint.Save(model, modelConfig, dir);
            parse.InvocationConfiguration.Output.WriteLine($"{modelConfig.ModelType}: {modelConfig.ParameterCount():N0} parameters → {dir}");
        }));
        var command = new Command("model", "Model utilities.");
        command.Subcommands.Add(init);
        return command;
    }
}
