using Aha.IO;
using Aha.Models;
using Aha.R1Zero;
using Aha.Tokenization;
using static TorchSharp.torch;

namespace Aha.Training.Runs;

/// <summary>
/// The pretraining stage: a model initialised from a seed and trained on a synthetic corpus (<see cref="Pretrainer"/>),
/// saved as a Hugging Face folder with its character tokenizer and a JSON file saying what pretraining did. Used by
/// <c>aha r1zero</c> (its <c>base_model/</c>) and by the cached bases of <c>model.pretrain</c> (<see cref="PretrainedBase"/>).
/// Pretraining keeps no checkpoints (it is short): a run stopped during it pretrains again from the start.
/// </summary>
internal static class PretrainStage
{
    /// <summary>A new model of <paramref name="config"/>, initialised from <paramref name="seed"/> and pretrained; the loss goes to <paramref name="log"/> every <c>LogEvery</c> steps.</summary>
    public static (CausalLM Model, PretrainResult Result) Run(ModelConfig config, ITokenizer tokenizer, IReadOnlyList<CorpusDocument> corpus,
        PretrainOptions options, long seed, Device device, Action<string> log, CancellationToken cancellationToken = default)
    {
        var model = new CausalLM(config, device);
        try
        {
            WeightInit.Initialize(model, config.InitializerRange, seed);
            var result = Pretrainer.Train(model, tokenizer, corpus, options, seed,
                (step, loss) => log($"pretrain step {step}/{options.MaxSteps}: loss {loss:F3}"), cancellationToken);
            return (model, result);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the base into <paramref name="dir"/> (HF weights and config, the tokenizer files through <paramref name="save"/>)
    /// and <paramref name="infoJson"/> as <paramref name="infoFile"/> beside them. The folder is written under a temporary
    /// name and renamed into place, so a folder that exists is complete.
    /// </summary>
    public static void Save(string dir, Action<string> save, string infoFile, string infoJson)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(dir))!;
        var tmp = Path.Combine(parent, $".tmp-{Path.GetFileName(dir)}-{Environment.ProcessId}");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        try
        {
            save(tmp);
            AtomicFile.WriteText(Path.Combine(tmp, infoFile), infoJson);
            Directory.Move(tmp, dir);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
    }
}
