using System.CommandLine;
using System.Text.Json;
using Aha.Tokenization;

namespace Aha.Cli.Commands;

/// <summary>`aha tokenize --tokenizer FILE --text TEXT`: prints the token ids of TEXT as a JSON array.</summary>
internal static class TokenizeCommand
{
    internal static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "A tokenizer.json, or a model folder holding one (BPE: byte-level or SentencePiece-style; or Aha's character tokenizer).",
            Required = true,
        };
        var text = new Option<string>("--text")
        {
            Description = "Text to encode. Added tokens such as <|im_start|> or <think> are matched atomically; no BOS/EOS is added.",
            Required = true,
        };
        var command = new Command("tokenize", "Encode text and print the token ids as a JSON array.") { tokenizer, text };
        command.SetAction(parse => CliRun.Run(parse, () =>
        {
            var ids = TokenizerLoader.Load(parse.GetRequiredValue(tokenizer)).Encode(parse.GetRequiredValue(text));
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(ids));
        }));
        return command;
    }
}
