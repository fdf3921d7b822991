using Aha.Models;

namespace Aha.Benchmarks;

/// <summary>Model sizes used by the benchmarks.</summary>
public static class BenchModels
{
    /// <summary>3 412 224 parameters: hidden 256, 4 layers, 4 heads (2 KV), SwiGLU 768, vocab 1024, tied.</summary>
    public static ModelConfig Small4M => new ModelConfig
    {
        Family = ModelFamily.Qwen2, VocabSize = 1024, HiddenSize = 256, IntermediateSize = 768, NumLayers = 4,
        NumHeads = 4, NumKvHeads = 2, HeadDim = 64, QkvBias = true, TieWordEmbeddings = true,
    }.Validate();
}
