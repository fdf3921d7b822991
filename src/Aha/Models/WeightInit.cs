using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// HF's <c>_init_weights</c> for these decoders: Linear and Embedding ~ N(0, initializer_range²), biases 0, norms 1. Each
/// draw is taken in the checkpoint's layout and then converted (<see cref="CheckpointLayout"/>), so a seed gives the model
/// that a checkpoint-order initialisation gives.
/// </summary>
public static class WeightInit
{
    public static void Initialize(nn.Module model, double initializerRange, long seed)
    {
        var generator = new Generator((ulong)seed);
        var layout = CheckpointLayout.Of(model);
        using var _ = torch.no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("norm.weight")) p.fill_(1.0);
            else if (name.EndsWith(".bias")) p.zero_();
            else
            {
                p.normal_(0, initializerRange, generator);
                if (layout is null) continue;
                using var scope = torch.NewDisposeScope();
                p.copy_(layout.FromCheckpoint(name, p.clone()));
            }
        }
    }
}
