using Aha.Evaluation;

namespace Aha.Training.Runs;

/// <summary><c>aha eval</c>: loads the model and the problems and runs the <see cref="Evaluator"/>; no run folder.</summary>
public static class EvaluationRun
{
    public static EvaluationReport Run(EvalRunConfig config)
    {
        config = config.Resolve();
        var (train, eval) = RunData.Prompts(config.Data);
        var problems = eval.Count > 0 ? eval : train;
        if (problems.Count == 0) throw new ArgumentException("data: no problems to evaluate.", nameof(config));
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, RunData.Texts(problems));
        var policy = run.Policy();
        var tokenizer = run.Tokenizer;
        return RunEvaluation.Evaluate(policy, tokenizer, problems, config.Eval, config.Correctness!, config.RewardOptions,
            defaultMaxNewTokens: 64, seed: config.Data.Seed);
    }
}
