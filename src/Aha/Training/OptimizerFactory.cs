using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Training;

/// <summary>
/// AdamW with decoupled weight decay (arXiv:1711.05101) on matrices only: 1-D parameters (RMSNorm weights, biases) get
/// no decay, as in nanoGPT and HF Trainer. Note TorchSharp's AdamW default weight_decay is 0 (PyTorch's is 0.01); we
/// always pass it explicitly. The update runs in libtorch's fused kernel (<see cref="FusedAdamW"/>).
/// </summary>
public static class OptimizerFactory
{
    public static AdamW AdamW(IEnumerable<Parameter> parameters, double lr, double weightDecay = 0.0,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        var all = parameters.Where(p => p.requires_grad).ToList();
        var decay = all.Where(p => p.dim() >= 2).ToList();
        var noDecay = all.Where(p => p.dim() < 2).ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(decay, new AdamW.Options { LearningRate = lr, weight_decay = weightDecay, beta1 = beta1, beta2 = beta2, eps = eps }),
        };
        if (noDecay.Count > 0)
            groups.Add(new(noDecay, new AdamW.Options { LearningRate = lr, weight_decay = 0, beta1 = beta1, beta2 = beta2, eps = eps }));
        return new FusedAdamW(groups, lr, beta1, beta2, eps, weightDecay);
    }

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(OptimizerHelper optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}
