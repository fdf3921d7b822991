using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Aha.Checkpoints;

namespace Aha.Tests.Fuzz;

/// <summary>
/// Safetensors headers that lie (offsets past the file, a shape that does not match its bytes) are refused before
/// any tensor is read, naming file and tensor; hostile variants of a whole checkpoint load or fail typed.
/// </summary>
public sealed class SafetensorsHeaderFuzzTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string SaveTiny()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        HfCheckpoint.Save(model, TinyModels.Qwen2(), _dir.Path);
        return _dir[HfCheckpoint.WeightsFile];
    }

    /// <summary>Rewrites the header of <paramref name="file"/> with <paramref name="edit"/>, keeping the data bytes.</summary>
    private static void EditHeader(string file, Action<JsonObject> edit)
    {
        var bytes = File.ReadAllBytes(file);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, n))!.AsObject();
        edit(header);
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var result = new byte[8 + json.Length + bytes.Length - 8 - n];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        bytes.AsSpan(8 + n).CopyTo(result.AsSpan(8 + json.Length));
        File.WriteAllBytes(file, result);
    }

    private static long DataBytes(string file) =>
        new FileInfo(file).Length - 8 - (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(file));

    [Fact]
    public void OffsetsPastTheEnd_AreRefusedBeforeReading()
    {
        var file = SaveTiny();
        long data = DataBytes(file);
        EditHeader(file, h =>
        {
            var e = h["model.norm.weight"]!.AsObject();
            e["data_offsets"] = new JsonArray(data - 64, data + 64); // 32 floats, half of them past the end
        });
        var error = Assert.Throws<InvalidDataException>(() => HfCheckpoint.LoadCausalLM(_dir.Path));
        Assert.Equal($"{file}: tensor 'model.norm.weight': data_offsets [{data - 64}, {data + 64}] lie outside the {data} data bytes of the file.", error.Message);
    }

    [Theory]
    [InlineData("[32, 2]", "shape [32, 2] of F32 needs 256 bytes, data_offsets give 128.")]      // 32 floats = 128 bytes
    [InlineData("[1099511627776, 1099511627776]", "shape [1099511627776, 1099511627776] is too large.")]
    public void ShapeNotMatchingItsBytes_IsRefused(string shape, string expected)
    {
        var file = SaveTiny();
        EditHeader(file, h => h["model.norm.weight"]!.AsObject()["shape"] = JsonNode.Parse(shape));
        var error = Assert.Throws<InvalidDataException>(() => HfCheckpoint.LoadCausalLM(_dir.Path));
        Assert.Equal($"{file}: tensor 'model.norm.weight': {expected}", error.Message);
    }

    [Theory]
    [InlineData("{\"dtype\": \"F33\", \"shape\": [32], \"data_offsets\": [0, 128]}", "unknown dtype 'F33'")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [-32], \"data_offsets\": [0, 128]}", "'shape' must hold non-negative integers, got -32.")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [32], \"data_offsets\": [128, 0]}", "data_offsets [128, 0] lie outside")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [32], \"data_offsets\": [0]}", "data_offsets must hold two numbers")]
    [InlineData("{\"dtype\": \"F32\", \"shape\": [32], \"data_offsets\": [0, 1e400]}", "'data_offsets' must hold non-negative integers")]
    [InlineData("[1, 2]", "expected an object with dtype, shape and data_offsets.")]
    public void MalformedEntries_NameTheTensorAndTheField(string entry, string expected)
    {
        var file = SaveTiny();
        EditHeader(file, h => h["model.norm.weight"] = JsonNode.Parse(entry));
        var error = Assert.Throws<InvalidDataException>(() => SafetensorsHeader.Read(file));
        Assert.StartsWith($"{file}: tensor 'model.norm.weight': ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void WholeCheckpoint_HostileVariants_LoadOrFailTyped()
    {
        var file = SaveTiny();
        var valid = File.ReadAllBytes(file);
        // Truncations and header edits must fail; flips inside the data only change weights and may load.
        ParserProperty.Check<InvalidDataException>(_dir, HfCheckpoint.WeightsFile, HostileInputs.Mutations(valid, 5), _ =>
        {
            using var model = HfCheckpoint.LoadCausalLM(_dir.Path);
        });
        File.WriteAllBytes(file, valid[..(valid.Length - 1)]);
        Assert.Throws<InvalidDataException>(() => HfCheckpoint.LoadCausalLM(_dir.Path));
    }
}
