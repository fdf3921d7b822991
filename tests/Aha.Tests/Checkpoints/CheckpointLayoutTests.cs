using Aha.Checkpoints;
using Aha.Models;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Aha.Tests.Checkpoints;

/// <summary>
/// The model holds q_proj/k_proj rows and q_norm/k_norm gains in RoPE's interleaved order; the checkpoint boundary converts
/// both ways, so files keep Hugging Face's layout.
/// </summary>
public sealed class CheckpointLayoutTests
{
    [Theory]
    [InlineData("qwen2-tiny")] // q/k bias
    [InlineData("qwen3-tiny")] // q/k-norm gains, head_dim 16
    public void LoadThenSave_WritesTheFixtureTensorsUnchanged(string name)
    {
        var source = Path.Combine("fixtures", "models", name, HfCheckpoint.WeightsFile);
        using var model = HfCheckpoint.LoadCausalLM(Path.GetDirectoryName(source)!);
        using var dir = new TempDir();
        HfCheckpoint.Save(model, model.Config, dir.Path);
        var expected = Safetensors.LoadStateDict(source);
        var written = Safetensors.LoadStateDict(dir[HfCheckpoint.WeightsFile]);
        Assert.Equal(expected.Keys.Order(), written.Keys.Order());
        foreach (var (key, tensor) in expected)
            Assert.True(tensor.to_type(torch.ScalarType.Float32).eq(written[key]).all().item<bool>(), key);
    }

    [Fact]
    public void ModelRows_AreTheCheckpointRowsInInterleavedOrder()
    {
        // Qwen3 tiny: 4 heads of head_dim 16, so model row h·16 + 2j is checkpoint row h·16 + j, row h·16 + 2j + 1 is
        // h·16 + j + 8; the 16 gains of q_norm follow the same order within one head.
        var dir = Path.Combine("fixtures", "models", "qwen3-tiny");
        using var model = HfCheckpoint.LoadCausalLM(dir);
        var file = Safetensors.LoadStateDict(Path.Combine(dir, HfCheckpoint.WeightsFile));
        var q = model.get_parameter("model.layers.0.self_attn.q_proj.weight")!;
        var qFile = file["model.layers.0.self_attn.q_proj.weight"].to_type(torch.ScalarType.Float32);
        foreach (var (modelRow, fileRow) in new[] { (0, 0), (1, 8), (2, 1), (3, 9), (16, 16), (17, 24), (63, 63) })
            Assert.True(q[modelRow].eq(qFile[fileRow]).all().item<bool>(), $"q_proj row {modelRow}");
        var gain = model.get_parameter("model.layers.0.self_attn.q_norm.weight")!;
        var gainFile = file["model.layers.0.self_attn.q_norm.weight"].to_type(torch.ScalarType.Float32);
        Assert.Equal(gainFile[8].item<float>(), gain[1].item<float>());
        Assert.Equal(gainFile[1].item<float>(), gain[2].item<float>());
        var v = model.get_parameter("model.layers.0.self_attn.v_proj.weight")!;
        Assert.True(v.eq(file["model.layers.0.self_attn.v_proj.weight"].to_type(torch.ScalarType.Float32)).all().item<bool>(), "v_proj keeps the checkpoint's order");
    }
}
