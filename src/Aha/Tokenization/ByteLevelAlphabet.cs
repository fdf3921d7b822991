using System.Text;

namespace Aha.Tokenization;

/// <summary>
/// GPT-2's reversible byte → printable-char map used by byte-level BPE vocabularies (Radford et al. 2019,
/// <c>bytes_to_unicode</c>): bytes 33–126, 161–172 and 174–255 map to themselves; the other 68 bytes map to
/// U+0100, U+0101, … in byte order (so a space, 0x20, is 'Ġ' U+0120 and '\n' is 'Ċ' U+010A).
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    /// <summary>Text → its UTF-8 bytes written in the byte-level alphabet (the form of vocabulary keys).</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
            chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>Appends the bytes a token stands for when every char is in the alphabet; otherwise appends nothing and returns false.</summary>
    public static bool TryAppendBytes(string token, List<byte> into)
    {
        foreach (var c in token)
            if (!CharToByte.ContainsKey(c))
                return false;
        foreach (var c in token)
            into.Add(CharToByte[c]);
        return true;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174 and <= 255;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
