using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Tracking;

namespace Aha.Training.Offline;

/// <summary>
/// What DPO and KTO share: the policy trained by the offline loop against reference log-probs computed once before the
/// first step (TRL <c>precompute_ref_log_probs</c>) — from a frozen reference model, or without one from the policy as
/// it starts (with LoRA: the base, adapters off) — and cached with the trainer state, so a resumed run needs no
/// reference; plus the tokenizer, chat template and observer their data preparation uses.
/// </summary>
/// <typeparam name="TItem">One training item with its reference log-probs (<see cref="DpoItem"/>, <see cref="KtoItem"/>).</typeparam>
internal sealed class ReferenceTraining<TItem>
{
    readonly CausalLM? _reference;
    readonly OfflineLoop<TItem> _loop;
    readonly ReferenceLogProbCache _cache;
    readonly int _referenceBatchSize;

    /// <param name="reference">The frozen reference; null uses <paramref name="policy"/> as it is before training.</param>
    /// <param name="referenceFile">The state file of the cached reference log-probs.</param>
    /// <param name="trainer">The trainer's name in error messages (<c>DPO</c>, <c>KTO</c>).</param>
    public ReferenceTraining(CausalLM policy, ITokenizer tokenizer, OfflineTrainingConfig config, CausalLM? reference,
        ITrainingObserver? observer, ChatTemplate? template, IOfflineObjective<TItem> objective, string referenceFile, string trainer)
    {
        Model = policy;
        Tokenizer = tokenizer;
        _reference = reference;
        Template = template ?? ChatTemplate.For(tokenizer);
        Observer = observer ?? NullTrainingObserver.Instance;
        _loop = new OfflineLoop<TItem>(config, policy, policy.Config, objective, Observer);
        _cache = new ReferenceLogProbCache(referenceFile, trainer);
        _referenceBatchSize = config.ResolvedEvalBatchSize;
    }

    public CausalLM Model { get; }
    public ITokenizer Tokenizer { get; }
    public ChatTemplate Template { get; }
    public ITrainingObserver Observer { get; }
    public int Step => _loop.Step;

    /// <summary>
    /// Reference sequence log-probs [pair][first, second] (sums over completion tokens), from the reference model or,
    /// without one, from the policy as it is now.
    /// </summary>
    public double[][] ReferenceLogProbs(IReadOnlyList<TokenizedPair> pairs) =>
        ReferenceLogProbCache.Compute(_reference ?? Model, pairs, Tokenizer.PadTokenId, _referenceBatchSize, trainAfter: _reference is null);

    /// <summary>
    /// The items of <paramref name="split"/> with their reference log-probs: from a loaded state, else computed now —
    /// possible only with a reference model or before the first step (later the policy has moved on from it).
    /// </summary>
    public List<TItem> WithReference<TRow>(string split, IReadOnlyList<TRow> rows, Func<TRow, TokenizedPair> pair, Func<TRow, double[], TItem> attach)
    {
        bool canCompute = _reference is not null || _loop.Step == 0;
        var reference = _cache.Get(split, rows.Count, canCompute, () => ReferenceLogProbs(rows.Select(pair).ToList()));
        return rows.Select((r, i) => attach(r, reference[i])).ToList();
    }

    /// <summary>Trains from <see cref="Step"/> to the end.</summary>
    public OfflineRunResult Run(IReadOnlyList<TItem> train, IReadOnlyList<TItem>? eval, Action<int>? afterStep, CancellationToken cancellationToken) =>
        _loop.Run(train, eval, afterStep, cancellationToken);

    /// <summary>Writes the policy (HF folder), optimizer, RNG, step and the cached reference log-probs.</summary>
    public void SaveState(string dir)
    {
        _loop.SaveState(dir);
        _cache.Save(dir);
    }

    public void LoadState(string dir)
    {
        _loop.LoadState(dir);
        _cache.Load(dir);
    }
}
