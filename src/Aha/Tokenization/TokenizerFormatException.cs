namespace Aha.Tokenization;

/// <summary>
/// A tokenizer file (tokenizer.json / tokenizer_config.json) that Aha cannot read: malformed JSON,
/// a missing or ill-typed field, or a feature Aha does not implement. The message names the file,
/// the JSON field path (e.g. <c>model.merges[12]</c>), the value found and what was expected.
/// </summary>
public sealed class TokenizerFormatException : FormatException
{
    public TokenizerFormatException(string filePath, string field, string message, Exception? inner = null)
        : base($"{filePath}: field '{field}': {message}", inner)
    {
        FilePath = filePath;
        Field = field;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>JSON path of the offending field ("$" for the whole document).</summary>
    public string Field { get; }
}
