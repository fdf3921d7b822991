using Aha.Data;
using Aha.Generation;
using Aha.Tokenization;

namespace Aha.Environments;

/// <summary>
/// An <see cref="IRolloutEngine"/> whose completions are whole multi-turn trajectories, so code written for
/// single-turn engines (the <see cref="Evaluation.Evaluator"/>, held-out curves) evaluates a policy inside its
/// environment. Each prompt is decoded to text and handed to the environment as the item's prompt, so it suits
/// environments that start from the prompt text and tokenizers that round-trip it (the demo's character tokenizer);
/// the completion's ids are the trajectory's response (policy and observation tokens). For training use
/// <see cref="MultiTurnRollout"/> directly (the trainer does), which keeps the loss mask.
/// </summary>
public sealed class EnvironmentRolloutEngine(MultiTurnRollout rollout, ITokenizer tokenizer) : IRolloutEngine
{
    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
    {
        var items = prompts.Select((p, i) => new PromptItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), tokenizer.Decode(p), null)).ToList();
        return rollout.Run(items, sampling).Select(t => t.ToCompletion()).ToList();
    }
}
