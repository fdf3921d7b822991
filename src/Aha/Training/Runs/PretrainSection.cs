using Aha.Configuration;
using Aha.Tasks;

namespace Aha.Training.Runs;

/// <summary>
/// <c>model.pretrain</c>: start from a small base model pretrained on <c>aha r1zero</c>'s synthetic corpus instead of
/// random weights — the 446,848-parameter Qwen2 (hidden 128, 3 layers) and character tokenizer of <c>aha r1zero</c>,
/// pretrained on step-by-step "web text" of its task (<see cref="R1ZeroArithmeticTask"/>), where a systematic error is
/// the majority habit, so reward has room to rise. The base is built on first use (on the CPU; tens of seconds on two
/// cores) and cached in a folder named by a hash of every setting that shapes it (<c>$AHA_CACHE</c>, else
/// <c>$XDG_CACHE_HOME/aha</c>, else <c>~/.cache/aha</c>: <c>bases/r1zero-arithmetic-&lt;hash&gt;/</c>); later runs load it.
/// With the defaults it is exactly the <c>base_model/</c> of <c>aha r1zero</c> (seed 0).
/// <para>Its held-out problems are the first 500 test problems of <see cref="Seed"/>: use the data task
/// <c>r1zero-arithmetic</c> with <c>data.seed</c> equal to <see cref="Seed"/>, so eval problems were never in its corpus.</para>
/// </summary>
public sealed record PretrainSection : IValidatableConfig
{
    /// <summary>The corpus's task; <c>r1zero-arithmetic</c> (7+5-3=) is the one supported. The default value is r1zero-arithmetic.</summary>
    public string Task { get; init; } = R1ZeroArithmeticTask.TaskName;

    /// <summary>Pretraining steps of 64 documents (r1zero's <c>--pretrain-steps</c>). The default value is 1200.</summary>
    public int Steps { get; init; } = 1200;

    /// <summary>Documents in the synthetic corpus (r1zero's <c>--corpus-docs</c>). The default value is 60000.</summary>
    public int Documents { get; init; } = 60_000;

    /// <summary>Seed of the problem split, corpus, initialisation and batch order (r1zero's <c>--seed</c>). The default value is 0.</summary>
    public long Seed { get; init; }

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Task != R1ZeroArithmeticTask.TaskName) yield return new ConfigProblem("task", $"'{Task}' has no pretraining corpus; the supported task is {R1ZeroArithmeticTask.TaskName}.", Task);
        if (Steps < 1) yield return new ConfigProblem("steps", $"must be ≥ 1 (got {Steps}).", Steps);
        if (Documents < 1) yield return new ConfigProblem("documents", $"must be ≥ 1 (got {Documents}).", Documents);
    }

    /// <summary>
    /// A run whose model is pretrained on a task's corpus and whose data is that task must draw its split with the
    /// base's seed: another seed's eval problems are in the corpus (it covers nearly every train problem of its seed).
    /// </summary>
    public static IEnumerable<ConfigProblem> CheckHeldOut(ModelSection model, DataSection data, string dataKey = "data")
    {
        if (model.Pretrain is not { } p || !string.Equals(data.ResolvedTask?.Trim(), p.Task, StringComparison.OrdinalIgnoreCase)) yield break;
        if (data.Seed != p.Seed)
            yield return new ConfigProblem($"{dataKey}.seed", $"is {data.Seed}, but model.pretrain.seed is {p.Seed}: with another seed the eval problems were in the base's " +
                                            $"pretraining corpus; set {dataKey}.seed: {p.Seed}.", data.Seed);
        if (data.EvalSize > R1ZeroArithmeticTask.HeldOutProblems)
            yield return new ConfigProblem($"{dataKey}.eval_size", $"is {data.EvalSize}; the base holds out {R1ZeroArithmeticTask.HeldOutProblems} problems, so at most that many can be evaluated.", data.EvalSize);
    }
}
