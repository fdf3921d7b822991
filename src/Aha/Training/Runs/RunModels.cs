using Aha.Checkpoints;
using Aha.IO;
using Aha.Models;
using Aha.Models.Lora;
using Aha.Tokenization;
using static TorchSharp.torch;

namespace Aha.Training.Runs;

/// <summary>Builds a run's tokenizer and models from its <see cref="ModelSection"/>, and saves the final HF folder.</summary>
public static class RunModels
{
    /// <summary>
    /// The built-in tiny model (<c>init: tiny</c>): Qwen2, hidden 32, 2 layers, 4 heads (2 KV heads), tied embeddings,
    /// vocabulary = the tokenizer's. Small enough that an RL step on 2 CPU cores takes a fraction of a second.
    /// </summary>
    public static ModelConfig TinyConfig(int vocabSize) => new ModelConfig
    {
        Family = ModelFamily.Qwen2, VocabSize = vocabSize, HiddenSize = 32, IntermediateSize = 64, NumLayers = 2,
        NumHeads = 4, NumKvHeads = 2, HeadDim = 8, QkvBias = true, TieWordEmbeddings = true, RopeTheta = 10000,
        MaxPositionEmbeddings = 4096,
    }.Validate("init: tiny");

    /// <summary>
    /// The section with a <c>pretrain</c> base replaced by its cached folder (built on first use, progress on the
    /// console); any other section as it is. Every builder below resolves its section this way, so a run's config (and
    /// its <c>resolved_config.yaml</c>) keeps the settings, never a cache path.
    /// </summary>
    public static ModelSection Resolve(ModelSection model) => model.Pretrain is { } pretrain
        ? model with { Path = PretrainedBase.Ensure(pretrain, Console.Out), Pretrain = null }
        : model;

    /// <summary>
    /// The tokenizer: loaded from a file or folder, or (<c>char</c>) a character tokenizer over printable ASCII,
    /// newline and any other character of <paramref name="texts"/> (<see cref="CharAlphabet.Of"/>).
    /// </summary>
    public static ITokenizer Tokenizer(ModelSection model, IEnumerable<string> texts)
    {
        model = Resolve(model);
        var spec = model.ResolvedTokenizer ?? throw new ArgumentException("The model section names no tokenizer.", nameof(model));
        if (spec != ModelSection.Char) return TokenizerLoader.Load(spec);
        var printable = "\n" + new string(Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c).ToArray());
        return CharTokenizer.Create(CharAlphabet.Of(texts, [.. CharTokenizer.DefaultSpecialTokens, .. CharTokenizer.DefaultAddedTokens], printable));
    }

    /// <summary>The model config the section describes (vocabulary checked against the tokenizer).</summary>
    public static ModelConfig Config(ModelSection model, ITokenizer tokenizer)
    {
        model = Resolve(model);
        var config = model.Path is { } path ? ModelConfig.Load(path)
            : model.ResolvedInit == ModelSection.Tiny ? TinyConfig(tokenizer.VocabSize)
            : ModelConfig.Load(model.ResolvedInit!);
        CheckVocabulary(config, tokenizer, "model");
        return config;
    }

    /// <summary>
    /// A model needs an embedding row for every token id: fewer rows than the tokenizer has tokens is an error (naming
    /// <paramref name="where"/>, the flag or key that chose the model). More rows are fine (real Qwen checkpoints pad
    /// the matrix); the rollout engine never samples the ids beyond the tokenizer.
    /// </summary>
    public static void CheckVocabulary(ModelConfig config, ITokenizer tokenizer, string where)
    {
        if (config.VocabSize < tokenizer.VocabSize)
            throw new ArgumentException($"{where}: the model's vocab_size ({config.VocabSize}) is smaller than its tokenizer's {tokenizer.VocabSize} tokens; " +
                                        $"use a matching tokenizer or a vocab_size of at least {tokenizer.VocabSize}");
    }

    /// <summary>The causal LM: loaded from the folder, or randomly initialised with the section's seed; LoRA adapters attached when the section has them.</summary>
    public static CausalLM Policy(ModelSection model, ModelConfig config, Device device)
    {
        model = Resolve(model);
        CausalLM lm;
        if (model.Path is { } path) lm = HfCheckpoint.LoadCausalLM(path, device);
        else
        {
            lm = new CausalLM(config, device);
            WeightInit.Initialize(lm, config.InitializerRange, model.InitSeed);
        }
        if (model.ActiveLora is { } lora)
        {
            LoraAdapters.Attach(lm, lora, model.InitSeed);
            if (lora.Adapter is { } adapter) PeftAdapter.Load(lm, adapter);
        }
        return lm;
    }

    /// <summary>
    /// A scalar-head model (reward model or critic): a folder's backbone (and its head when it has one, else a fresh
    /// head), or a random model with the section's seed (offset by <paramref name="seedOffset"/>).
    /// </summary>
    public static ScalarHeadModel ScalarHead(ModelSection model, ModelConfig config, Device device, long seedOffset = 0)
    {
        model = Resolve(model);
        ScalarHeadModel m;
        if (model.Path is { } path) m = HfCheckpoint.LoadScalarHeadModel(path, device, seed: model.InitSeed + seedOffset);
        else
        {
            m = new ScalarHeadModel(config, device);
            WeightInit.Initialize(m, config.InitializerRange, model.InitSeed + seedOffset);
        }
        if (model.ActiveLora is { } lora)
        {
            LoraAdapters.Attach(m, lora, model.InitSeed + seedOffset);
            // A reward model's adapter (SEQ_CLS, with its score head) starts one; a policy's adapter leaves a PPO critic fresh.
            if (lora.Adapter is { } adapter && PeftAdapter.HasScoreHead(adapter)) PeftAdapter.Load(m, adapter);
        }
        return m;
    }

    /// <summary>
    /// Writes <paramref name="module"/> as a HF folder into <paramref name="dir"/> with the tokenizer beside it: the
    /// source folder's tokenizer files copied, or a character tokenizer saved. With LoRA the folder holds the merged
    /// weights and the PEFT adapter itself goes to <c>adapter/</c> inside it.
    /// </summary>
    public static void SaveFolder(nn.Module module, ModelConfig config, ITokenizer tokenizer, ModelSection source, string dir)
    {
        source = Resolve(source);
        HfCheckpoint.Save(module, config, dir);
        if (LoraAdapters.Of(module) is not null) PeftAdapter.Save(module, Path.Combine(dir, AdapterDir), source.Path);
        SaveTokenizer(tokenizer, source, dir);
    }

    /// <summary>The subfolder of a run's <c>final/</c> that holds a LoRA run's PEFT adapter.</summary>
    public const string AdapterDir = "adapter";

    /// <summary>Copies the tokenizer files of <paramref name="source"/> into <paramref name="dir"/> (or saves a char tokenizer).</summary>
    public static void SaveTokenizer(ITokenizer tokenizer, ModelSection source, string dir)
    {
        source = Resolve(source);
        Directory.CreateDirectory(dir);
        if (source.ResolvedTokenizer is { } spec && spec != ModelSection.Char)
        {
            var file = TokenizerLoader.ResolveFile(spec);
            foreach (var name in new[] { TokenizerLoader.TokenizerFileName, SpecialTokenRoles.ConfigFileName })
            {
                var from = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, name);
                if (File.Exists(from)) AtomicFile.Write(Path.Combine(dir, name), s => { using var f = File.OpenRead(from); f.CopyTo(s); });
            }
        }
        else if (tokenizer is CharTokenizer c) c.Save(dir);
        else throw new InvalidOperationException("Only a character tokenizer can be saved without a source file.");
    }
}
