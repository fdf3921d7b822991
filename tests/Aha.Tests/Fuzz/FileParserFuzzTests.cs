using System.Text;
using Aha.Configuration;
using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Training.Runs;

namespace Aha.Tests.Fuzz;

/// <summary>
/// Every file parser on seeded hostile variants of a valid file (truncations, flipped bytes, NUL, invalid UTF-8,
/// lone surrogates, huge numbers) plus deep nesting and a 10 MB line: a valid result or the parser's typed error
/// naming the file. See <see cref="HostileInputs"/> and <see cref="ParserProperty"/>.
/// </summary>
public sealed class FileParserFuzzTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IEnumerable<(string, byte[])> Variants(string valid, int seed, params (string Name, string Text)[] extra) =>
        HostileInputs.Mutations(Encoding.UTF8.GetBytes(valid), seed)
            .Concat(extra.Select(e => (e.Name, Encoding.UTF8.GetBytes(e.Text))));

    private static string RepoFile(string relative)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Aha.sln"))) dir = Path.GetDirectoryName(dir)!;
        return File.ReadAllText(Path.Combine(dir, relative));
    }

    [Fact]
    public void YamlConfig_HostileVariants_GiveConfigErrorsNamingTheFile()
    {
        var valid = RepoFile("configs/grpo-tiny.yaml");
        int ok = ParserProperty.Check<ConfigException>(_dir, "run.yaml", Variants(valid, 1,
                ("deep flow nesting", "steps: " + HostileInputs.Nested("[", "]", 100_000)),
                ("deep block nesting", string.Concat(Enumerable.Range(0, 5_000).Select(i => new string(' ', i) + "a:\n"))),
                ("10 MB line", "steps: " + HostileInputs.Repeat("9", HostileInputs.HugeLineBytes)),
                ("10 MB key", HostileInputs.Repeat("k", HostileInputs.HugeLineBytes) + ": 1"),
                ("huge steps", "steps: 99999999999999999999999"),
                ("lone surrogate escape", "model: {init: \"\\uD800\"}"),
                ("anchors", "a: &a [1]\nb: *a\nsteps: *a")),
            path => ConfigLoader.Apply(new OnPolicyRunConfig(), path));
        Assert.InRange(ok, 1, 200); // the untouched prefixes parse; most variants do not
    }

    [Fact]
    public void Jsonl_HostileVariants_GiveDataErrorsNamingTheFile()
    {
        var valid = "{\"prompt\": \"1+1=\", \"answer\": \"2\"}\n{\"prompt\": \"2+3=\", \"answer\": \"5\"}\n";
        int ok = ParserProperty.Check<DataFormatException>(_dir, "data.jsonl", Variants(valid, 2,
                ("deep nesting", "{\"prompt\": " + HostileInputs.Nested("[", "]", 100_000) + "}"),
                ("10 MB line", "{\"prompt\": \"" + HostileInputs.Repeat("x", HostileInputs.HugeLineBytes) + "\", \"answer\": \"1\"}"),
                ("10 MB garbage line", HostileInputs.Repeat("{", HostileInputs.HugeLineBytes)),
                ("huge number answer", "{\"prompt\": \"p\", \"answer\": 1e999999}"),
                ("lone surrogate escape", "{\"prompt\": \"\\uD800\", \"answer\": \"1\"}")),
            path => PromptDataReader.Read(path).ToList());
        Assert.InRange(ok, 1, 200);
    }

    [Fact]
    public void TokenizerJson_HostileVariants_GiveTokenizerErrorsNamingTheFile()
    {
        var valid = Aha.Tests.Tokenization.TinyBpeTests.Json();
        int ok = ParserProperty.Check<TokenizerFormatException>(_dir, "tokenizer.json", Variants(valid, 3,
                ("deep nesting", "{\"model\": " + HostileInputs.Nested("[", "]", 100_000) + "}"),
                ("10 MB vocab key", valid.Replace("\"a\": 7", "\"" + HostileInputs.Repeat("a", HostileInputs.HugeLineBytes) + "\": 7")),
                ("huge id", valid.Replace("\"a\": 7", "\"a\": 99999999999999999999")),
                ("negative id", valid.Replace("\"a\": 7", "\"a\": -7")),
                ("duplicate id", valid.Replace("\"a\": 7", "\"a\": 0")),
                ("lone surrogate escape", valid.Replace("\"a\": 7", "\"\\uD800\": 7"))),
            path => TokenizerLoader.Load(path).Encode("the a<think>\0"));
        Assert.InRange(ok, 1, 200);
    }

    [Fact]
    public void ModelConfigJson_HostileVariants_GiveInvalidDataNamingTheFile()
    {
        var valid = TinyModels.Qwen2().ToJson("float32");
        int ok = ParserProperty.Check<InvalidDataException>(_dir, "config.json", Variants(valid, 4,
                ("deep nesting", "{\"model_type\": \"qwen2\", \"rope_scaling\": " + HostileInputs.Nested("{\"a\":", "}", 100_000) + "}"),
                ("10 MB line", "{\"model_type\": \"" + HostileInputs.Repeat("q", HostileInputs.HugeLineBytes) + "\"}"),
                ("huge hidden size", valid.Replace("\"hidden_size\": 32", "\"hidden_size\": 99999999999999999999")),
                ("fractional layers", valid.Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 2.5")),
                ("string eps", valid.Replace("\"rms_norm_eps\"", "\"rms_norm_eps\": \"x\", \"_\"")),
                ("null vocab", valid.Replace("\"vocab_size\": 40", "\"vocab_size\": null"))),
            path => ModelConfig.Load(path));
        Assert.InRange(ok, 1, 200);
    }
}
