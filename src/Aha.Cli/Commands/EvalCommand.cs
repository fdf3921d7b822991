using System.CommandLine;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha eval --model DIR (--data FILE | --task NAME) [--k 8] [--reward-model DIR] [--scaling DIR] [--report FILE]</c>:
/// greedy pass@1, sampled pass@1, pass@k, maj@k, best-of-k (scored by the reward model, else the verifier), format
/// rate and the compute-scaling table (N = 1, 2, 4, … ≤ k), printed as one JSON object; <c>--scaling</c> writes the
/// table and its plot, <c>--report</c> the per-problem results.
/// </summary>
internal static class EvalCommand
{
    internal static Command Create()
    {
        var cli = new TrainingCli();
        var model = new Option<string?>("--model") { Description = "HF model folder (model.path)." };
        var data = new Option<string?>("--data") { Description = "Prompt JSONL with answers (data.eval)." };
        var task = new Option<string?>("--task") { Description = "Built-in task: its test split (data.task)." };
        var k = new Option<int?>("--k") { Description = "Samples per problem for pass@k / maj@k (eval.k; default 4)." };
        var report = new Option<string?>("--report") { Description = "Write the full JSON report (with per-problem results) to this file." };
        var rewardModel = new Option<string?>("--reward-model")
        {
            Description = "Reward-model folder (from aha rm) that scores the k samples for best-of-N (eval.reward_model); default: the task's verifier.",
        };
        var scaling = new Option<string?>("--scaling")
        {
            Description = "Write the compute-scaling table and plot (compute_scaling.md/.json/.png: pass@N, maj@N, best-of-N for N = 1, 2, 4, … ≤ k) into this folder.",
        };
        var command = new Command("eval",
            "Evaluate a model on verifiable problems: greedy/sampled pass@1, pass@k, maj@k, best-of-k, format rate, accuracy against samples per problem (JSON).")
            { model, data, task, k, rewardModel, scaling, report };
        command.Options.Add(cli.Config);
        command.Options.Add(cli.Set);
        command.Options.Add(cli.Threads);
        command.Options.Add(cli.Device);
        command.SetAction(parse => CliRun.Run(parse, _ =>
        {
            var typed = new List<string>();
            if (parse.GetValue(model) is string m) typed.Add($"model.path={m}");
            if (parse.GetValue(data) is string d) typed.Add($"data.eval={d}");
            if (parse.GetValue(task) is string t) typed.Add($"data.task={t}");
            if (parse.GetValue(k) is int kk) typed.Add($"eval.k={kk}");
            if (parse.GetValue(rewardModel) is string rm) typed.Add($"eval.reward_model={rm}");
            var config = cli.Load(parse, new EvalRunConfig(), resume: null, extra: typed);
            var result = EvaluationRun.Run(config);
            parse.InvocationConfiguration.Output.WriteLine(RunEvaluation.SummaryJson(result));
            if (parse.GetValue(report) is string path) RunEvaluation.Write(path, result);
            if (parse.GetValue(scaling) is string dir)
                Aha.Evaluation.ScalingFigures.Write(dir, [new(config.Model.Path is { } p ? Path.GetFileName(Path.TrimEndingDirectorySeparator(p)) : "model", result)]);
            return true;
        }));
        return command;
    }
}
