namespace Aha.Configuration;

/// <summary>
/// One problem of a config section, as data: which key, what is wrong, and the value found. Sections return these
/// (<see cref="IValidatableConfig.Problems"/>); the loader adds the file and line, a library caller gets them all in one
/// <see cref="ConfigException"/>.
/// </summary>
/// <param name="Key">The snake_case key path relative to the section (<c>learning_rate</c>, <c>train[1]</c>,
/// <c>model.path</c>); empty for the section as a whole.</param>
/// <param name="Message">The rule and the fix (TRL's <c>__post_init__</c> style), e.g. <c>must be ≥ 1 (got 0).</c></param>
/// <param name="Value">The offending value, when one value is at fault.</param>
public sealed record ConfigProblem(string Key, string Message, object? Value = null);
