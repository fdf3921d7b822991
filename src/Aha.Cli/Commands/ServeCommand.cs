using System.CommandLine;
using Aha.Native;
using Aha.Serving;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha serve --model DIR [--host 127.0.0.1] [--port 8000] [--max-batch N]</c>: an OpenAI-compatible rollout server
/// (see <see cref="AhaServer"/>). Prints one line "aha serve: listening on URL" when ready; stops on Ctrl+C / SIGTERM.
/// </summary>
internal static class ServeCommand
{
    internal static Command Create()
    {
        var model = new Option<string>("--model") { Description = "HF model folder: config.json, model.safetensors (or sharded), tokenizer.json.", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind; the default is loopback only (the server has no authentication).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port; 0 picks a free one.", DefaultValueFactory = _ => 8000 };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most sequences (prompts × n) per engine call; concurrent requests are batched up to it.", DefaultValueFactory = _ => 64 };
        var name = new Option<string?>("--served-model-name") { Description = "Model name in /v1/models and responses (default: the folder's name)." };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: every core)." };
        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API (completions, chat, weight updates for RL).")
            { model, host, port, maxBatch, name, device, threads };
        command.SetAction(parse => CliRun.Run(parse, () =>
        {
            var options = new ServeOptions
            {
                ModelDir = parse.GetRequiredValue(model), Host = parse.GetValue(host)!, Port = parse.GetValue(port),
                MaxBatch = parse.GetValue(maxBatch), ModelName = parse.GetValue(name), Device = parse.GetValue(device)!,
            }.Validate();
            var dev = AhaRuntime.Initialize(new RuntimeOptions { Device = options.Device, Threads = parse.GetValue(threads) });
            var server = AhaServer.StartAsync(options, dev).GetAwaiter().GetResult();
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"aha serve: listening on {server.Address} (model {options.ModelDir}, max batch {options.MaxBatch})");
            output.Flush();
            server.WaitForShutdownAsync().GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }));
        return command;
    }
}
