using System.Net;
using System.Net.Sockets;
using Aha.Checkpoints;
using Aha.Tests.Cli;
using Aha.Training.Checkpointing;

namespace Aha.Tests.Serving;

/// <summary>
/// A rollout server that dies mid-run: `aha grpo` stops with one line naming the endpoint and exit code 2, and every
/// checkpoint written before is complete and loads.
/// </summary>
public sealed class ServerDeathTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Theory]
    // sync: batches 1–3 trained; step 4's weight push finds the server gone
    [InlineData("sync", false, 3, "update_weights_from_disk: failed after 1 attempt(s): ")]
    // one_step_off: batch 3 was generated during step 2; step 3's push (before starting batch 4) finds the server gone
    [InlineData("one_step_off", false, 2, "update_weights_from_disk: failed after 1 attempt(s): ")]
    // one_step_off: batch 3 fails on the background thread while step 2 trains; step 2 still checkpoints, step 3 reports it
    [InlineData("one_step_off", true, 2, "v1/completions: failed after 1 attempt(s): HTTP 503")]
    public void ServerDyingMidRun_StopsWithAnErrorNamingIt_AndLeavesTheCheckpointsLoadable(string mode, bool diesInRequest, int completed, string failure)
    {
        var runs = _dir["runs"];
        string[] quiet = ["--set", "eval.at_start=false", "--set", "eval.at_end=false", "--threads", "1", "--out", runs];
        // the server starts from the default run's model and tokenizer, as a real deployment starts from the base model
        var (code, _, error) = AhaCli.Run(["grpo", "--name", "base", "--set", "steps=1", .. quiet]);
        Assert.True(code == 0, error);
        using var server = ServeProcess.Start(Path.Combine(runs, "base", "final"));
        // three generation requests are answered (or two, and the third gets a 503), then the server is gone
        using var proxy = new DyingProxy(new Uri(server.Address), completions: 3, diesInRequest);
        var config = _dir.File("remote.yaml",
            $"steps: 8\ncheckpointing:\n  every: 1\n  keep_last: 10\nrollout:\n  endpoints: [{proxy.Address}]\n  sync_dir: {_dir["sync"]}\n" +
            $"  max_retries: 0\n  mode: {mode}\n");

        (code, var output, error) = AhaCli.Run(["grpo", "--config", config, "--name", "dies", .. quiet]);

        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(line.StartsWith($"error: {proxy.Address}{failure}", StringComparison.Ordinal), line);
        Assert.EndsWith("Is the server running?", line.TrimEnd());
        Assert.DoesNotContain("   at ", error + output);                       // no stack trace
        var run = Path.Combine(runs, "dies");
        var steps = Enumerable.Range(1, completed).ToArray();
        Assert.Equal(steps, RunFolder.Metrics(run).Select(r => r.Step));
        var checkpoints = Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(d => Path.GetFileName(d)!).Order().ToArray();
        Assert.Equal(steps.Select(s => $"step-{s:D6}"), checkpoints);           // no half-written .tmp folder either
        foreach (var name in checkpoints)
        {
            var dir = Path.Combine(run, "checkpoints", name);
            Assert.Null(CheckpointManifest.Problem(dir));                       // every file at its recorded size and hash
            Assert.True(File.Exists(Path.Combine(dir, CheckpointManifest.FileName)), dir);
            using var policy = HfCheckpoint.LoadCausalLM(Path.Combine(dir, "policy"));
            Assert.NotNull(policy);
        }
        Assert.Contains($"\"step\": {completed}", File.ReadAllText(Path.Combine(run, "checkpoints", checkpoints[^1], "trainer_state.json")));
    }

    /// <summary>
    /// Forwards HTTP requests to a server and stops listening at the n-th <c>/v1/completions</c> request — after
    /// answering it, or answering 503 to it — so later connections are refused: a server process dying, at a chosen point.
    /// </summary>
    sealed class DyingProxy : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly HttpClient _http = new();
        readonly Uri _target;
        readonly Task _loop;
        int _completions;

        public DyingProxy(Uri target, int completions, bool diesInRequest)
        {
            _target = target;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Address = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Address);
            _listener.Start();
            _loop = Task.Run(() => Serve(completions, diesInRequest));
        }

        public string Address { get; }

        async Task Serve(int last, bool diesInRequest)
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                var path = context.Request.Url!.PathAndQuery;
                bool dying = path.StartsWith("/v1/completions", StringComparison.Ordinal) && ++_completions == last;
                if (dying && diesInRequest)
                {
                    context.Response.StatusCode = 503;
                    context.Response.Close();
                    _listener.Stop();
                    return;
                }
                using var body = new StreamReader(context.Request.InputStream);
                var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(_target, path.TrimStart('/')));
                if (context.Request.HasEntityBody) request.Content = new StringContent(await body.ReadToEndAsync(), System.Text.Encoding.UTF8, "application/json");
                using var reply = await _http.SendAsync(request);
                var bytes = await reply.Content.ReadAsByteArrayAsync();
                context.Response.StatusCode = (int)reply.StatusCode;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
                if (dying)
                {
                    _listener.Stop();   // gone: pooled connections close, new ones are refused
                    return;
                }
            }
        }

        public void Dispose()
        {
            if (_listener.IsListening) _listener.Stop();
            _listener.Close();
            try { _loop.Wait(TimeSpan.FromSeconds(10)); }
            catch (AggregateException) { }
            _http.Dispose();
        }
    }
}
