namespace Aha.Configuration;

/// <summary>
/// A config section with rules across fields (TRL's <c>__post_init__</c>). The loader calls <see cref="Validate"/> on
/// every section of the resolved configuration, defaults included, and reports all problems together.
/// </summary>
public interface IValidatableConfig
{
    /// <summary>
    /// The problems of this section: <c>Key</c> is the snake_case key the problem is about (used for the location;
    /// empty for the section as a whole), <c>Message</c> states the value, the rule and the fix.
    /// </summary>
    IEnumerable<(string Key, string Message)> Validate();
}
