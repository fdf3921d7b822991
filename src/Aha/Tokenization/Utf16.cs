namespace Aha.Tokenization;

/// <summary>
/// The one rule both tokenizers apply to their input: text must be valid UTF-16. A lone surrogate has no code point, so
/// no tokenizer can encode it faithfully (HF's tokenizers take Rust strings, which cannot hold one); it is refused with
/// its index instead of becoming U+FFFD's bytes silently or an exception deep inside normalisation.
/// </summary>
internal static class Utf16
{
    /// <summary>The index of the first surrogate that is not half of a high-low pair, or null when there is none.</summary>
    public static int? FirstLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return i;
        }
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the index of <paramref name="text"/>'s first lone surrogate.</summary>
    public static void ThrowIfLoneSurrogate(string text, string paramName)
    {
        if (FirstLoneSurrogate(text) is { } bad)
            throw new ArgumentException($"invalid UTF-16 (lone surrogate) at index {bad}", paramName);
    }
}
