using Aha.Models;

namespace Aha.Tests;

/// <summary>Small configs built in code for fast tests.</summary>
internal static class TinyModels
{
    public static ModelConfig Qwen2(bool tied = true) => new ModelConfig
    {
        Family = ModelFamily.Qwen2, VocabSize = 40, HiddenSize = 32, IntermediateSize = 48, NumLayers = 2,
        NumHeads = 4, NumKvHeads = 2, HeadDim = 8, QkvBias = true, TieWordEmbeddings = tied, RopeTheta = 10000,
    }.Validate();

    public static ModelConfig Qwen3() => Qwen2(tied: false) with { Family = ModelFamily.Qwen3, QkvBias = false, QkNorm = true, HeadDim = 16 };

    public static CausalLM Build(ModelConfig config, long seed = 1, double std = 0.2)
    {
        var model = new CausalLM(config);
        WeightInit.Initialize(model, std, seed);
        return model;
    }
}
