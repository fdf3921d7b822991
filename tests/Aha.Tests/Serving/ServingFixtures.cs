using System.Net.Http.Json;
using System.Text.Json;
using Aha.Checkpoints;
using Aha.Models;
using Aha.Serving;
using Aha.Tokenization;
using TorchSharp;

namespace Aha.Tests.Serving;

/// <summary>Tiny model folders and loopback servers for the serving tests.</summary>
internal static class ServingFixtures
{
    /// <summary>The toy task's tiny Qwen2 (vocab 40 = the character tokenizer's) with a short context so limits are testable.</summary>
    public static ModelConfig Config { get; } = TinyModels.Qwen2() with { MaxPositionEmbeddings = 64 };

    /// <summary>The toy task's 32 characters with 'v' traded for a newline, so ChatML renders (still 40 ids).</summary>
    public static CharTokenizer Tokenizer() => CharTokenizer.Create("abcdefghijklmnopqrstu\n0123456789");

    /// <summary>Writes config.json, model.safetensors and the character tokenizer into <paramref name="dir"/>.</summary>
    public static string WriteModel(string dir, long seed = 1)
    {
        using var model = TinyModels.Build(Config, seed);
        HfCheckpoint.Save(model, Config, dir);
        Tokenizer().Save(dir);
        return dir;
    }

    public static CausalLM LoadModel(string dir) => HfCheckpoint.LoadCausalLM(dir);

    public static Task<AhaServer> Start(string dir, int maxBatch = 64, bool paused = false) =>
        AhaServer.StartAsync(new ServeOptions { ModelDir = dir, Port = 0, MaxBatch = maxBatch }.Validate(),
            ServedModel.Load(dir, torch.CPU, "tiny"), paused);

    public static async Task<(int Status, JsonElement Body)> Post(HttpClient http, Uri server, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(new Uri(server, path), body);
        return ((int)response.StatusCode, await ReadJson(response));
    }

    public static async Task<(int Status, JsonElement Body)> PostRaw(HttpClient http, Uri server, string path, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(server, path), content);
        return ((int)response.StatusCode, await ReadJson(response));
    }

    static async Task<JsonElement> ReadJson(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
