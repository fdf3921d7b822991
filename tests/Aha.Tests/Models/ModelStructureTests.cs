using Aha.Models;
using TorchSharp;

namespace Aha.Tests.Models;

public sealed class ModelStructureTests
{
    [Fact]
    public void TiedQwen2_HasHfNames_AndNoLmHead()
    {
        using var model = new CausalLM(TinyModels.Qwen2(tied: true));
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("model.embed_tokens.weight", names);
        Assert.Contains("model.layers.1.self_attn.q_proj.bias", names);
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", names);
        Assert.Contains("model.layers.0.post_attention_layernorm.weight", names);
        Assert.Contains("model.norm.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
        Assert.DoesNotContain(names, n => n.Contains("o_proj.bias") || n.Contains("q_norm"));
        Assert.Equal(model.Config.ParameterCount(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Qwen3_HasQkNorm_AndUntiedHead()
    {
        using var model = new CausalLM(TinyModels.Qwen3());
        var shapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([16L], shapes["model.layers.0.self_attn.q_norm.weight"]);
        Assert.Equal([64L, 32L], shapes["model.layers.0.self_attn.q_proj.weight"]); // 4 heads × head_dim 16 = 64 ≠ hidden 32
        Assert.Equal([40L, 32L], shapes["lm_head.weight"]);
        Assert.False(shapes.ContainsKey("model.layers.0.self_attn.q_proj.bias"));
        Assert.Equal(model.Config.ParameterCount(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ScalarHead_ScoresLastRealToken()
    {
        using var model = new ScalarHeadModel(TinyModels.Qwen2());
        Aha.Models.WeightInit.Initialize(model, 0.2, 3);
        using var ids = torch.tensor(new long[,] { { 5, 6, 7, 0 }, { 5, 6, 7, 8 } });
        using var mask = torch.tensor(new long[,] { { 1, 1, 1, 0 }, { 1, 1, 1, 1 } });
        using var values = model.Forward(ids, mask);
        using var scores = model.Score(ids, mask);
        Assert.Equal([2L, 4L], values.shape);
        Assert.Equal(values[0, 2].item<float>(), scores[0].item<float>());
        Assert.Equal(values[1, 3].item<float>(), scores[1].item<float>());
    }
}
