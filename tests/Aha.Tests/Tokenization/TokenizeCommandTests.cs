using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

/// <summary>
/// Runs `aha tokenize` in-process through the CLI's real command catalog, capturing stdout/stderr.
/// </summary>
public sealed class TokenizeCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int ExitCode, string Output, string Error) Aha(params string[] args) => Cli.AhaCli.Run(args);

    [Fact]
    public void Tokenize_CharTokenizer_PrintsIdsAsJsonArray()
    {
        CharTokenizer.Create("0123456789+-*/=").Save(_dir.Path);
        // <think>=4, '1'=9, '+'=18, '2'=10, </think>=5 (layout derived in CharTokenizerTests).
        var (code, output, _) = Aha("tokenize", "--tokenizer", _dir.Path, "--text", "<think>1+2</think>");
        Assert.Equal(0, code);
        Assert.Equal("[4,9,18,10,5]", output);
    }

    [Fact]
    public void Tokenize_Qwen3_PrintsReferenceIds()
    {
        // Reference case 0: "Hello, world!" → [9707,11,1879,0] from @lenml/tokenizers.
        var (text, ids) = Qwen3Fixture.ReferenceCases[0];
        var (code, output, _) = Aha("tokenize", "--tokenizer", Path.Combine(Qwen3Fixture.Folder, "tokenizer.json"), "--text", text);
        Assert.Equal(0, code);
        Assert.Equal("[" + string.Join(",", ids) + "]", output);
    }

    [Fact]
    public void Tokenize_MissingFile_FailsWithClearMessage()
    {
        var missing = Path.Combine(_dir.Path, "missing.json");
        var (code, output, error) = Aha("tokenize", "--tokenizer", missing, "--text", "x");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(missing, error);
    }

    [Fact]
    public void Tokenize_WithoutText_IsAParseError()
    {
        var (code, _, _) = Aha("tokenize", "--tokenizer", _dir.Path);
        Assert.NotEqual(0, code);
    }
}
