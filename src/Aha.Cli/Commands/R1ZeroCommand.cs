using System.CommandLine;
using System.Globalization;
using Aha.Training.Runs;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha r1zero</c>: the mini DeepSeek-R1-Zero recipe (pretrain a tiny model, evaluate, pure RL, evaluate, report) on
/// the common run pipeline: <c>--config</c> (<c>configs/r1zero.yaml</c> spells out the defaults), <c>--set</c>,
/// <c>--out</c>/<c>--name</c>, <c>--resume</c>. The demo's earlier flags stay as shorthands for their config keys
/// (<c>--steps 20</c> is <c>--set rl.steps=20</c>), applied after the file and before <c>--set</c>.
/// </summary>
internal static class R1ZeroCommand
{
    /// <summary>A flag that stands for one config key.</summary>
    sealed record Shorthand(Option Option, string Key);

    static Shorthand Flag<T>(string name, string key, string description) =>
        new(new Option<T>(name) { Description = $"{description} (--set {key}=…)" }, key);

    /// <summary>The flags, made anew for each command tree.</summary>
    static Shorthand[] Shorthands() =>
    [
        Flag<string?>("--task", "task", "selfcheck (the default: checking and backtracking latent in the corpus, amplified by RL), arithmetic, countdown or tool-arithmetic"),
        Flag<string?>("--control", "control", "none, or random-reward (coin-flip rewards: the control that must not improve)"),
        Flag<long?>("--seed", "seed", "Seed of everything"),
        Flag<string?>("--preset", "rl.preset", "grpo, dapo, dr_grpo, rloo, reinforce_pp or ppo (default: the task's, dr_grpo for selfcheck, else grpo)"),
        Flag<int?>("--steps", "rl.steps", "RL steps"),
        Flag<int?>("--pretrain-steps", "pretrain.max_steps", "Pretraining steps (0 skips)"),
        Flag<int?>("--corpus-docs", "corpus.documents", "Documents in the synthetic corpus"),
        Flag<double?>("--error-rate", "corpus.error_rate", "Share of steps written with the corpus's systematic error"),
        Flag<double?>("--check-rate", "corpus.check_rate", "selfcheck: share of think documents whose writer checks each step"),
        Flag<double?>("--catch-rate", "corpus.catch_rate", "selfcheck: probability that a check catches a wrong step"),
        Flag<int?>("--hidden", "model.hidden_size", "Model width"),
        Flag<int?>("--layers", "model.layers", "Decoder layers"),
        Flag<int?>("--num-generations", "rl.num_generations", "G, completions per prompt"),
        Flag<int?>("--prompts-per-step", "rl.prompts_per_step", "Prompts per RL step"),
        Flag<double?>("--lr", "rl.learning_rate", "RL learning rate (default: the task's, 5e-4; 1e-4 for countdown)"),
        Flag<double?>("--beta", "rl.beta", "KL coefficient"),
        Flag<int?>("--max-new-tokens", "rl.max_new_tokens", "Most tokens per completion"),
        Flag<int?>("--test-problems", "data.test_problems", "Held-out problems"),
        Flag<int?>("--train-problems", "data.train_problems", "Problems for the corpus and RL"),
        Flag<int?>("--eval-k", "eval.k", "Samples per problem for sampled pass@1, pass@k, maj@k"),
        Flag<int?>("--heldout-every", "eval.heldout_every", "RL steps between held-out accuracy points"),
        Flag<string?>("--model", "model.path", "A Hugging Face model folder; skips pretraining"),
        Flag<string?>("--data", "data.path", "GSM8K-style JSONL (question/answer with '#### n', or prompt/answer), with --model"),
        Flag<string?>("--template", "data.template", "Prompt template of --data: r1zero, think or raw"),
    ];

    internal static Command Create()
    {
        var cli = new TrainingCli();
        var shorthands = Shorthands();
        var overwrite = new Option<bool>("--overwrite") { Hidden = true };
        var command = new Command("r1zero",
            "Mini DeepSeek-R1-Zero: watch a tiny model learn to reason from reward alone (pretrain, evaluate, pure RL, evaluate, report). " +
            "Every setting is a config key (configs/r1zero.yaml lists them with their defaults).");
        cli.AddTo(command);
        foreach (var s in shorthands) command.Options.Add(s.Option);
        command.Options.Add(overwrite);
        command.SetAction(parse => CliRun.Run(parse, cancel =>
        {
            if (parse.GetValue(overwrite))
                throw new ArgumentException("--overwrite is gone: every r1zero run gets its own run folder under --out (default runs/); " +
                                            "name it with --name, or continue a stopped one with --resume.");
            var resume = cli.ResumeDir(parse, R1ZeroRecipe.Prefix);
            var config = cli.Load(parse, new R1ZeroConfig(), resume, Overrides(parse, shorthands));
            var result = R1ZeroRecipe.RunValidated(config, cli.RunOptions(parse, resume, cancel));
            TrainingCli.Report(parse, result);
            return result.Completed;
        }));
        return command;
    }

    /// <summary>The shorthand flags given, as <c>key=value</c> overrides.</summary>
    static IEnumerable<string> Overrides(ParseResult parse, IEnumerable<Shorthand> shorthands)
    {
        foreach (var s in shorthands)
            if (parse.GetResult(s.Option) is { } r && r.Implicit is false && r.GetValueOrDefault<object?>() is { } value)
                yield return $"{s.Key}={Convert.ToString(value, CultureInfo.InvariantCulture)}";
    }
}
