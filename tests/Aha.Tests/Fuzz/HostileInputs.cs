using System.Text;

namespace Aha.Tests.Fuzz;

/// <summary>
/// Seeded hostile variants of a valid input, for property tests of parsers: every variant must give a valid result or
/// the parser's typed error, never another exception, a hang or a crash. The same seed gives the same variants, so a
/// failure reproduces. Kinds: truncations, byte flips, NUL bytes, invalid UTF-8 (stray continuation bytes, overlong
/// encodings, a UTF-8-encoded lone surrogate), huge numbers, deep nesting, and one 10 MB line.
/// </summary>
internal static class HostileInputs
{
    /// <summary>Bytes of a 10 MB line: the largest single input every parser must take in bounded time and memory.</summary>
    public const int HugeLineBytes = 10 * 1024 * 1024;

    /// <summary>Mutations of <paramref name="valid"/> (UTF-8), each named for the failure message.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Mutations(byte[] valid, int seed, int randomCount = 40)
    {
        var rng = new Random(seed);
        yield return ("empty", []);
        for (int i = 0; i < randomCount; i++)
        {
            int cut = rng.Next(valid.Length + 1);
            yield return ($"truncated at {cut}", valid[..cut]);
            var flipped = (byte[])valid.Clone();
            int flips = 1 + rng.Next(4);
            for (int f = 0; f < flips && flipped.Length > 0; f++) flipped[rng.Next(flipped.Length)] = (byte)rng.Next(256);
            yield return ($"bytes flipped (seed {seed}, case {i})", flipped);
            int at = rng.Next(valid.Length + 1);
            var insert = Inserts[rng.Next(Inserts.Length)];
            yield return ($"{insert.Name} inserted at {at}", [.. valid[..at], .. insert.Bytes, .. valid[at..]]);
        }
    }

    /// <summary>Small byte sequences that break naive parsers when spliced in anywhere.</summary>
    public static readonly (string Name, byte[] Bytes)[] Inserts =
    [
        ("NUL", [0]),
        ("stray continuation byte", [0x80]),
        ("0xFF", [0xFF]),
        ("overlong '/'", [0xC0, 0xAF]),
        ("lone surrogate U+D800 as UTF-8", [0xED, 0xA0, 0x80]),
        ("huge integer", Encoding.ASCII.GetBytes("1" + new string('0', 400))),
        ("huge exponent", Encoding.ASCII.GetBytes("1e999999999")),
        ("negative beyond long", Encoding.ASCII.GetBytes("-9223372036854775809")),
        ("quote", "\""u8.ToArray()),
        ("brace", "{"u8.ToArray()),
        ("bracket", "["u8.ToArray()),
        ("newline", "\n"u8.ToArray()),
    ];

    /// <summary><paramref name="depth"/> nested openers then closers, e.g. "[[[…]]]".</summary>
    public static string Nested(string open, string close, int depth) =>
        new StringBuilder(depth * (open.Length + close.Length)).Insert(0, open, depth).Insert(depth * open.Length, close, depth).ToString();

    /// <summary>A string of <paramref name="bytes"/> ASCII characters repeating <paramref name="unit"/> (no newline).</summary>
    public static string Repeat(string unit, int bytes)
    {
        var b = new StringBuilder(bytes + unit.Length);
        while (b.Length < bytes) b.Append(unit);
        return b.ToString(0, bytes);
    }

    /// <summary>A string with lone surrogates and NULs: valid for .NET, invalid as Unicode.</summary>
    public static string LoneSurrogates(int seed, int length)
    {
        var rng = new Random(seed);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
            chars[i] = rng.Next(4) switch { 0 => (char)rng.Next(0xD800, 0xE000), 1 => '\0', 2 => (char)rng.Next(32, 127), _ => (char)rng.Next(0x10000) };
        return new string(chars);
    }
}
