using System.Buffers.Binary;
using System.Text.Json;

namespace Aha.Checkpoints;

/// <summary>Reads the tensor names from a safetensors header (8-byte little-endian length, then JSON) without loading data.</summary>
public static class SafetensorsHeader
{
    public static List<string> TensorNames(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8) throw new InvalidDataException($"{path}: too short to be a safetensors file.");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > (ulong)Math.Min(stream.Length - 8, 100_000_000))
            throw new InvalidDataException($"{path}: header length {length} is invalid for a file of {stream.Length} bytes.");
        var header = new byte[length];
        stream.ReadExactly(header);
        try
        {
            using var doc = JsonDocument.Parse(header);
            return doc.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToList();
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {e.Message}", e); }
    }
}
