namespace Aha.Data;

/// <summary>
/// Turns a raw question into a prompt by replacing <c>{question}</c> in <see cref="Text"/>.
/// </summary>
public sealed record PromptTemplate
{
    public const string Placeholder = "{question}";

    public PromptTemplate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains(Placeholder, StringComparison.Ordinal))
            throw new ArgumentException($"A prompt template must contain {Placeholder}; got \"{text}\".", nameof(text));
        Text = text;
    }

    public string Text { get; }

    public string Apply(string question) => Text.Replace(Placeholder, question, StringComparison.Ordinal);

    /// <summary>The question as is.</summary>
    public static PromptTemplate Raw { get; } = new(Placeholder);

    /// <summary>Short (for character-level models): asks for &lt;think&gt;…&lt;/think&gt; then &lt;answer&gt;…&lt;/answer&gt;.</summary>
    public static PromptTemplate ThinkAnswer { get; } =
        new("{question}\nThink in <think></think>, then answer in <answer></answer>.\n");

    /// <summary>DeepSeek-R1-Zero's template (arXiv:2501.12948, Table 1).</summary>
    public static PromptTemplate R1Zero { get; } = new(
        "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. " +
        "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. " +
        "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, " +
        "i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: {question}. Assistant:");

    /// <summary>
    /// The one table of template names, for config files (<c>data.template</c>) and <c>aha r1zero --template</c>:
    /// <c>raw</c>, <c>think_answer</c> (also <c>think</c>), <c>r1_zero</c> (also <c>r1zero</c>); <c>-</c> and <c>_</c>
    /// alike, case ignored. Null for any other name.
    /// </summary>
    public static PromptTemplate? Named(string name) => name.Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        "raw" => Raw,
        "think_answer" or "think" => ThinkAnswer,
        "r1_zero" or "r1zero" => R1Zero,
        _ => null,
    };
}
