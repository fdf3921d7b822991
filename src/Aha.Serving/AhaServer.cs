using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aha.Tokenization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aha.Serving;

/// <summary>
/// <c>aha serve</c>: an OpenAI-compatible HTTP server (Kestrel) over the local engine, speaking the API as vLLM serves
/// it, plus SGLang's weight-update call for RL:
/// <list type="bullet">
/// <item><c>GET /health</c>, <c>GET /v1/models</c>;</item>
/// <item><c>POST /v1/completions</c> (text or token-id prompts, n, sampling, stop, logprobs, return_tokens_as_token_ids);</item>
/// <item><c>POST /v1/chat/completions</c> through the model's own chat template (<c>tokenizer_config.json</c>'s
/// <c>chat_template</c>; ChatML when it has none; stream supported);</item>
/// <item><c>POST /update_weights_from_disk</c> <c>{"model_path", "weight_version"?}</c>: loads an HF checkpoint folder
/// between engine calls; every completion reports its <c>weight_version</c> (<c>GET /weight_version</c> tells the current one).</item>
/// </list>
/// Bad requests get HTTP 400 with OpenAI's error JSON; nothing a client sends stops the server.
/// </summary>
public sealed class AhaServer : IAsyncDisposable
{
    static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    readonly WebApplication _app;
    readonly ServedModel _model;
    readonly BatchScheduler _scheduler;
    readonly ChatTemplate _template;

    AhaServer(WebApplication app, ServedModel model, BatchScheduler scheduler)
    {
        _app = app;
        _model = model;
        _scheduler = scheduler;
        _template = ChatTemplate.For(model.Tokenizer); // the model's own chat_template, as the training data paths render it
    }

    /// <summary>The address the server listens on, e.g. http://127.0.0.1:8000 (the real port when 0 was asked).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Engine calls made so far: fewer than requests when concurrent requests were batched.</summary>
    public int EngineCalls => _scheduler.EngineCalls;

    internal BatchScheduler Scheduler => _scheduler;

    /// <summary>The weight version now served.</summary>
    public string WeightVersion => _model.WeightVersion;

    /// <summary>Loads the model folder and starts listening.</summary>
    public static Task<AhaServer> StartAsync(ServeOptions options, torch.Device device) =>
        StartAsync(options.Validate(), ServedModel.Load(options.ModelDir, device, options.ModelName));

    internal static async Task<AhaServer> StartAsync(ServeOptions options, ServedModel model, bool paused = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':') ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        var app = builder.Build();
        var server = new AhaServer(app, model, new BatchScheduler(model, options.MaxBatch, paused));
        server.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address);
        return server;
    }

    void Map()
    {
        _app.MapGet("/health", () => Results.Ok());
        _app.MapGet("/v1/models", () => Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = _model.Name, ["object"] = "model", ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["owned_by"] = "aha", ["root"] = _model.Name, ["parent"] = null, ["max_model_len"] = _model.ContextLength,
            }),
        }));
        _app.MapGet("/weight_version", () => Json(new JsonObject { ["weight_version"] = _model.WeightVersion }));
        _app.MapPost("/v1/completions", (HttpContext http) => Handle(http, async body =>
        {
            var request = OpenAiRequests.Completion(body, _model.Tokenizer, _model.ContextLength);
            if (request.Stream) throw new RequestException("'stream' is supported on /v1/chat/completions only.", "stream");
            var result = await _scheduler.Submit(request);
            return OpenAiResponses.Completion(request, result, _model.Tokenizer, _model.Name);
        }));
        _app.MapPost("/v1/chat/completions", (HttpContext http) => Handle(http, async body =>
        {
            var request = OpenAiRequests.Chat(body, _model.Tokenizer, _template, _model.ContextLength);
            var result = await _scheduler.Submit(request);
            if (!request.Stream) return OpenAiResponses.Chat(request, result, _model.Tokenizer, _model.Name);
            http.Response.ContentType = "text/event-stream";
            foreach (var chunk in OpenAiResponses.ChatChunks(request, result, _model.Tokenizer, _model.Name))
                await http.Response.WriteAsync($"data: {chunk.ToJsonString(Compact)}\n\n");
            await http.Response.WriteAsync("data: [DONE]\n\n");
            return null;
        }));
        _app.MapPost("/update_weights_from_disk", (HttpContext http) => Handle(http, async body =>
        {
            var path = body.ValueKind == JsonValueKind.Object ? JsonFields.String(body, "model_path") : null;
            if (string.IsNullOrWhiteSpace(path)) throw new RequestException("'model_path' is required: an HF checkpoint folder this server can read.", "model_path");
            if (!Directory.Exists(path)) throw new RequestException($"'model_path' {path} is not a folder this server can read.", "model_path");
            var version = JsonFields.String(body, "weight_version");
            try
            {
                var now = await _scheduler.UpdateWeights(path, version);
                return new JsonObject { ["success"] = true, ["message"] = $"Succeeded to update model weights from {path}.", ["num_paused_requests"] = 0, ["weight_version"] = now };
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                // SGLang answers a failed load with success=false and HTTP 400; the old weights stay served
                throw new RequestException($"Failed to update weights from {path}: {e.Message} The served weights are unchanged.", "model_path");
            }
        }));
    }

    /// <summary>Parses the JSON body, runs the handler, and turns refusals into HTTP 400 and engine failures into HTTP 500.</summary>
    static async Task Handle(HttpContext http, Func<JsonElement, Task<JsonObject?>> handler)
    {
        JsonObject? reply;
        int status = 200;
        try
        {
            using var doc = await ReadJson(http.Request);
            reply = await handler(doc.RootElement);
        }
        catch (RequestException e)
        {
            status = 400;
            reply = OpenAiResponses.Error(e.Message, "BadRequestError", 400, e.Param);
        }
        catch (ArgumentException e)
        {
            status = 400;
            reply = OpenAiResponses.Error(e.Message, "BadRequestError", 400);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            status = 500;
            reply = OpenAiResponses.Error($"The engine failed: {e.Message}", "InternalServerError", 500);
        }
        if (reply is null) return; // streamed
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(reply.ToJsonString(Compact), Encoding.UTF8);
    }

    static async Task<JsonDocument> ReadJson(HttpRequest request)
    {
        try { return await JsonDocument.ParseAsync(request.Body); }
        catch (JsonException e)
        {
            throw new RequestException($"The request body is not valid JSON: {e.Message}");
        }
    }

    static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(Compact), "application/json", Encoding.UTF8);

    /// <summary>Blocks until the host is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _scheduler.Dispose();
        _model.Dispose();
    }
}
