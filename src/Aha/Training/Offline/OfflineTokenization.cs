using Aha.Data;
using Aha.Tokenization;

namespace Aha.Training.Offline;

/// <summary>
/// Turns SFT examples and preference pairs into token ids with the completion-only mask.
/// <list type="bullet">
/// <item>Plain <c>prompt</c>/<c>completion</c>: ids = enc(prompt) ++ enc(completion) [++ EOS]; targets are the
/// completion tokens (and EOS). No chat template, as TRL's "standard" format.</item>
/// <item>Chat <c>messages</c>: rendered with the chat template (the model's own, or ChatML); targets are each
/// assistant turn's content and its closing end-of-turn token (TRL <c>assistant_only_loss</c>); headers, other roles
/// and the white space after the end-of-turn token are context only.</item>
/// </list>
/// Pieces (prompt, completion, each turn's header/content) are encoded separately and concatenated, so the mask
/// boundary is exact; with BPE this can differ from encoding the whole string only where a merge would cross a
/// piece boundary (turn boundaries are special tokens and newlines, where the pre-tokenizers split anyway).
/// Sequences longer than <c>maxLength</c> keep their start; one left with no target is returned as null.
/// </summary>
public static class OfflineTokenization
{
    /// <summary>An SFT example → ids + target mask, or null when truncation leaves no target token.</summary>
    public static TokenizedSequence? Sft(SftExample example, ITokenizer tokenizer, ChatTemplate template, int maxLength, bool appendEos)
    {
        ArgumentNullException.ThrowIfNull(example);
        var ids = new List<int>();
        var trained = new List<bool>();
        void Add(string text, bool train)
        {
            foreach (var id in tokenizer.Encode(text)) { ids.Add(id); trained.Add(train); }
        }

        if (example.IsChat)
        {
            foreach (var (text, train) in ChatPieces(example.Messages!, template)) Add(text, train);
        }
        else
        {
            Add(example.Prompt!, false);
            Add(example.Completion!, true);
            if (appendEos && tokenizer.EosTokenId is int eos) { ids.Add(eos); trained.Add(true); }
        }
        if (ids.Count > maxLength) { ids.RemoveRange(maxLength, ids.Count - maxLength); trained.RemoveRange(maxLength, trained.Count - maxLength); }
        if (trained.Count > 0) trained[0] = false;
        return trained.Contains(true) ? new TokenizedSequence(ids.ToArray(), trained.ToArray()) : null;
    }

    /// <summary>
    /// The rendered conversation cut into (text, trained) pieces whose concatenation is exactly
    /// <see cref="ChatTemplate.Render"/>'s output. Each assistant turn's target is what rendering it adds after the
    /// generation prompt, without the trailing white space: content + &lt;|im_end|&gt; in ChatML, content +
    /// &lt;|eot_id|&gt; in Llama 3, content + &lt;end_of_turn&gt; in Gemma (TRL's assistant-only loss).
    /// </summary>
    /// <exception cref="InvalidOperationException">The template renders earlier turns differently once later ones
    /// follow (e.g. Qwen3 drops the reasoning of past turns), so a turn's text is not a prefix of the whole.</exception>
    public static IReadOnlyList<(string Text, bool Trained)> ChatPieces(IReadOnlyList<ChatMessage> messages, ChatTemplate template)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(template);
        var pieces = new List<(string, bool)>();
        int done = 0;   // characters of the rendering already emitted
        string full = template.Render(messages);
        for (int k = 0; k < messages.Count; k++)
        {
            if (messages[k].Role != "assistant") continue;
            string prompt = k == 0 ? "" : template.Render(messages.Take(k).ToList(), addGenerationPrompt: true);
            string upTo = template.Render(messages.Take(k + 1).ToList());
            int start = prompt.Length;
            string target = TrimEndWhitespace(upTo[Math.Min(start, upTo.Length)..]);
            if (start < done || target.Length == 0 || !upTo.StartsWith(prompt, StringComparison.Ordinal) || !full.StartsWith(upTo[..(start + target.Length)], StringComparison.Ordinal))
                throw new InvalidOperationException(
                    $"The chat template does not render assistant turn {k} as the generation prompt followed by its text, with the same text once later turns follow; it cannot be trained on turn by turn.");
            if (start > done) pieces.Add((full[done..start], false));
            pieces.Add((target, true));
            done = start + target.Length;
        }
        if (done < full.Length) pieces.Add((full[done..], false));
        return pieces;
    }

    private static string TrimEndWhitespace(string s)
    {
        int end = s.Length;
        while (end > 0 && char.IsWhiteSpace(s[end - 1])) end--;
        return s[..end];
    }

    /// <summary>
    /// A preference pair → ids, or null when truncation leaves chosen or rejected without a token.
    /// Text prompt + text completions: completions get EOS when <paramref name="appendEos"/>. Chat: the prompt is
    /// rendered with the generation prompt and each completion is its assistant turn(s) up to the last
    /// &lt;|im_end|&gt;. An implicit prompt (chosen/rejected full conversations) is their common leading messages.
    /// </summary>
    public static TokenizedPair? Pair(PreferenceExample example, ITokenizer tokenizer, ChatTemplate template, int maxLength, bool appendEos)
    {
        ArgumentNullException.ThrowIfNull(example);
        var (prompt, chosen, rejected) = PairTexts(example, template);
        var promptIds = tokenizer.Encode(prompt).ToArray();
        int[] Completion(string text, bool isChat)
        {
            var ids = tokenizer.Encode(text).ToList();
            if (!isChat && appendEos && tokenizer.EosTokenId is int eos) ids.Add(eos);
            int room = Math.Max(0, maxLength - promptIds.Length);
            return ids.Take(room).ToArray();
        }
        bool chat = !example.Chosen.IsText;
        var c = Completion(chosen, chat);
        var r = Completion(rejected, chat);
        if (promptIds.Length == 0 || c.Length == 0 || r.Length == 0) return null;
        return new TokenizedPair(promptIds, c, r);
    }

    /// <summary>
    /// An unpaired example → (prompt ids, completion ids), or null when truncation leaves no completion token; text
    /// and chat formats as <see cref="Pair"/> (a completion tokenizes exactly as a chosen one would).
    /// </summary>
    public static (int[] Prompt, int[] Completion)? Unpaired(UnpairedExample example, ITokenizer tokenizer, ChatTemplate template, int maxLength, bool appendEos)
    {
        ArgumentNullException.ThrowIfNull(example);
        var pair = Pair(new PreferenceExample(example.Id, example.Prompt, example.Completion, example.Completion), tokenizer, template, maxLength, appendEos);
        return pair is null ? null : (pair.Prompt, pair.Chosen);
    }

    /// <summary>(prompt text, chosen completion text, rejected completion text) as they will be encoded.</summary>
    public static (string Prompt, string Chosen, string Rejected) PairTexts(PreferenceExample example, ChatTemplate template)
    {
        ArgumentNullException.ThrowIfNull(example);
        if (example.Chosen.IsText != example.Rejected.IsText || (example.Prompt is { } p0 && p0.IsText != example.Chosen.IsText))
            throw new ArgumentException($"Pair '{example.Id}' mixes text and message lists; use one format for prompt, chosen and rejected.", nameof(example));
        if (example.Chosen.IsText) return (example.Prompt!.Text!, example.Chosen.Text!, example.Rejected.Text!);

        var chosenMessages = example.Chosen.Messages!;
        var rejectedMessages = example.Rejected.Messages!;
        IReadOnlyList<ChatMessage> prompt;
        if (example.Prompt is { } p)
        {
            prompt = p.Messages!;
        }
        else
        {
            int common = 0;
            while (common < chosenMessages.Count && common < rejectedMessages.Count && chosenMessages[common] == rejectedMessages[common]) common++;
            if (common == 0)
                throw new ArgumentException($"Pair '{example.Id}' has no prompt and chosen/rejected share no leading messages.", nameof(example));
            prompt = chosenMessages.Take(common).ToList();
            chosenMessages = chosenMessages.Skip(common).ToList();
            rejectedMessages = rejectedMessages.Skip(common).ToList();
        }
        string promptText = template.Render(prompt, addGenerationPrompt: true);
        string Continuation(IReadOnlyList<ChatMessage> completion, string which)
        {
            if (completion.Count == 0 || completion[0].Role != "assistant")
                throw new ArgumentException($"Pair '{example.Id}': the {which} completion must start with an assistant message.", nameof(example));
            string full = template.Render(prompt.Concat(completion).ToList());
            // The generation prompt ("<|im_start|>assistant\n" in ChatML) is the first assistant turn's header; the
            // white space after the turn's end token ("\n" after <|im_end|>) is not trained.
            string continuation = TrimEndWhitespace(full.StartsWith(promptText, StringComparison.Ordinal) ? full[promptText.Length..] : "");
            if (continuation.Length == 0)
                throw new InvalidOperationException("The chat template's rendering does not extend the generation prompt.");
            return continuation;
        }
        return (promptText, Continuation(chosenMessages, "chosen"), Continuation(rejectedMessages, "rejected"));
    }
}
