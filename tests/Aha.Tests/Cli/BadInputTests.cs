using System.Text.Json;
using Aha.Tokenization;

namespace Aha.Tests.Cli;

/// <summary>
/// Issue 15 §3: every command reports bad input as one "error: …" line naming the flag/file/field, exit code 2, no
/// stack trace and no .NET text; r1zero checks everything before any work (no output folder is created).
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class BadInputTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Exit code 2 and every stderr line an "error: …" line (or the help pointer), without .NET internals.</summary>
    static string AssertCleanError((int ExitCode, string Output, string Error) r)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Error}{r.Output}");
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.True(l.StartsWith("error: ", StringComparison.Ordinal) || l.StartsWith("(see 'aha", StringComparison.Ordinal), l));
        foreach (var dotnet in new[] { "   at ", "Exception", "(Parameter '", "LineNumber:", "BytePositionInLine" })
            Assert.DoesNotContain(dotnet, r.Error);
        return r.Error;
    }

    [Theory]
    [InlineData("--preset", "foo", "rl.preset")]
    [InlineData("--lr", "-1", "rl.learning_rate")]
    [InlineData("--beta", "-1", "rl.beta")]
    [InlineData("--num-generations", "1", "rl.num_generations")]
    [InlineData("--prompts-per-step", "0", "rl.prompts_per_step")]
    [InlineData("--max-new-tokens", "0", "rl.max_new_tokens")]
    [InlineData("--max-new-tokens", "300", "rl.max_new_tokens")]
    [InlineData("--test-problems", "3000", "data.test_problems")]
    [InlineData("--threads", "0", "threads")]
    public void R1Zero_BadValue_IsRejectedBeforeAnyWork(string flag, string value, string named)
    {
        var outDir = _dir["out"];
        var (code, output, error) = AhaCli.Run("r1zero", flag, value, "--out", outDir);
        var lines = AssertCleanError((code, output, error)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(named, Assert.Single(lines));
        // Nothing was written and nothing ran: no run folder, no pretraining or evaluation lines.
        Assert.False(Directory.Exists(outDir));
        Assert.DoesNotContain("pretrain", output);
    }

    [Theory]
    [InlineData("rl.no_such_key=1", "rl.no_such_key")]
    [InlineData("corpus.documents=0", "corpus.documents")]
    [InlineData("eval.k=many", "eval.k")]
    [InlineData("data.path=/nowhere.jsonl", "data.path")]
    public void R1Zero_BadConfigKey_IsOneLineNamingTheKey(string set, string key)
    {
        var outDir = _dir["out"];
        var lines = AssertCleanError(AhaCli.Run("r1zero", "--set", set, "--out", outDir)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(key, Assert.Single(lines));
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void R1Zero_TooManyCountdownProblems_NamesTheCapacity()
    {
        // 5060 distinct (sorted numbers, target) countdown problems: counted independently by a Python enumeration of
        // every 3-multiset of 1..20 and every value reachable with + and a positive − (1 ≤ target ≤ 60, not one of the numbers).
        var error = AssertCleanError(AhaCli.Run("r1zero", "--task", "countdown", "--test-problems", "100000", "--out", _dir["out"]));
        Assert.Contains("data.test_problems", error);
        Assert.Contains("100000", error);
        Assert.Contains("5060", error);
        Assert.False(Directory.Exists(_dir["out"]));
    }

    [Fact]
    public void R1Zero_TooManySelfCheckProblems_NamesTheCapacity()
    {
        // selfcheck has 1605 distinct problems (derived by hand in CorpusTests): holding out all of them leaves nothing to train on.
        var error = AssertCleanError(AhaCli.Run("r1zero", "--task", "selfcheck", "--test-problems", "1605", "--out", _dir["out"]));
        Assert.Contains("data.test_problems", error);
        Assert.Contains("the selfcheck task has 1605 distinct problems", error);
        Assert.False(Directory.Exists(_dir["out"]));
    }

    [Fact]
    public void R1Zero_MissingModelFolder_SaysTheFolderIsMissing()
    {
        var data = _dir.File("d.jsonl", "{\"prompt\": \"1+1=\", \"answer\": \"2\"}\n");
        var error = AssertCleanError(AhaCli.Run("r1zero", "--model", "/nonexistent", "--data", data, "--out", _dir["out"]));
        Assert.Contains("model.path", error);
        Assert.Contains("folder '/nonexistent' does not exist", error);
    }

    string TinyModelFolder()
    {
        var tokenizer = CharTokenizer.Create(new string(Enumerable.Range(32, 95).Select(i => (char)i).ToArray()) + "\n");
        tokenizer.Save(_dir["tok"]);
        var config = _dir.File("config.json", (TinyModels.Qwen2() with { VocabSize = tokenizer.VocabSize }).ToJson());
        Assert.Equal(0, AhaCli.Run("model", "init", "--config", config, "--out", _dir["model"], "--tokenizer", _dir["tok"]).ExitCode);
        return _dir["model"];
    }

    [Fact]
    public void R1Zero_BadDataFiles_AreOneLineNamingTheFileAndLine()
    {
        var model = TinyModelFolder();
        var cases = new (string Name, byte[] Bytes, string Expected)[]
        {
            ("malformed.jsonl", "{\"prompt\": \"1+1=\", \"answer\": \"2\"}\n{\"prompt\": oops}\n"u8.ToArray(), "malformed.jsonl:2: invalid JSON at column"),
            ("empty.jsonl", [], "empty.jsonl: file has no records"),
            ("binary.jsonl", [0x00, 0xFF, 0x13, 0x89, 0x50, 0x4E, 0x47, 0x0A, 0x01], "binary.jsonl:1:"),
            ("preference.jsonl", "{\"prompt\": \"1+1=\", \"chosen\": \"2\", \"rejected\": \"3\"}\n"u8.ToArray(), "preference.jsonl:1: field 'answer'"),
        };
        foreach (var (name, bytes, expected) in cases)
        {
            var path = Path.Combine(_dir.Path, name);
            File.WriteAllBytes(path, bytes);
            var outDir = _dir["out-" + name];
            var error = AssertCleanError(AhaCli.Run("r1zero", "--model", model, "--data", path, "--out", outDir));
            Assert.Contains(expected, error);
            Assert.False(Directory.Exists(outDir), name);
        }
    }

    [Fact]
    public void R1Zero_ExistingRunFolder_IsRefused_AndOverwriteIsGoneWithAClearMessage()
    {
        var taken = Path.Combine(_dir["runs"], "mine");
        Directory.CreateDirectory(taken);
        File.WriteAllText(Path.Combine(taken, "thesis.tex"), "mine");
        var error = AssertCleanError(AhaCli.Run("r1zero", "--out", _dir["runs"], "--name", "mine", "--pretrain-steps", "0", "--steps", "0",
            "--corpus-docs", "100", "--test-problems", "4", "--train-problems", "20", "--hidden", "32", "--layers", "1", "--eval-k", "1"));
        Assert.Contains("already exists", error);
        Assert.Equal(["thesis.tex"], Directory.GetFileSystemEntries(taken).Select(Path.GetFileName));

        error = AssertCleanError(AhaCli.Run("r1zero", "--overwrite", "--out", _dir["runs"]));
        Assert.Contains("--overwrite is gone", error);
        Assert.Contains("--name", error);
    }

    [Fact]
    public void SyntaxErrors_AreExitCode2_WithOneLinePerProblem()
    {
        var error = AssertCleanError(AhaCli.Run("generate", "--prompt", "hi"));        // --model is required
        Assert.Contains("--model", error);
        error = AssertCleanError(AhaCli.Run("r1zero", "--lr", "fast"));               // not a number
        Assert.Contains("fast", error);
        AssertCleanError(AhaCli.Run("grpo", "--no-such-flag"));
    }

    [Fact]
    public void Generate_PromptPlusNewTokensBeyondThePositions_IsAnError_BeforeAnyAllocation()
    {
        var tokenizer = CharTokenizer.Create("0123456789+-=");
        tokenizer.Save(_dir["tok"]);
        var config = _dir.File("config.json", (TinyModels.Qwen2() with { VocabSize = tokenizer.VocabSize, MaxPositionEmbeddings = 16 }).ToJson());
        Assert.Equal(0, AhaCli.Run("model", "init", "--config", config, "--out", _dir["m"], "--tokenizer", _dir["tok"]).ExitCode);

        // 5 prompt tokens + 12 new = 17 > 16 positions.
        var error = AssertCleanError(AhaCli.Run("generate", "--model", _dir["m"], "--prompt", "12+3=", "--max-new-tokens", "12"));
        Assert.Contains("max_position_embeddings", error);
        Assert.Contains("at most 11", error);
        // A huge request is refused the same way (it used to allocate until the kernel killed the process).
        AssertCleanError(AhaCli.Run("generate", "--model", _dir["m"], "--prompt", "1", "--max-new-tokens", "100000000"));
        // 5 + 11 = 16 fits.
        Assert.Equal(0, AhaCli.Run("generate", "--model", _dir["m"], "--prompt", "12+3=", "--max-new-tokens", "11").ExitCode);
    }

    [Fact]
    public void ModelInit_VocabSmallerThanTheTokenizer_IsAnError_AndWritesNothing()
    {
        var tokenizer = CharTokenizer.Create("0123456789+-=");
        tokenizer.Save(_dir["tok"]);
        var config = _dir.File("config.json", (TinyModels.Qwen2() with { VocabSize = tokenizer.VocabSize - 1 }).ToJson());
        var error = AssertCleanError(AhaCli.Run("model", "init", "--config", config, "--out", _dir["m"], "--tokenizer", _dir["tok"]));
        Assert.Contains($"vocab_size ({tokenizer.VocabSize - 1}) is smaller than its tokenizer's {tokenizer.VocabSize} tokens", error);
        Assert.False(Directory.Exists(_dir["m"]));
    }

    [Fact]
    public void EmptyConfigFile_IsAnError_NamingTheFile()
    {
        var config = _dir.File("empty.yaml", "\n");
        var error = AssertCleanError(AhaCli.Run("grpo", "--config", config, "--out", _dir["runs"]));
        Assert.Contains("empty.yaml", error);
        Assert.Contains("empty", error);
        Assert.False(Directory.Exists(_dir["runs"]));
    }

    [Fact]
    public void ValueErrorsOfEveryCommandFamily_GoThroughTheSameErrorPath()
    {
        AssertCleanError(AhaCli.Run("tokenize", "--tokenizer", _dir["none.json"], "--text", "x"));
        AssertCleanError(AhaCli.Run("reward", "--fn", "no-such-reward", "--completion", "x"));
        AssertCleanError(AhaCli.Run("eval", "--model", _dir["none"], "--task", "arithmetic"));
        AssertCleanError(AhaCli.Run("sft", "--set", "steps=0", "--out", _dir["runs"]));
        AssertCleanError(AhaCli.Run("recipe", "r1", "--set", "nonsense=1", "--out", _dir["runs"]));
        AssertCleanError(AhaCli.Run("bench", "train", "--threads", "0"));
        Assert.False(Directory.Exists(_dir["runs"]));
    }

    [Fact]
    public void TaskWithTooFewDistinctProblems_IsAConfigErrorOnTrainSize()
    {
        // One-digit a+b (difficulty 1) has 10 × 10 = 100 distinct problems; 256 train + 32 test cannot be drawn.
        using var dir = new TempDir();
        var (code, _, error) = AhaCli.Run("grpo", "--set", "data.difficulty=1", "--set", "data.train_size=256", "--set", "data.eval_size=32",
            "--out", dir["runs"], "--name", "big");
        Assert.Equal(2, code);
        Assert.Contains("data.train_size", error);
        Assert.Contains("cannot supply 256 train + 32 test distinct problems", error);
        Assert.False(Directory.Exists(Path.Combine(dir["runs"], "big")));
    }
}
