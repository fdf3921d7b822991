using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aha.Checkpoints;
using Aha.IO;
using Aha.R1Zero;
using Aha.Tasks;
using Aha.Tokenization;
using static TorchSharp.torch;

namespace Aha.Training.Runs;

/// <summary>
/// The base model of a <c>model.pretrain</c> section (<see cref="PretrainSection"/>): <c>aha r1zero</c>'s model,
/// character tokenizer, corpus and pretraining with the section's settings, built on first use and cached as a Hugging
/// Face folder. The cache folder is named by a SHA-256 of every setting that shapes the base (so a changed setting or
/// default builds a new one), is written under a temporary name and renamed into place when complete (a killed build
/// leaves no folder that a later run would load), and is built by one process at a time (a lock file beside it).
/// </summary>
public static class PretrainedBase
{
    /// <summary>The environment variable that moves the cache (default <c>$XDG_CACHE_HOME/aha</c>, else <c>~/.cache/aha</c>).</summary>
    public const string CacheVariable = "AHA_CACHE";

    /// <summary>What the base folder says about itself: settings, corpus, pretraining loss and time.</summary>
    public const string InfoFile = "base.json";

    /// <summary>Bumped when the build itself changes in a way its settings do not show.</summary>
    const string BuilderVersion = "r1zero-base/1";

    /// <summary>The cache root: <c>$AHA_CACHE</c>, else <c>$XDG_CACHE_HOME/aha</c>, else <c>~/.cache/aha</c>.</summary>
    public static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } root) return root;
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "aha");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "aha");
    }

    /// <summary>The r1zero settings the section stands for (everything else at r1zero's defaults).</summary>
    public static R1ZeroConfig Config(PretrainSection section) => new()
    {
        Task = "arithmetic", Seed = section.Seed, Data = new R1ZeroDataSection { TestProblems = R1ZeroArithmeticTask.HeldOutProblems },
        Corpus = new CorpusOptions { Documents = section.Documents }, Pretrain = new PretrainOptions { MaxSteps = section.Steps },
    };

    /// <summary>The settings that shape the base, as the canonical JSON the cache key hashes (its field names are part of every cached base's key).</summary>
    static string Description(PretrainSection section)
    {
        var c = Config(section);
        var (m, p) = (c.Model, c.Pretrain);
        return JsonSerializer.Serialize(new
        {
            builder = BuilderVersion, task = section.Task, seed = c.Seed, test_problems = c.Data.TestProblems, train_problems = c.Data.TrainProblems,
            corpus = c.Corpus with { ErrorRate = c.Corpus.ErrorRate ?? CorpusOptions.ArithmeticErrorRate },
            hidden = m.HiddenSize, layers = m.Layers, heads = m.Heads, kv_heads = m.KvHeads, intermediate = m.IntermediateSize,
            pretrain = new { p.MaxSteps, p.BatchSize, p.LearningRate, p.WarmupSteps, p.WeightDecay, c.Seed },
        });
    }

    /// <summary>The cache folder's name: the task and the first 16 hex digits of the settings' SHA-256.</summary>
    public static string Key(PretrainSection section) =>
        $"{section.Task}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Description(section))))[..16]}";

    /// <summary>The folder the base of <paramref name="section"/> is (or will be) cached in, under <paramref name="cacheRoot"/> (default <see cref="CacheRoot"/>).</summary>
    public static string Folder(PretrainSection section, string? cacheRoot = null) => Path.Combine(cacheRoot ?? CacheRoot(), "bases", Key(section));

    /// <summary>
    /// The cached base's folder, building it first when it is not there (progress to <paramref name="log"/>), under
    /// <paramref name="cacheRoot"/> (default <see cref="CacheRoot"/>).
    /// </summary>
    public static string Ensure(PretrainSection section, TextWriter? log = null, string? cacheRoot = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        var dir = Folder(section, cacheRoot);
        if (Directory.Exists(dir)) return dir;
        log ??= TextWriter.Null;
        var parent = Path.GetDirectoryName(dir)!;
        Directory.CreateDirectory(parent);
        using var gate = Lock(Path.Combine(parent, $".{Path.GetFileName(dir)}.lock"), log);
        if (Directory.Exists(dir)) return dir;  // another process built it while we waited
        var key = Path.GetFileName(dir);
        // Holding the lock, any temporary folder of this key is a dead build's leftover.
        foreach (var stale in Directory.GetDirectories(parent, $".tmp-{key}-*")) Directory.Delete(stale, recursive: true);
        var tmp = Path.Combine(parent, $".tmp-{key}-{Environment.ProcessId}");
        try
        {
            Build(section, tmp, log);
            Directory.Move(tmp, dir);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
        log.WriteLine($"pretrained base cached in {dir}");
        return dir;
    }

    /// <summary>Builds the base into <paramref name="dir"/>: corpus, random init, pretraining, HF folder + tokenizer + <see cref="InfoFile"/>.</summary>
    static void Build(PretrainSection section, string dir, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var c = Config(section);
        var inputs = R1ZeroInputs.BuiltIn(c);
        var stats = inputs.CorpusStats!;
        log.WriteLine($"building the pretrained base (first use; model.pretrain {Key(section)}): {c.Pretrain.MaxSteps} steps on a corpus of " +
                      $"{stats.Documents} documents over {stats.DistinctProblems} problems ({section.Task}, seed {c.Seed})");
        // The CPU whatever the run's device: the base is tiny, and one device keeps a key's base the same everywhere it is built.
        var (model, result) = PretrainStage.Run(inputs.ModelConfig, inputs.Tokenizer, inputs.Corpus!, c.Pretrain with { LogEvery = 100 }, c.Seed, CPU,
            line => log.WriteLine("  " + line));
        using (model)
        {
            HfCheckpoint.Save(model, inputs.ModelConfig, dir);
            ((CharTokenizer)inputs.Tokenizer).Save(dir);
        }
        var info = new
        {
            key = Key(section), settings = JsonDocument.Parse(Description(section)).RootElement, corpus = stats,
            parameters = inputs.ModelConfig.ParameterCount(), pretrain_steps = result.Steps, final_loss = result.FinalLoss,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        AtomicFile.WriteText(Path.Combine(dir, InfoFile), JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>An exclusive lock file (flock on Linux), waiting while another process holds it.</summary>
    static FileStream Lock(string path, TextWriter log)
    {
        bool told = false;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (File.Exists(path))
            {
                if (!told) log.WriteLine($"waiting for another process building the pretrained base ({path})");
                told = true;
                Thread.Sleep(250);
            }
        }
    }
}
