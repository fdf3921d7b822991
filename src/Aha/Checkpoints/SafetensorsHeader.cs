using System.Buffers.Binary;
using System.Text.Json;

namespace Aha.Checkpoints;

/// <summary>One tensor listed in a safetensors header: dtype, shape and its byte range within the data section.</summary>
/// <param name="Begin">Offset of the first byte, relative to the start of the data section (after the header).</param>
/// <param name="End">Offset one past the last byte, relative to the start of the data section.</param>
public sealed record SafetensorsEntry(string Name, string Dtype, IReadOnlyList<long> Shape, long Begin, long End);

/// <summary>
/// Reads and checks a safetensors header (8-byte little-endian length, then a JSON object of
/// <c>name → {dtype, shape, data_offsets}</c>) without loading data. Every entry is checked against the file before
/// any tensor is read: a known dtype, non-negative dimensions, offsets inside the data section, and a byte count equal
/// to the shape's element count times the dtype's size. So a header with lying offsets or a shape that does not match
/// its bytes is refused with the file and tensor named, and a loader that trusts the checked header never reads
/// outside the file.
/// </summary>
public static class SafetensorsHeader
{
    /// <summary>The longest header accepted (100 MB, as the safetensors reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Bytes per element of each safetensors dtype (the names of the format's specification).</summary>
    private static readonly Dictionary<string, int> DtypeBytes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    /// <summary>The tensor names in the file's header (without <c>__metadata__</c>), after checking every entry.</summary>
    /// <exception cref="InvalidDataException">The header is malformed or does not fit the file (names file and tensor).</exception>
    public static List<string> TensorNames(string path) => Read(path).Select(e => e.Name).ToList();

    /// <summary>Every tensor entry of the header, checked against the file's length.</summary>
    /// <exception cref="InvalidDataException">The header is malformed or does not fit the file (names file and tensor).</exception>
    public static IReadOnlyList<SafetensorsEntry> Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) != 8)
            throw new InvalidDataException($"{path}: too short to be a safetensors file ({stream.Length} bytes; the header length alone takes 8).");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > (ulong)Math.Min(stream.Length - 8, MaxHeaderBytes))
            throw new InvalidDataException($"{path}: header length {length} is invalid for a file of {stream.Length} bytes.");
        var header = new byte[length];
        stream.ReadExactly(header);
        long dataBytes = stream.Length - 8 - (long)length;
        // JSON strings decode lazily: invalid UTF-8 in a tensor name would otherwise fail later, untyped.
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw new InvalidDataException($"{path}: safetensors header is not valid UTF-8.");
        try
        {
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: safetensors header is a JSON {doc.RootElement.ValueKind}, expected an object.");
            var entries = new List<SafetensorsEntry>();
            foreach (var p in doc.RootElement.EnumerateObject())
                if (p.Name != "__metadata__") entries.Add(Entry(path, p.Name, p.Value, dataBytes));
            return entries;
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: safetensors header is not valid JSON ({Aha.Data.JsonErrors.Describe(e, withLine: false)})", e); }
        catch (InvalidOperationException e) { throw new InvalidDataException($"{path}: safetensors header has a name that is not valid Unicode ({e.Message}).", e); }
    }

    private static SafetensorsEntry Entry(string path, string name, JsonElement value, long dataBytes)
    {
        string Where() => $"{path}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{Where()}: expected an object with dtype, shape and data_offsets.");
        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{Where()}: missing string field 'dtype'.");
        var dtype = dtypeEl.GetString()!;
        if (!DtypeBytes.TryGetValue(dtype, out int elementBytes))
            throw new InvalidDataException($"{Where()}: unknown dtype '{dtype}' (expected one of {string.Join(", ", DtypeBytes.Keys)}).");
        var shape = Integers(value, "shape", Where);
        var offsets = Integers(value, "data_offsets", Where);
        if (offsets.Count != 2) throw new InvalidDataException($"{Where()}: data_offsets must hold two numbers [begin, end], got {offsets.Count}.");
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataBytes)
            throw new InvalidDataException($"{Where()}: data_offsets [{begin}, {end}] lie outside the {dataBytes} data bytes of the file.");
        long expected = elementBytes;
        try
        {
            foreach (var d in shape) expected = checked(expected * d);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{Where()}: shape [{string.Join(", ", shape)}] is too large.");
        }
        if (end - begin != expected)
            throw new InvalidDataException($"{Where()}: shape [{string.Join(", ", shape)}] of {dtype} needs {expected} bytes, data_offsets give {end - begin}.");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private static List<long> Integers(JsonElement value, string field, Func<string> where)
    {
        if (!value.TryGetProperty(field, out var el) || el.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where()}: missing array field '{field}'.");
        var result = new List<long>();
        foreach (var item in el.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long n) || n < 0)
                throw new InvalidDataException($"{where()}: '{field}' must hold non-negative integers, got {Shorten(item.GetRawText())}.");
            result.Add(n);
        }
        return result;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
