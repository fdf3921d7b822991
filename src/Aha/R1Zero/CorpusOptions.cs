using Aha.Configuration;

namespace Aha.R1Zero;

/// <summary>
/// How the synthetic "web text" corpus is written. The corpus plays the role of a base model's pretraining data: it
/// contains the correct procedure, but a systematic error is the majority habit, so the pretrained model's greedy
/// answer is usually wrong while some of its samples are right (pass@8 ≫ greedy pass@1) — room for RL to sharpen.
/// </summary>
public sealed record CorpusOptions : IValidatableConfig
{
    /// <summary>Documents in the corpus (each a prompt + completion). The default value is 60000.</summary>
    public int Documents { get; init; } = 60_000;

    /// <summary>
    /// Probability that a step carries the systematic error. Arithmetic: each subtraction step a−b is written as the
    /// addition a+b, and the chain continues from the wrong value. Selfcheck: a first attempt at a−b gets a+b's value.
    /// Countdown: the writer gives up after its first miss and answers it. The default value is null: the task's own
    /// (<see cref="ArithmeticErrorRate"/> for arithmetic and countdown, <see cref="SelfCheckErrorRate"/> for selfcheck).
    /// </summary>
    public double? ErrorRate { get; init; }

    /// <summary>Default <see cref="ErrorRate"/> of arithmetic and countdown: the error is the majority habit, yet many samples are right.</summary>
    public const double ArithmeticErrorRate = 0.58;

    /// <summary>
    /// Default <see cref="ErrorRate"/> of selfcheck: first attempts at a subtraction are nearly always wrong, so a plain
    /// chain is rarely right, and a right first attempt (what RL would otherwise sharpen, as in arithmetic) is rarer than
    /// a caught slip: RL's two ways to be right are "stop slipping" and "check and redo", and the rarer one loses (measured
    /// in docs/r1zero.md).
    /// </summary>
    public const double SelfCheckErrorRate = 0.99;

    /// <summary>
    /// Selfcheck: share of think documents whose writer checks every step (verify, or catch and redo). Rare, as careful
    /// reasoners are in web text, yet more common than a right first attempt at a subtraction (1 − <see cref="SelfCheckErrorRate"/>).
    /// The default value is 0.08.
    /// </summary>
    public double CheckRate { get; init; } = 0.08;

    /// <summary>Selfcheck: probability that a checking writer catches a wrong step and redoes it (else the check misses). The default value is 0.9.</summary>
    public double CatchRate { get; init; } = 0.9;

    /// <summary>
    /// Selfcheck: share of documents that are one worked step of a training problem's chain, always right, under its own
    /// one-operation prompt (<c>23-6=</c> → <c>&lt;think&gt;23-6=17&lt;/think&gt;&lt;answer&gt;17&lt;/answer&gt;</c>), like the
    /// arithmetic tables a web crawl holds. Chains slip on nearly every first subtraction, so without these the base
    /// model sees too few right differences to redo a step after <c>wait</c>. The default value is 0.25.
    /// </summary>
    public double FactRate { get; init; } = 0.25;

    /// <summary>Share of documents that answer directly, with no &lt;think&gt; block (guesses). The default value is 0.15.</summary>
    public double DirectAnswerRate { get; init; } = 0.15;

    /// <summary>Probability that a direct guess is right. The default value is 0.3.</summary>
    public double DirectCorrectRate { get; init; } = 0.3;

    /// <summary>These options when valid; otherwise one <see cref="ConfigException"/> listing every problem at its key.</summary>
    public CorpusOptions Validate() => ConfigValidationExtensions.Validate(this);

    /// <summary>Every problem of these options, at its key (empty when valid).</summary>
    public IEnumerable<ConfigProblem> Problems()
    {
        if (Documents < 1) yield return new ConfigProblem("documents", $"must be ≥ 1 (got {Documents}).", Documents);
        if (ErrorRate is { } e && !(e is >= 0 and <= 1)) yield return new ConfigProblem("error_rate", $"must be in [0, 1] or null for the task's (got {e}).", e);
        foreach (var (key, value) in new[] { ("check_rate", CheckRate), ("fact_rate", FactRate), ("catch_rate", CatchRate), ("direct_answer_rate", DirectAnswerRate), ("direct_correct_rate", DirectCorrectRate) })
            if (!(value is >= 0 and <= 1)) yield return new ConfigProblem(key, $"must be in [0, 1] (got {value}).", value);
    }
}

/// <summary>One corpus document: the prompt and the written solution (without EOS). <see cref="Kind"/> is
/// <c>correct</c>, <c>error</c> (the systematic error, wrong final answer), <c>checked</c> (selfcheck: the writer checked every step), <c>fact</c> (selfcheck: one worked step under its own prompt) or <c>direct</c> (no think block).</summary>
public sealed record CorpusDocument(string Prompt, string Completion, string Kind, bool AnswerCorrect);

/// <summary>Counts describing a corpus, printed and written to summary.json.</summary>
public sealed record CorpusStats(
    int Documents, int DistinctProblems, double ThinkShare, double DirectShare, double WrongAnswerShare,
    int ErrorSteps, int ErrorEligibleSteps, double MeanCompletionChars, double CheckingShare = 0)
{
    /// <summary>Observed share of eligible steps written with the systematic error.</summary>
    public double StepErrorRate => ErrorEligibleSteps == 0 ? 0 : (double)ErrorSteps / ErrorEligibleSteps;
}
