using Aha.Checkpoints;
using Aha.Generation;
using Aha.Models;
using Aha.Tokenization;

namespace Aha.Serving;

/// <summary>
/// The model a server answers with: weights, tokenizer, engine and the weight version. Only the scheduler thread
/// touches the weights, so a swap (<see cref="LoadWeights"/>) falls between engine calls, never inside one.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    /// <summary>
    /// Serializes the TorchSharp work of every server in this process. TorchSharp hands some implicit Scalars to native
    /// code without keeping them alive, so two threads running torch at once can lose one to the finalizer (README,
    /// Platform notes). `aha serve` runs one server per process, where the gate costs nothing; tests run several.
    /// </summary>
    static readonly object TorchGate = new();

    readonly torch.Device _device;
    CausalLM _model;
    LocalRolloutEngine _engine;

    public ServedModel(CausalLM model, ITokenizer tokenizer, string name, string weightVersion = "0")
    {
        _model = model;
        _device = model.Backbone.EmbeddingWeight.device;
        Tokenizer = tokenizer;
        Name = name;
        WeightVersion = weightVersion;
        _engine = new LocalRolloutEngine(model, tokenizer);
    }

    public static ServedModel Load(string dir, torch.Device device, string? name)
    {
        var tokenizer = TokenizerLoader.Load(dir);
        var model = HfCheckpoint.LoadCausalLM(dir, device);
        return new ServedModel(model, tokenizer, name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))));
    }

    public ITokenizer Tokenizer { get; }

    public string Name { get; }

    public ModelConfig Config => _model.Config;

    /// <summary>Prompt + completion tokens the model can attend over (config.json's max_position_embeddings).</summary>
    public int ContextLength => _model.Config.MaxPositionEmbeddings;

    /// <summary>The version of the weights now loaded: "0" at start, then what each update named (or a count).</summary>
    public string WeightVersion { get; private set; }

    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
    {
        lock (TorchGate) return _engine.Generate(prompts, sampling);
    }

    /// <summary>
    /// Loads the HF checkpoint in <paramref name="dir"/> into a fresh copy of the served architecture and swaps it in only
    /// when every tensor loaded: a bad folder leaves the served weights as they were.
    /// </summary>
    public void LoadWeights(string dir, string? version)
    {
        lock (TorchGate) Swap(dir, version);
    }

    void Swap(string dir, string? version)
    {
        var fresh = new CausalLM(_model.Config, _device, _model.Backbone.EmbeddingWeight.dtype);
        try { HfCheckpoint.LoadWeights(fresh, dir); }
        catch { fresh.Dispose(); throw; }
        fresh.eval();
        var old = _model;
        _model = fresh;
        _engine = new LocalRolloutEngine(fresh, Tokenizer);
        old.Dispose();
        WeightVersion = version ?? (long.TryParse(WeightVersion, out var v) ? (v + 1).ToString() : "1");
    }

    public void Dispose() => _model.Dispose();
}
