using Aha.Models;
using Aha.Tokenization;
using static TorchSharp.torch;

namespace Aha.Generation;

/// <summary>
/// In-process rollout engine: left-pads the prompts into one batch, prefills a preallocated KV cache — each distinct
/// prompt once, its keys and values then copied to the rows that repeat it (<see cref="SamplingParams.SharePromptPrefill"/>)
/// —, then decodes one token per step for all rows until each has stopped. Finished rows keep stepping with the pad
/// token (their outputs are discarded) so the batch stays rectangular. Prompt + <see cref="SamplingParams.MaxNewTokens"/>
/// must fit the model's positions. When the model has more embedding rows than the tokenizer has tokens (real Qwen
/// checkpoints pad the matrix), the ids beyond the tokenizer are never sampled: they decode to nothing.
/// </summary>
public sealed class LocalRolloutEngine : IRolloutEngine
{
    readonly CausalLM _model;
    readonly ITokenizer? _tokenizer;
    readonly int _padId;
    readonly int? _maskFrom;

    /// <param name="tokenizer">Needed only for stop strings; its pad id is used for padding (else 0).</param>
    public LocalRolloutEngine(CausalLM model, ITokenizer? tokenizer = null)
    {
        _model = model;
        _tokenizer = tokenizer;
        _padId = tokenizer?.PadTokenId ?? 0;
        if (tokenizer is not null && tokenizer.VocabSize < model.Config.VocabSize) _maskFrom = tokenizer.VocabSize;
    }

    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
    {
        sampling.Validate();
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Count == 0)) throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
        if (sampling.StopStrings.Count > 0 && _tokenizer is null)
            throw new ArgumentException("Stop strings need a tokenizer to decode completions.", nameof(sampling));

        int batch = prompts.Count, promptLen = prompts.Max(p => p.Count), maxNew = sampling.MaxNewTokens;
        int positions = _model.Config.MaxPositionEmbeddings;
        if ((long)promptLen + maxNew > positions)
            throw new ArgumentException($"a prompt of {promptLen} tokens + max_new_tokens {maxNew} exceeds the model's {positions} positions " +
                $"(max_position_embeddings); shorten the prompt or lower max_new_tokens to at most {Math.Max(0, positions - promptLen)}", nameof(prompts));
        var device = _model.Backbone.EmbeddingWeight.device;
        var stopIds = sampling.StopTokenIds.ToHashSet();
        var tokens = Enumerable.Range(0, batch).Select(_ => new List<int>(maxNew)).ToArray();
        var logProbs = Enumerable.Range(0, batch).Select(_ => new List<float>(maxNew)).ToArray();
        var finish = new FinishReason?[batch];
        var generator = new Generator((ulong)sampling.Seed, device);

        using var outer = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        _model.eval();

        // Left-padded ids and mask over the whole sequence to come: [B, T_prompt + max_new].
        var ids = new long[batch, promptLen + maxNew];
        var mask = new long[batch, promptLen + maxNew];
        for (int b = 0; b < batch; b++)
        {
            int offset = promptLen - prompts[b].Count;
            for (int t = 0; t < promptLen + maxNew; t++)
            {
                ids[b, t] = t < offset ? _padId : t < promptLen ? prompts[b][t - offset] : _padId;
                mask[b, t] = t < offset ? 0 : 1;
            }
        }
        var idsTensor = torch.tensor(ids, device: device);    // [B, T_total]
        var maskTensor = torch.tensor(mask, device: device);  // [B, T_total]
        using var cache = sampling.UseKvCache ? _model.NewCache(batch, promptLen + maxNew) : null;

        var logits = cache is not null && sampling.SharePromptPrefill
            ? SharedPrefill(prompts, idsTensor, maskTensor, promptLen, cache)
            : LastLogits(idsTensor.narrow(1, 0, promptLen), maskTensor.narrow(1, 0, promptLen), cache); // [B, V]
        for (int step = 0; step < maxNew; step++)
        {
            using var scope = torch.NewDisposeScope();
            var (next, nextLogProbs) = TokenSampler.Sample(logits, sampling, generator);
            var nextIds = next.data<long>().ToArray();
            var nextLp = nextLogProbs.data<float>().ToArray();
            for (int b = 0; b < batch; b++)
            {
                if (finish[b] is not null) { nextIds[b] = _padId; continue; }
                tokens[b].Add((int)nextIds[b]);
                logProbs[b].Add(nextLp[b]);
                if (stopIds.Contains((int)nextIds[b])) finish[b] = FinishReason.Eos;
                else if (EndsWithStopString(tokens[b], sampling.StopStrings)) finish[b] = FinishReason.StopString;
                else if (tokens[b].Count == maxNew) finish[b] = FinishReason.Length;
            }
            if (finish.All(f => f is not null)) break;

            int length = promptLen + step + 1;
            idsTensor.narrow(1, length - 1, 1).copy_(torch.tensor(nextIds, device: device).unsqueeze(1));
            logits.Dispose();
            logits = cache is not null
                ? LastLogits(idsTensor.narrow(1, length - 1, 1), maskTensor.narrow(1, 0, length), cache)
                : LastLogits(idsTensor.narrow(1, 0, length), maskTensor.narrow(1, 0, length), null);
            logits.MoveToOuterDisposeScope();
        }

        return Enumerable.Range(0, batch)
            .Select(b => new Completion(prompts[b], tokens[b].ToArray(), logProbs[b].ToArray(), finish[b] ?? FinishReason.Length))
            .ToList();
    }

    /// <summary>
    /// Prefills the distinct prompts only, into a cache of their own, and fans it and their last logits out to the
    /// <paramref name="cache"/>'s rows. Returns the last-position logits [B, V].
    /// </summary>
    Tensor SharedPrefill(IReadOnlyList<IReadOnlyList<int>> prompts, Tensor ids, Tensor mask, int promptLen, KvCache cache)
    {
        var firstRowOf = new Dictionary<string, int>();
        var distinct = new List<long>();  // the first row of each distinct prompt
        var source = new long[prompts.Count]; // row b reads distinct prompt source[b]
        for (int b = 0; b < prompts.Count; b++)
        {
            var key = string.Join(',', prompts[b]);
            if (!firstRowOf.TryGetValue(key, out int d))
            {
                d = distinct.Count;
                firstRowOf[key] = d;
                distinct.Add(b);
            }
            source[b] = d;
        }
        var device = ids.device;
        if (distinct.Count == prompts.Count)
            return LastLogits(ids.narrow(1, 0, promptLen), mask.narrow(1, 0, promptLen), cache);
        var rows = torch.tensor(distinct.ToArray(), device: device);
        using var prefill = _model.NewCache(distinct.Count, promptLen);
        var logits = LastLogits(ids.narrow(1, 0, promptLen).index_select(0, rows), mask.narrow(1, 0, promptLen).index_select(0, rows), prefill); // [n, V]
        var fanOut = torch.tensor(source, device: device);   // [B]
        cache.PrefillFrom(prefill, fanOut);
        return logits.index_select(0, fanOut);               // [B, V]
    }

    /// <summary>Runs the model on new ids [B, t] and returns the logits at the last position [B, V].</summary>
    Tensor LastLogits(Tensor newIds, Tensor mask, KvCache? cache)
    {
        var hidden = _model.Backbone.Forward(newIds, mask, cache: cache); // [B, t, H]
        var logits = _model.Head(hidden[.., -1, ..]);                    // [B, V]: head applied to the last position only
        if (_maskFrom is int from) logits.narrow(1, from, logits.shape[1] - from).fill_(float.NegativeInfinity); // ids with no token
        return logits;
    }

    bool EndsWithStopString(List<int> completion, IReadOnlyList<string> stops)
    {
        if (stops.Count == 0) return false;
        // A stop string can only just have appeared within its own length in tokens (each token is ≥ 1 char), plus slack
        // for byte-level tokens that complete a multi-byte character.
        int window = stops.Max(s => s.Length) + 4;
        var tail = _tokenizer!.Decode(completion.Skip(Math.Max(0, completion.Count - window)));
        return stops.Any(s => tail.Contains(s, StringComparison.Ordinal));
    }
}
