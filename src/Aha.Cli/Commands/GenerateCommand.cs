using System.CommandLine;
using Aha.Checkpoints;
using Aha.Generation;
using Aha.Native;
using Aha.Models;
using Aha.Tokenization;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary><c>aha generate --model DIR --prompt TEXT [--chat]</c>: sample a completion from a HF checkpoint folder.</summary>
internal static class GenerateCommand
{
    internal static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF model folder: config.json, model.safetensors (or sharded), tokenizer.json.", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "Prompt text.", Required = true };
        var chat = new Option<bool>("--chat") { Description = "Wrap the prompt as a user turn with the model's chat template (tokenizer_config.json; ChatML when it has none) and a generation prompt." };
        var system = new Option<string?>("--system") { Description = "System prompt (with --chat)." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 128 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy.", DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass.", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens; 0 = off.", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable).", AllowMultipleArgumentsPerToken = true };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("generate", "Generate a completion with a local model.")
            { model, prompt, chat, system, maxNew, temperature, topP, topK, seed, stop, device };
        command.SetAction(parse => CliRun.Run(parse, () =>
        {
            var dev = AhaRuntime.Initialize(new RuntimeOptions { Device = parse.GetValue(device)! });
            var dir = parse.GetRequiredValue(model);
            var tokenizer = TokenizerLoader.Load(dir);
            RunModels.CheckVocabulary(ModelConfig.Load(Path.Combine(dir, "config.json")), tokenizer, "--model");
            using var lm = HfCheckpoint.LoadCausalLM(dir, dev);
            var text = parse.GetRequiredValue(prompt);
            if (parse.GetValue(chat))
            {
                var messages = new List<ChatMessage>();
                if (parse.GetValue(system) is string s) messages.Add(ChatMessage.System(s));
                messages.Add(ChatMessage.User(text));
                text = ChatTemplate.For(tokenizer).Render(messages, addGenerationPrompt: true);
            }
            var sampling = new SamplingParams
            {
                MaxNewTokens = parse.GetValue(maxNew), Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP),
                TopK = parse.GetValue(topK), Seed = parse.GetValue(seed), StopStrings = parse.GetValue(stop) ?? [],
                StopTokenIds = tokenizer.EosTokenId is int eos ? [eos] : [],
            };
            var completion = new LocalRolloutEngine(lm, tokenizer).Generate([tokenizer.Encode(text)], sampling)[0];
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(tokenizer.Decode(completion.TokenIds, skipSpecialTokens: true));
            parse.InvocationConfiguration.Error.WriteLine($"[{completion.TokenIds.Length} tokens, finish: {completion.FinishReason}]");
        }));
        return command;
    }
}
