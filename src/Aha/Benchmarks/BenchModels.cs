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

    /// <summary>
    /// Qwen2.5-0.5B's shape (494 032 768 parameters: hidden 896, 24 layers, 14 heads / 2 KV of 64, SwiGLU 4 864, vocab
    /// 151 936, tied, qkv bias), for random-weight benchmarks where matmuls and weight streaming dominate.
    /// </summary>
    public static ModelConfig Qwen25HalfB => new ModelConfig
    {
        Family = ModelFamily.Qwen2, VocabSize = 151936, HiddenSize = 896, IntermediateSize = 4864, NumLayers = 24,
        NumHeads = 14, NumKvHeads = 2, HeadDim = 64, QkvBias = true, TieWordEmbeddings = true, RopeTheta = 1000000,
    }.Validate();

    /// <summary>
    /// One decoder layer of Qwen2.5-0.5B's shape (hidden 896, 14 heads / 2 KV of 64, SwiGLU 4 864, qkv bias) under a
    /// 1 024-token tied vocabulary: 15 830 784 parameters, 94 % of them in the layer, so a training step measures the
    /// layer's matmuls rather than a 151 936-wide head's.
    /// </summary>
    public static ModelConfig Qwen25HalfBLayer => new ModelConfig
    {
        Family = ModelFamily.Qwen2, VocabSize = 1024, HiddenSize = 896, IntermediateSize = 4864, NumLayers = 1,
        NumHeads = 14, NumKvHeads = 2, HeadDim = 64, QkvBias = true, TieWordEmbeddings = true, RopeTheta = 1000000,
    }.Validate();
}
