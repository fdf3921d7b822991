using Aha.Checkpoints;
using Aha.Models;
using Aha.Tokenization;

namespace Aha.Tests.Cli;

public sealed class ModelAndGenerateCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    string WriteTinySetup()
    {
        var tokenizer = CharTokenizer.Create("0123456789+-=");
        tokenizer.Save(_dir["tok"]);
        var config = TinyModels.Qwen2() with { VocabSize = tokenizer.VocabSize };
        return _dir.File("config.json", config.ToJson());
    }

    [Fact]
    public void ModelInit_WritesLoadableCheckpoint_WithTokenizer()
    {
        var config = WriteTinySetup();
        var (code, output, error) = AhaCli.Run("model", "init", "--config", config, "--out", _dir["model"], "--tokenizer", _dir["tok"], "--seed", "3");
        Assert.True(code == 0, error);
        Assert.Contains("qwen2", output);
        using var model = HfCheckpoint.LoadCausalLM(_dir["model"]);
        Assert.True(model.Backbone.EmbeddingWeight.std().item<float>() is > 0.01f and < 0.03f); // N(0, 0.02²)
        Assert.Equal(TokenizerLoader.Load(_dir["tok"]).VocabSize, TokenizerLoader.Load(_dir["model"]).VocabSize);
    }

    [Fact]
    public void Generate_Greedy_PrintsTheEngineCompletion()
    {
        var config = WriteTinySetup();
        Assert.Equal(0, AhaCli.Run("model", "init", "--config", config, "--out", _dir["model"], "--tokenizer", _dir["tok"]).ExitCode);
        var (code, output, error) = AhaCli.Run("generate", "--model", _dir["model"], "--prompt", "12+3=", "--temperature", "0", "--max-new-tokens", "6");
        Assert.True(code == 0, error);

        // The same completion computed directly through the library.
        var tokenizer = TokenizerLoader.Load(_dir["model"]);
        using var model = HfCheckpoint.LoadCausalLM(_dir["model"]);
        var completion = new Aha.Generation.LocalRolloutEngine(model, tokenizer).Generate([tokenizer.Encode("12+3=")],
            new Aha.Generation.SamplingParams { Temperature = 0, MaxNewTokens = 6, StopTokenIds = [tokenizer.EosTokenId!.Value] })[0];
        Assert.Equal(tokenizer.Decode(completion.TokenIds, skipSpecialTokens: true).Trim(), output);
        Assert.Contains("finish:", error);
    }

    [Fact]
    public void Generate_MissingModelFolder_IsOneClearError()
    {
        var (code, _, error) = AhaCli.Run("generate", "--model", _dir["absent"], "--prompt", "hi");
        Assert.Equal(2, code);
        Assert.Contains("absent", error);
        Assert.StartsWith("error:", error);
    }

    [Fact]
    public void ModelInit_UnknownModelType_NamesTheField_AndWritesNothing()
    {
        var config = _dir.File("bad.json", TinyModels.Qwen2().ToJson().Replace("\"qwen2\"", "\"mamba\""));
        var (code, _, error) = AhaCli.Run("model", "init", "--config", config, "--out", _dir["out"]);
        Assert.Equal(2, code);
        Assert.Contains("'model_type' is 'mamba'", error);
        Assert.False(Directory.Exists(_dir["out"]));
    }
}
