using System.Text;
using Aha.Configuration;
using Aha.Data;
using Aha.IO;
using Aha.Training.Offline;

namespace Aha.Training.Runs;

/// <summary>
/// The DeepSeek-R1 pipeline (arXiv:2501.12948) as one recipe: cold-start SFT → reasoning RL (GRPO) → rejection
/// sampling + SFT → final RL. Each stage is an ordinary run configuration; the recipe sets each stage's
/// <c>model.path</c> to the previous stage's <c>final/</c> folder (the first stage takes the recipe's <c>model</c>),
/// and the SFT of stage 3 trains on the rejection-sampled <c>sft.jsonl</c> mixed with <c>sft.data</c> (R1 mixes in
/// other SFT data too). Stage <c>model</c> sections, <c>device</c> and <c>threads</c> are set by the recipe.
/// </summary>
public sealed record R1RecipeConfig : IValidatableConfig
{
    public string Device { get; init; } = "cpu";
    public int? Threads { get; init; }

    /// <summary>The base model the pipeline starts from. Default: the built-in tiny model.</summary>
    public ModelSection Model { get; init; } = new();

    /// <summary>Stage 1: cold-start SFT (default: the synthetic arithmetic cold start).</summary>
    public SftRunConfig ColdStart { get; init; } = new();

    /// <summary>Stage 2: reasoning-oriented RL.</summary>
    public OnPolicyRunConfig Rl { get; init; } = new();

    /// <summary>Stage 3a: rejection sampling from the RL model.</summary>
    public RejectionSamplingRunConfig Rejection { get; init; } = new();

    /// <summary>Stage 3b: SFT on the accepted samples mixed with this stage's own <c>data</c>.</summary>
    public SftRunConfig Sft { get; init; } = new();

    /// <summary>Stage 4: the final RL.</summary>
    public OnPolicyRunConfig FinalRl { get; init; } = new();

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        // Later stages start from the previous stage's folder, but their eval problems must be the base's held-out ones too.
        foreach (var (stage, data) in new[] { ("cold_start", ColdStart.Data), ("rl", Rl.Data), ("rejection", Rejection.Data), ("sft", Sft.Data), ("final_rl", FinalRl.Data) })
            foreach (var e in PretrainSection.CheckHeldOut(Model, data, $"{stage}.data")) yield return e;
    }
}

/// <summary>
/// Runs an <see cref="R1RecipeConfig"/>: a recipe folder holding one run folder per stage. The stages run on one
/// <see cref="RunContext"/> (one runtime, the base model's tokenizer): cold-start SFT and SFT are the SFT stage
/// (<see cref="OfflineStage"/>), the RL stages <see cref="OnPolicyStage"/>; each stage starts from the previous one's
/// <c>final/</c> folder, the same bytes a resumed recipe starts it from.
/// </summary>
public static class R1Recipe
{
    public static readonly IReadOnlyList<string> StageNames = ["1-cold-start-sft", "2-rl", "3a-rejection-sampling", "3b-sft", "4-final-rl"];

    /// <summary>Runs (or, with <see cref="RunOptions.Resume"/>, continues) the recipe; returns each stage's result.</summary>
    public static IReadOnlyList<RunResult> Run(R1RecipeConfig config, RunOptions options)
    {
        // The cold start's data gives a character tokenizer its alphabet, as when stage 1 ran as its own command.
        var coldStart = OfflineRuns.Resolve(config.ColdStart with { Model = config.Model, Device = config.Device, Threads = config.Threads });
        var coldData = RunData.Sft(coldStart.Data);
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, RunData.Texts(coldData.Train.Concat(coldData.Eval)));
        RunDirectory dir = options.Resume is { } resume
            ? RunDirectory.Open(resume)
            : RunDirectory.Create(options.Root, options.Name ?? RunDirectory.DefaultName("r1", DateTimeOffset.UtcNow), config);
        var results = new List<RunResult>();

        // A stage runs on the context from the model folder `from` (the first stage from the recipe's model); a stage
        // whose output exists (resuming) is not run again.
        RunResult Stage(int index, string? from, string output, Func<RunOptions, RunResult> stage)
        {
            var name = StageNames[index];
            var folder = dir.File(name);
            var stageOptions = options with
            {
                Root = dir.Path, Name = name, Resume = Directory.Exists(folder) ? folder : null,
            };
            if (from is not null) run.NextStage(new ModelSection { Path = from });
            var r = Done(stageOptions, output) ?? stage(stageOptions);
            results.Add(r);
            return r;
        }

        var cold = Stage(0, null, RunSession.FinalDir, o => OfflineRuns.Sft(run, coldStart, coldData, o));
        var rl = Stage(1, cold.Output, RunSession.FinalDir, o => Rl(config.Rl, o));
        var rejection = Stage(2, rl.Output, RejectionSamplingRun.OutputFile, o =>
        {
            var stage = (config.Rejection with { Model = run.Model, Device = config.Device, Threads = config.Threads }).Resolve();
            return RejectionSamplingRun.Run(run, stage, RejectionSamplingRun.Prompts(stage), o).Run;
        });
        var mix = dir.File("3b-sft-data.jsonl");
        WriteMix(mix, rejection.Output, config.Sft.Data);
        // 3b continues from the RL model, the one 3a sampled.
        var sft = Stage(3, rl.Output, RunSession.FinalDir, o =>
        {
            var stage = OfflineRuns.Resolve(config.Sft with
            {
                Model = run.Model, Device = config.Device, Threads = config.Threads,
                Data = config.Sft.Data with { Task = null, Train = [mix], Eval = [] },
            });
            return OfflineRuns.Sft(run, stage, RunData.Sft(stage.Data), o);
        });
        Stage(4, sft.Output, RunSession.FinalDir, o => Rl(config.FinalRl, o));
        return results;

        RunResult Rl(OnPolicyRunConfig rlConfig, RunOptions o)
        {
            var inputs = OnPolicyRun.Inputs.Read(rlConfig with { Model = run.Model, Device = config.Device, Threads = config.Threads });
            return OnPolicyRun.Run(run, inputs, o);
        }
    }

    /// <summary>A stage that already finished (its output exists) is not run again.</summary>
    static RunResult? Done(RunOptions o, string output)
    {
        if (o.Resume is null) return null;
        var path = Path.Combine(o.Resume, output);
        return File.Exists(path) || Directory.Exists(path)
            ? new RunResult(o.Resume, 0, path, new Dictionary<string, double>(), Completed: true)
            : null;
    }

    /// <summary>The accepted samples followed by the stage's own SFT data, as one SFT JSONL.</summary>
    static void WriteMix(string path, string accepted, DataSection extra)
    {
        var lines = new List<string>(File.ReadAllLines(accepted).Where(l => l.Trim().Length > 0));
        if (extra.UsesTask || extra.Train.Count > 0)
            lines.AddRange(RunData.Sft(extra).Train.Select(e => SftJsonl.ToLine(e)));
        AtomicFile.WriteText(path, string.Join("\n", lines) + "\n");
    }
}
