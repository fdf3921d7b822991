using Aha.Data;
using Aha.Environments;
using Aha.Models;
using Aha.R1Zero;
using Aha.Rewards;
using Aha.Tokenization;

namespace Aha.Training.Runs;

/// <summary>
/// The inputs of an <c>aha r1zero</c> run, all read and checked before anything is written: problems, verifier,
/// tokenizer, model config, and for a built-in task its synthetic corpus.
/// </summary>
internal sealed record R1ZeroInputs(IReadOnlyList<PromptItem> Train, IReadOnlyList<PromptItem> Test, IRewardFunction Correctness, string TaskName,
    ITokenizer Tokenizer, ModelConfig ModelConfig)
{
    /// <summary>Positions of the built-in model: prompt + completion must fit (the longest built-in prompt is ~10 characters).</summary>
    const int BuiltInPositions = 256;

    public IReadOnlyList<CorpusDocument>? Corpus { get; init; }
    public CorpusStats? CorpusStats { get; init; }
    public string Description { get; init; } = "";
    public MultiTurnEnvironment? Environment { get; init; }

    /// <summary>The task is solved by trial and error (<see cref="R1ZeroTask.Searches"/>).</summary>
    public bool Searches { get; init; }

    /// <summary>Weight of the format reward: <c>rl.format_bonus</c>, else the task's (<see cref="R1ZeroTask.DefaultFormatBonus"/> for a data file).</summary>
    public double FormatBonus { get; init; } = R1ZeroTask.DefaultFormatBonus;

    /// <summary>RL learning rate: <c>rl.learning_rate</c>, else the task's (<see cref="R1ZeroTask.DefaultLearningRate"/> for a data file).</summary>
    public double LearningRate { get; init; } = R1ZeroTask.DefaultLearningRate;

    /// <summary>On-policy preset: <c>rl.preset</c>, else the task's (<see cref="R1ZeroTask.DefaultPreset"/> for a data file).</summary>
    public string Preset { get; init; } = R1ZeroTask.DefaultPreset;

    /// <summary>Tokens per completion: <c>rl.max_new_tokens</c>, else the task's own length (48 for a data file).</summary>
    public int MaxNewTokens { get; init; } = R1ZeroTask.DefaultMaxNewTokens;

    /// <summary>Where the model comes from, for saving its tokenizer beside a checkpoint (a folder's files, or the character tokenizer).</summary>
    public ModelSection Source { get; init; } = new() { Tokenizer = ModelSection.Char };

    /// <summary>The inputs <paramref name="c"/> describes; prompts that leave no room for <see cref="MaxNewTokens"/> are an error.</summary>
    public static R1ZeroInputs Read(R1ZeroConfig c)
    {
        var inputs = c.BuiltIn ? BuiltIn(c) : Folder(c);
        int longestPrompt = inputs.Train.Concat(inputs.Test).Max(p => inputs.Tokenizer.Encode(p.Prompt).Count);
        int positions = inputs.ModelConfig.MaxPositionEmbeddings;
        if (longestPrompt + inputs.MaxNewTokens > positions)
            throw new ArgumentException($"rl.max_new_tokens {inputs.MaxNewTokens}: prompts of up to {longestPrompt} tokens leave room for at most " +
                $"{positions - longestPrompt} new tokens in the model's {positions} positions (max_position_embeddings)");
        return inputs;
    }

    /// <summary>A built-in task: its problems, the synthetic corpus, a character tokenizer over it, the small model's config.</summary>
    public static R1ZeroInputs BuiltIn(R1ZeroConfig c)
    {
        var task = R1ZeroTasks.Create(c.Task, c.Data.TrainProblems, c.Data.TestProblems, c.Seed);
        var (corpus, stats) = SyntheticCorpus.Build(task.Train, task.Writer, c.Corpus, c.Seed);
        var tokenizer = CharTokenizer.Create(
            CharAlphabet.Of(corpus.Select(d => d.Prompt + d.Completion).Concat(task.Test.Select(t => t.Prompt)).Append(task.ExtraCharacters),
                [.. CharTokenizer.DefaultAddedTokens, .. task.AddedTokens]),
            addedTokens: [.. CharTokenizer.DefaultAddedTokens, .. task.AddedTokens]);
        var m = c.Model;
        var config = new ModelConfig
        {
            Family = ModelFamily.Qwen2, VocabSize = tokenizer.VocabSize, HiddenSize = m.HiddenSize, IntermediateSize = m.IntermediateSize,
            NumLayers = m.Layers, NumHeads = m.Heads, NumKvHeads = m.KvHeads, HeadDim = m.HiddenSize / m.Heads, QkvBias = true,
            TieWordEmbeddings = true, MaxPositionEmbeddings = BuiltInPositions, EosTokenId = tokenizer.EosTokenId,
        }.Validate();
        return new R1ZeroInputs(task.Train, task.Test, task.Correctness, task.Name, tokenizer, config) { Corpus = corpus, CorpusStats = stats }
            .Settings(c.Rl, task);
    }

    /// <summary>A model folder and a data file: read and checked (tokenizer, config, vocabulary, records) before the weights load.</summary>
    static R1ZeroInputs Folder(R1ZeroConfig c)
    {
        var dir = c.Model.Path!;
        var tokenizer = TokenizerLoader.Load(dir);
        var config = ModelConfig.Load(System.IO.Path.Combine(dir, "config.json"));
        RunModels.CheckVocabulary(config, tokenizer, "model.path");
        var source = new ModelSection { Path = dir };
        if (c.Data.Path is not { } path)
        {
            // A base model pretrained by an earlier run (its base_model/) on the built-in task: the same seed gives
            // the same split, so RL settings can be compared on one base without pretraining again.
            var task = R1ZeroTasks.Create(c.Task, c.Data.TrainProblems, c.Data.TestProblems, c.Seed);
            return new R1ZeroInputs(task.Train, task.Test, task.Correctness, task.Name, tokenizer, config) { Source = source }.Settings(c.Rl, task);
        }
        var template = PromptTemplate.Named(c.Data.Template)!;            // checked by the config
        var items = PromptDataReader.Read(path, new PromptReadOptions { Template = template }).ToList();
        if (items.Count < 2) throw new InvalidDataException($"{path}: needs at least 2 records (held-out + RL); found {items.Count}.");
        int testCount = Math.Min(c.Data.TestProblems, items.Count / 2);
        var (test, train) = (items.Take(testCount).ToList(), items.Skip(testCount).Take(c.Data.TrainProblems).ToList());
        return new R1ZeroInputs(train, test, new MathReward("math"), "data:" + System.IO.Path.GetFileName(path), tokenizer, config) { Source = source }
            .Settings(c.Rl, task: null);
    }

    /// <summary>
    /// The task's own settings (a data file has none: the defaults), each replaced by its <paramref name="rl"/> key where
    /// that is set — the one place the "null takes the task's" rule of <c>rl.*</c> lives.
    /// </summary>
    R1ZeroInputs Settings(R1ZeroRlSection rl, R1ZeroTask? task) => this with
    {
        Description = task?.Description ?? "", Environment = task?.Environment, Searches = task?.Searches ?? false,
        MaxNewTokens = rl.MaxNewTokens ?? task?.MaxNewTokens ?? R1ZeroTask.DefaultMaxNewTokens,
        FormatBonus = rl.FormatBonus ?? task?.FormatBonus ?? R1ZeroTask.DefaultFormatBonus,
        LearningRate = rl.LearningRate ?? task?.LearningRate ?? R1ZeroTask.DefaultLearningRate,
        Preset = rl.Preset ?? task?.Preset ?? R1ZeroTask.DefaultPreset,
    };
}
