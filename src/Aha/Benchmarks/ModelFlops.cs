using Aha.Models;

namespace Aha.Benchmarks;

/// <summary>
/// Matmul FLOPs of decoder passes, the numerator of model FLOPs utilisation. A forward over T tokens costs 2 FLOPs per
/// weight per token (one multiply, one add) in the blocks, and 2·V·H per token where the LM head runs; a backward
/// costs twice its forward (gradients with respect to the activations and to the weights: Kaplan et al. 2020's
/// 6·N·T for a training step). Left out: attention's T² score and value products (PaLM's 12·L·H·Q·T per token: +7.7 %
/// for Small4M at 128 tokens), activations, softmax and the embedding lookup, so the figure understates the work
/// (norm weights and biases, a few per thousand of the parameters, are counted as if they were matmul weights); with
/// LoRA the frozen weights' gradients, which are not computed, are still counted in the backward.
/// </summary>
public static class ModelFlops
{
    /// <summary>Forward FLOPs of a causal LM: the blocks over <paramref name="tokens"/> positions, the head over <paramref name="headTokens"/>.</summary>
    public static double Forward(ModelConfig config, double tokens, double headTokens)
    {
        double head = (double)config.VocabSize * config.HiddenSize;
        return 2.0 * BlockParameters(config) * tokens + 2.0 * head * headTokens;
    }

    /// <summary>Forward FLOPs of a value model (decoder + one scalar per position) over <paramref name="tokens"/> positions.</summary>
    public static double ValueForward(ModelConfig config, double tokens)
        => 2.0 * (BlockParameters(config) + config.HiddenSize) * tokens;

    /// <summary>Backward FLOPs: twice the forward's.</summary>
    public static double Backward(double forwardFlops) => 2.0 * forwardFlops;

    /// <summary>Weights applied to every token: all parameters but the embedding table and an untied LM head.</summary>
    static double BlockParameters(ModelConfig config)
        => config.ParameterCount() - (double)config.VocabSize * config.HiddenSize * (config.TieWordEmbeddings ? 1 : 2);
}
