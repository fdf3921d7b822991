using Aha.Models;
using Aha.Native;
using Aha.Tokenization;
using Aha.Tracking;
using static TorchSharp.torch;

namespace Aha.Training.Runs;

/// <summary>
/// What every run command opens, in this order, before any trainer: the runtime (threads, device), the tokenizer and
/// model config of the model section (a character tokenizer's alphabet from the run's data), the models, then the run
/// folder with its tracker (<see cref="OpenFolder"/>), so the trainer is built with the real tracker as its observer.
/// Owns the models it built and the folder's session; disposing closes both. A recipe (<c>aha recipe r1</c>) runs its
/// stages on one context, one after another (<see cref="NextStage"/>): one runtime and tokenizer, a run folder per stage.
/// </summary>
internal sealed class RunContext : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly long _seed;
    private RunSession? _session;

    private RunContext(Device device, long seed, ModelSection model, ITokenizer tokenizer, ModelConfig modelConfig)
    {
        Device = device;
        _seed = seed;
        Model = model;
        Tokenizer = tokenizer;
        ModelConfig = modelConfig;
    }

    /// <summary>The device the runtime was initialised on.</summary>
    public Device Device { get; }

    /// <summary>Where the models of the current stage come from (a folder, or <c>init</c> for a random one).</summary>
    public ModelSection Model { get; private set; }

    public ITokenizer Tokenizer { get; }

    /// <summary>The model config of <see cref="Model"/>.</summary>
    public ModelConfig ModelConfig { get; private set; }

    /// <summary>The run folder, its tracker and checkpoints; set by <see cref="OpenFolder"/>.</summary>
    public RunSession Session => _session ?? throw new InvalidOperationException("The run folder is not open yet.");

    /// <summary>
    /// Initialises the runtime and reads the tokenizer and model config. <paramref name="texts"/> (the run's data) give
    /// a character tokenizer its alphabet.
    /// </summary>
    public static RunContext Open(int? threads, string device, ModelSection model, IEnumerable<string> texts)
    {
        var d = AhaRuntime.Initialize(new RuntimeOptions { Threads = threads, Device = device });
        var tokenizer = RunModels.Tokenizer(model, texts);
        return new RunContext(d, 0, model, tokenizer, RunModels.Config(model, tokenizer));
    }

    /// <summary>
    /// Initialises the runtime (threads, device, torch seed) for a recipe that built its own tokenizer and model config
    /// (<c>aha r1zero</c>: a character tokenizer over its corpus); <paramref name="model"/> says where the tokenizer
    /// files come from when a model folder is saved.
    /// </summary>
    public static RunContext Open(int? threads, string device, long seed, ModelSection model, ITokenizer tokenizer, ModelConfig modelConfig)
    {
        var d = AhaRuntime.Initialize(new RuntimeOptions { Threads = threads, Device = device, Seed = seed });
        return new RunContext(d, seed, model, tokenizer, modelConfig);
    }

    /// <summary>
    /// Ends the current stage of a recipe (its run folder closed, the models it built disposed) and starts the next one
    /// on the same runtime and tokenizer, its models coming from <paramref name="model"/>: the previous stage's
    /// <c>final/</c>, which holds this tokenizer, so the stage's model config is read from there. Torch's generator is
    /// reseeded as <see cref="Open(int?, string, ModelSection, IEnumerable{string})"/> seeded it, so a stage computes
    /// what the same stage run as its own command computes.
    /// </summary>
    public void NextStage(ModelSection model)
    {
        CloseStage();
        Model = model;
        ModelConfig = RunModels.Config(model, Tokenizer);
        manual_seed(_seed);
    }

    /// <summary>The policy (loaded, or initialised from the seed), owned by this context.</summary>
    public CausalLM Policy() => Own(RunModels.Policy(Model, ModelConfig, Device));

    /// <summary>A reward/value model on the same backbone, owned by this context.</summary>
    public ScalarHeadModel ScalarHead(long seedOffset = 0) => Own(RunModels.ScalarHead(Model, ModelConfig, Device, seedOffset));

    /// <summary>Disposes <paramref name="item"/> with this context (null is ignored).</summary>
    public T Own<T>(T item) where T : IDisposable?
    {
        if (item is not null) _owned.Add(item);
        return item;
    }

    /// <summary>
    /// Creates the run folder (or reopens it with <see cref="RunOptions.Resume"/>) and its tracker: after everything
    /// bad input can fail on has been read and built, before the trainer.
    /// </summary>
    public RunSession OpenFolder(object config, string prefix, RunOptions options, int totalSteps, int keepLast, bool validated = false)
    {
        if (_session is not null) throw new InvalidOperationException("The run folder is already open.");
        return _session = RunSession.Open(config, prefix, options, totalSteps, keepLast, validated);
    }

    /// <summary>
    /// Builds the trainer (or sampler) with the tracker as its observer. One that refuses its inputs on a fresh run
    /// removes the folder just created, so bad input leaves no run folder behind.
    /// </summary>
    public T Build<T>(Func<ITrainingObserver, T> build)
    {
        try
        {
            return build(Session.Tracker);
        }
        catch when (Session.ResumeStep is null)
        {
            var path = Session.Dir.Path;
            _session!.Dispose();
            _session = null;
            Directory.Delete(path, recursive: true);
            throw;
        }
    }

    /// <summary>Saves <paramref name="model"/> with the tokenizer as a Hugging Face folder at <c>final/</c>.</summary>
    public void SaveFinal(nn.Module model) => SaveFolder(model, Session.FinalPath);

    /// <summary>Saves <paramref name="model"/> with the tokenizer as a Hugging Face folder at <paramref name="dir"/>.</summary>
    public void SaveFolder(nn.Module model, string dir) => RunModels.SaveFolder(model, ModelConfig, Tokenizer, Model, dir);

    public void Dispose() => CloseStage();

    void CloseStage()
    {
        _session?.Dispose();
        _session = null;
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
