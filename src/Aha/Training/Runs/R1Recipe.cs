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

/// <summary>Runs an <see cref="R1RecipeConfig"/>: a recipe folder holding one run folder per stage.</summary>
public static class R1Recipe
{
    public static readonly IReadOnlyList<string> StageNames = ["1-cold-start-sft", "2-rl", "3a-rejection-sampling", "3b-sft", "4-final-rl"];

    /// <summary>Runs (or, with <see cref="RunOptions.Resume"/>, continues) the recipe; returns each stage's result.</summary>
    public static IReadOnlyList<RunResult> Run(R1RecipeConfig config, RunOptions options)
    {
        RunDirectory dir = options.Resume is { } resume
            ? RunDirectory.Open(resume)
            : RunDirectory.Create(options.Root, options.Name ?? RunDirectory.DefaultName("r1", DateTimeOffset.UtcNow), config);
        var results = new List<RunResult>();
        ModelSection model = config.Model;

        RunResult Stage(int index, Func<RunOptions, RunResult> run)
        {
            var name = StageNames[index];
            var folder = dir.File(name);
            var stageOptions = options with
            {
                Root = dir.Path, Name = name, Resume = Directory.Exists(folder) ? folder : null,
            };
            var r = run(stageOptions);
            results.Add(r);
            return r;
        }

        var cold = Stage(0, o => Done(o, RunSession.FinalDir) ?? OfflineRuns.Sft(config.ColdStart with { Model = model, Device = config.Device, Threads = config.Threads }, o));
        model = new ModelSection { Path = cold.Output };
        var rl = Stage(1, o => Done(o, RunSession.FinalDir) ?? OnPolicyRun.Run(config.Rl with { Model = model, Device = config.Device, Threads = config.Threads }, o));
        model = new ModelSection { Path = rl.Output };
        var rejection = Stage(2, o => Done(o, RejectionSamplingRun.OutputFile)
            ?? RejectionSamplingRun.Run(config.Rejection with { Model = model, Device = config.Device, Threads = config.Threads }, o).Run);
        var mix = dir.File("3b-sft-data.jsonl");
        WriteMix(mix, rejection.Output, config.Sft.Data);
        var sft = Stage(3, o => Done(o, RunSession.FinalDir) ?? OfflineRuns.Sft(config.Sft with
        {
            Model = model, Device = config.Device, Threads = config.Threads,
            Data = config.Sft.Data with { Task = null, Train = [mix], Eval = [] },
        }, o));
        model = new ModelSection { Path = sft.Output };
        Stage(4, o => Done(o, RunSession.FinalDir) ?? OnPolicyRun.Run(config.FinalRl with { Model = model, Device = config.Device, Threads = config.Threads }, o));
        return results;
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
