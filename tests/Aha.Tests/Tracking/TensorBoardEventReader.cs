using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Aha.Tests.Tracking;

/// <summary>One scalar read back from an event file: the event's step and wall time, the value's tag and float.</summary>
internal sealed record TensorBoardScalar(long Step, double WallTime, string Tag, float Value);

/// <summary>
/// Reads TensorBoard event files independently of the writer: TFRecord framing (u64 length, masked CRC-32C of the
/// length, the bytes, masked CRC-32C of the bytes — both CRCs checked) and the protobuf wire format decoded by hand for
/// the fields TensorBoard reads: Event {1: wall_time double, 2: step int64, 3: file_version string, 5: summary},
/// Summary {1: repeated value}, Summary.Value {1: tag string, 2: simple_value float}
/// (tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto).
/// </summary>
internal static class TensorBoardEventReader
{
    public static (string? FileVersion, List<TensorBoardScalar> Scalars) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var scalars = new List<TensorBoardScalar>();
        string? version = null;
        int pos = 0;
        while (pos < bytes.Length)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos, 8));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8, 4));
            if (lengthCrc != MaskedCrc(bytes.AsSpan(pos, 8))) throw new InvalidDataException($"{path}@{pos}: bad length CRC");
            var data = bytes.AsSpan(pos + 12, checked((int)length));
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)length, 4));
            if (dataCrc != MaskedCrc(data)) throw new InvalidDataException($"{path}@{pos}: bad data CRC");
            ReadEvent(data, scalars, ref version);
            pos += 12 + (int)length + 4;
        }
        return (version, scalars);
    }

    static void ReadEvent(ReadOnlySpan<byte> e, List<TensorBoardScalar> scalars, ref string? version)
    {
        double wall = 0;
        long step = 0;
        var values = new List<(string, float)>();
        int p = 0;
        while (p < e.Length)
        {
            var (field, wire) = Key(e, ref p);
            switch (field, wire)
            {
                case (1, 1): wall = BinaryPrimitives.ReadDoubleLittleEndian(e.Slice(p, 8)); p += 8; break;
                case (2, 0): step = (long)Varint(e, ref p); break;
                case (3, 2): version = Encoding.UTF8.GetString(Bytes(e, ref p)); break;
                case (5, 2): ReadSummary(Bytes(e, ref p), values); break;
                default: Skip(e, ref p, wire); break;
            }
        }
        scalars.AddRange(values.Select(v => new TensorBoardScalar(step, wall, v.Item1, v.Item2)));
    }

    static void ReadSummary(ReadOnlySpan<byte> s, List<(string, float)> values)
    {
        int p = 0;
        while (p < s.Length)
        {
            var (field, wire) = Key(s, ref p);
            if (field != 1 || wire != 2) { Skip(s, ref p, wire); continue; }
            var v = Bytes(s, ref p);
            string tag = "";
            float value = float.NaN;
            int q = 0;
            while (q < v.Length)
            {
                var (f, w) = Key(v, ref q);
                if (f == 1 && w == 2) tag = Encoding.UTF8.GetString(Bytes(v, ref q));
                else if (f == 2 && w == 5) { value = BinaryPrimitives.ReadSingleLittleEndian(v.Slice(q, 4)); q += 4; }
                else Skip(v, ref q, w);
            }
            values.Add((tag, value));
        }
    }

    static (int Field, int Wire) Key(ReadOnlySpan<byte> b, ref int p)
    {
        ulong key = Varint(b, ref p);
        return ((int)(key >> 3), (int)(key & 7));
    }

    static ulong Varint(ReadOnlySpan<byte> b, ref int p)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[p++];
            result |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80) return result;
        }
    }

    static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> b, ref int p)
    {
        int n = (int)Varint(b, ref p);
        var s = b.Slice(p, n);
        p += n;
        return s;
    }

    static void Skip(ReadOnlySpan<byte> b, ref int p, int wire)
    {
        switch (wire)
        {
            case 0: Varint(b, ref p); break;
            case 1: p += 8; break;
            case 2: Bytes(b, ref p); break;
            case 5: p += 4; break;
            default: throw new InvalidDataException($"wire type {wire}");
        }
    }

    /// <summary>CRC-32C (Castagnoli), masked as TFRecord does: rotate right by 15, add 0xa282ead8.</summary>
    static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8U;
    }
}
