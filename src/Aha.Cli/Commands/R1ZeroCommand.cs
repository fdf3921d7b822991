using System.CommandLine;
using Aha.R1Zero;

namespace Aha.Cli.Commands;

/// <summary><c>aha r1zero</c>: the mini DeepSeek-R1-Zero demo (pretrain a tiny model, evaluate, pure RL, evaluate, report).</summary>
internal static class R1ZeroCommand
{
    internal static Command Create()
    {
        var d = new R1ZeroOptions();
        var task = new Option<string>("--task") { Description = "arithmetic, selfcheck (self-verification latent in the corpus), countdown or tool-arithmetic.", DefaultValueFactory = _ => d.Task };
        var preset = new Option<string>("--preset") { Description = "grpo, dapo, dr_grpo, rloo, reinforce_pp or ppo.", DefaultValueFactory = _ => d.Preset };
        var control = new Option<string>("--control") { Description = "none, or random-reward (coin-flip rewards: the control that must not improve).", DefaultValueFactory = _ => d.Control };
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => d.OutDir };
        var seed = new Option<long>("--seed") { Description = "Seed of everything.", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: all cores)." };
        var steps = new Option<int>("--steps") { Description = "RL steps.", DefaultValueFactory = _ => d.RlSteps };
        var pretrainSteps = new Option<int>("--pretrain-steps") { Description = "Pretraining steps (0 skips).", DefaultValueFactory = _ => d.Pretrain.MaxSteps };
        var corpusDocs = new Option<int>("--corpus-docs") { Description = "Documents in the synthetic corpus.", DefaultValueFactory = _ => d.Corpus.Documents };
        var errorRate = new Option<double?>("--error-rate") { Description = "Share of steps written with the corpus's systematic error (default: the task's, 0.95 selfcheck, 0.58 otherwise)." };
        var checkRate = new Option<double>("--check-rate") { Description = "selfcheck: share of think documents whose writer checks each step.", DefaultValueFactory = _ => d.Corpus.CheckRate };
        var catchRate = new Option<double>("--catch-rate") { Description = "selfcheck: probability that a check catches a wrong step.", DefaultValueFactory = _ => d.Corpus.CatchRate };
        var hidden = new Option<int>("--hidden") { Description = "Model width.", DefaultValueFactory = _ => d.HiddenSize };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => d.Layers };
        var g = new Option<int>("--num-generations") { Description = "G, completions per prompt.", DefaultValueFactory = _ => d.NumGenerations };
        var prompts = new Option<int>("--prompts-per-step") { Description = "Prompts per RL step.", DefaultValueFactory = _ => d.PromptsPerStep };
        var lr = new Option<double>("--lr") { Description = "RL learning rate.", DefaultValueFactory = _ => d.LearningRate };
        var beta = new Option<double?>("--beta") { Description = "KL coefficient (default: the preset's)." };
        var maxNew = new Option<int?>("--max-new-tokens") { Description = "Most tokens per completion (default: the task's, 48)." };
        var testProblems = new Option<int>("--test-problems") { Description = "Held-out problems.", DefaultValueFactory = _ => d.TestProblems };
        var trainProblems = new Option<int>("--train-problems") { Description = "Problems for the corpus and RL.", DefaultValueFactory = _ => d.TrainProblems };
        var evalK = new Option<int>("--eval-k") { Description = "Samples per problem for sampled pass@1, pass@k, maj@k.", DefaultValueFactory = _ => d.EvalK };
        var heldoutEvery = new Option<int>("--heldout-every") { Description = "RL steps between held-out accuracy points.", DefaultValueFactory = _ => d.HeldoutEvery };
        var model = new Option<string?>("--model") { Description = "A Hugging Face model folder (config.json, safetensors, tokenizer.json); skips pretraining." };
        var data = new Option<string?>("--data") { Description = "GSM8K-style JSONL (question/answer with '#### n', or prompt/answer), with --model." };
        var template = new Option<string>("--template") { Description = "Prompt template with --model: r1zero, think or raw.", DefaultValueFactory = _ => d.Template };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => d.Device };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an earlier r1zero run in --out (its files only; anything else there is an error)." };
        var command = new Command("r1zero", "Mini DeepSeek-R1-Zero: watch a tiny model learn to reason from reward alone (pretrain, evaluate, pure RL, evaluate, report).")
        {
            task, preset, control, output, seed, threads, steps, pretrainSteps, corpusDocs, errorRate, checkRate, catchRate, hidden, layers, g, prompts, lr, beta,
            maxNew, testProblems, trainProblems, evalK, heldoutEvery, model, data, template, device, overwrite,
        };
        command.SetAction(parse => CliRun.Run(parse, () =>
        {
            var o = d with
            {
                Task = parse.GetValue(task)!, Preset = parse.GetValue(preset)!, Control = parse.GetValue(control)!, OutDir = parse.GetValue(output)!,
                Seed = parse.GetValue(seed), Threads = parse.GetValue(threads), RlSteps = parse.GetValue(steps),
                Pretrain = d.Pretrain with { MaxSteps = parse.GetValue(pretrainSteps) },
                Corpus = d.Corpus with { Documents = parse.GetValue(corpusDocs), ErrorRate = parse.GetValue(errorRate),
                    CheckRate = parse.GetValue(checkRate), CatchRate = parse.GetValue(catchRate) },
                HiddenSize = parse.GetValue(hidden), Layers = parse.GetValue(layers), NumGenerations = parse.GetValue(g),
                PromptsPerStep = parse.GetValue(prompts), LearningRate = parse.GetValue(lr), Beta = parse.GetValue(beta),
                MaxNewTokens = parse.GetValue(maxNew), TestProblems = parse.GetValue(testProblems), TrainProblems = parse.GetValue(trainProblems),
                EvalK = parse.GetValue(evalK), HeldoutEvery = parse.GetValue(heldoutEvery), ModelDir = parse.GetValue(model),
                DataPath = parse.GetValue(data), Template = parse.GetValue(template)!, Device = parse.GetValue(device)!, Overwrite = parse.GetValue(overwrite),
            };
            R1ZeroRunner.Run(o, parse.InvocationConfiguration.Output);
        }));
        return command;
    }
}
