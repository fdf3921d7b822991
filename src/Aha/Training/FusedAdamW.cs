using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Training;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> with its update computed by libtorch's fused kernel (<c>torch._fused_adamw_</c>,
/// what PyTorch's <c>AdamW(fused=True)</c> calls): one pass over each parameter, its gradient and both moments, where
/// TorchSharp's loop runs nine tensor operations per parameter. The math is the same:
/// θ ← θ·(1 − lr·λ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
/// State, parameter groups and <c>save_state_dict</c>/<c>load_state_dict</c> are the base class's, so checkpoints
/// read and write the same files.
/// </summary>
public sealed class FusedAdamW : AdamW
{
    // libtorch exposes the fused kernel to TorchScript but TorchSharp binds no method for it.
    const string Script = """
        def adamw(params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor],
                  max_exp_avg_sqs: List[Tensor], steps: List[Tensor], lr: float, beta1: float, beta2: float,
                  weight_decay: float, eps: float, amsgrad: bool, maximize: bool) -> int:
            torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr=lr, beta1=beta1,
                                beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=amsgrad, maximize=maximize)
            return len(params)
        """;

    static readonly Lazy<jit.CompilationUnit> Kernel = new(() => jit.compile(Script + "\n")); // TorchScript wants a final newline

    public FusedAdamW(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
        : base(groups, lr, beta1, beta2, eps, weightDecay)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var parameters = new List<Tensor>();
        var grads = new List<Tensor>();
        var expAvgs = new List<Tensor>();
        var expAvgSqs = new List<Tensor>();
        var maxExpAvgSqs = new List<Tensor>();
        var steps = new List<Tensor>();
        foreach (var parameter in group.Parameters)
        {
            var grad = parameter.grad;
            if (grad is null) continue;
            var state = (State)_state[parameter.Handle];
            state.step += 1;
            parameters.Add(parameter);
            grads.Add(grad);
            expAvgs.Add(state.exp_avg);
            expAvgSqs.Add(state.exp_avg_sq);
            if (options.amsgrad!.Value) maxExpAvgSqs.Add(state.max_exp_avg_sq);
            // The kernel reads t from a tensor (and adds nothing to it: PyTorch increments it before the call).
            steps.Add(torch.tensor((float)state.step, device: parameter.device));
        }
        if (parameters.Count == 0) return;
        // Scalars we own and keep alive through the call: TorchSharp turns a double argument into a temporary Scalar
        // whose finalizer can free it before the native side reads it (seen as a rare "toLong" failure).
        using Scalar lr = options.LearningRate!.Value, beta1 = options.beta1!.Value, beta2 = options.beta2!.Value,
            weightDecay = options.weight_decay!.Value, eps = options.eps!.Value;
        Kernel.Value.invoke("adamw", parameters.ToArray(), grads.ToArray(), expAvgs.ToArray(), expAvgSqs.ToArray(),
            maxExpAvgSqs.ToArray(), steps.ToArray(), lr, beta1, beta2, weightDecay, eps, options.amsgrad!.Value, options.maximize!.Value);
    }, closure);
}
