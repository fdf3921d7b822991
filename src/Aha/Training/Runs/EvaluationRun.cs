using Aha.Evaluation;
using Aha.Native;

namespace Aha.Training.Runs;

/// <summary><c>aha eval</c>: loads the model and the problems and runs the <see cref="Evaluator"/>; no run folder.</summary>
public static class EvaluationRun
{
    public static EvaluationReport Run(EvalRunConfig config)
    {
        config = config.Resolve();
        var device = AhaRuntime.Initialize(new RuntimeOptions { Threads = config.Threads, Device = config.Device });
        var (train, eval) = RunData.Prompts(config.Data);
        var problems = eval.Count > 0 ? eval : train;
        if (problems.Count == 0) throw new ArgumentException("data: no problems to evaluate.", nameof(config));
        var tokenizer = RunModels.Tokenizer(config.Model, RunData.Texts(problems));
        var modelConfig = RunModels.Config(config.Model, tokenizer);
        using var policy = RunModels.Policy(config.Model, modelConfig, device);
        return RunEvaluation.Evaluate(policy, tokenizer, problems, config.Eval, config.Correctness!, config.RewardOptions,
            defaultMaxNewTokens: 64, seed: config.Data.Seed);
    }
}
