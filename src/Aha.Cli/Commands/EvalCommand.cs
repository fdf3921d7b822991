using System.CommandLine;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha eval --model DIR (--data FILE | --task NAME) [--k 8] [--report FILE]</c>: greedy pass@1, sampled pass@1,
/// pass@k, maj@k and format rate, printed as one JSON object; <c>--report</c> also writes the per-problem results.
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
        var command = new Command("eval", "Evaluate a model on verifiable problems: greedy/sampled pass@1, pass@k, maj@k, format rate (JSON).")
            { model, data, task, k, report };
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
            var config = cli.Load(parse, new EvalRunConfig(), resume: null, extra: typed);
            var result = EvaluationRun.Run(config);
            parse.InvocationConfiguration.Output.WriteLine(RunEvaluation.SummaryJson(result));
            if (parse.GetValue(report) is string path) RunEvaluation.Write(path, result);
            return true;
        }));
        return command;
    }
}
