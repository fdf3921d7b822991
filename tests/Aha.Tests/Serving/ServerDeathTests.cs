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
    [InlineData("sync")]
    [InlineData("one_step_off")]
    public void ServerDyingMidRun_StopsWithAnErrorNamingIt_AndLeavesTheCheckpointsLoadable(string mode)
    {
        var runs = _dir["runs"];
        string[] quiet = ["--set", "eval.at_start=false", "--set", "eval.at_end=false", "--threads", "1", "--out", runs];
        // the server starts from the default run's model and tokenizer, as a real deployment starts from the base model
        var (code, _, error) = AhaCli.Run(["grpo", "--name", "base", "--set", "steps=1", .. quiet]);
        Assert.True(code == 0, error);
        using var server = ServeProcess.Start(Path.Combine(runs, "base", "final"));
        // three generation requests pass; the fourth finds the server gone (it aborts the request and stops listening)
        using var proxy = new DyingProxy(new Uri(server.Address), completionsAllowed: 3);
        var config = _dir.File("remote.yaml",
            $"steps: 8\ncheckpointing:\n  every: 1\n  keep_last: 10\nrollout:\n  endpoints: [{proxy.Address}]\n  sync_dir: {_dir["sync"]}\n" +
            $"  max_retries: 0\n  mode: {mode}\n");

        (code, var output, error) = AhaCli.Run(["grpo", "--config", config, "--name", "dies", .. quiet]);

        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {proxy.Address}v1/completions: failed after 1 attempt(s)", line);
        Assert.DoesNotContain("   at ", error + output);                       // no stack trace
        // sync: step 4 asks for its batch and fails. one_step_off: batch 4 fails while step 3 trains; step 3 still
        // completes and checkpoints, and step 4 reports the failure.
        var run = Path.Combine(runs, "dies");
        Assert.Equal([1, 2, 3], RunFolder.Metrics(run).Select(r => r.Step));
        var checkpoints = Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(d => Path.GetFileName(d)!).Order().ToArray();
        Assert.Equal(["step-000001", "step-000002", "step-000003"], checkpoints);
        foreach (var name in checkpoints)
        {
            var dir = Path.Combine(run, "checkpoints", name);
            Assert.Null(CheckpointManifest.Problem(dir));                       // every file at its recorded size and hash
            Assert.True(File.Exists(Path.Combine(dir, CheckpointManifest.FileName)), dir);
            using var policy = HfCheckpoint.LoadCausalLM(Path.Combine(dir, "policy"));
            Assert.NotNull(policy);
        }
        Assert.Contains("\"step\": 3", File.ReadAllText(Path.Combine(run, "checkpoints", "step-000003", "trainer_state.json")));
    }

    /// <summary>
    /// Forwards HTTP requests to a server until the (n + 1)-th <c>/v1/completions</c> request: that one is aborted and
    /// the listener closed, so later connections are refused — a server process dying, at a chosen point.
    /// </summary>
    sealed class DyingProxy : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly HttpClient _http = new();
        readonly Uri _target;
        readonly Task _loop;
        int _completions;

        public DyingProxy(Uri target, int completionsAllowed)
        {
            _target = target;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Address = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Address);
            _listener.Start();
            _loop = Task.Run(() => Serve(completionsAllowed));
        }

        public string Address { get; }

        async Task Serve(int allowed)
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                var path = context.Request.Url!.PathAndQuery;
                if (path.StartsWith("/v1/completions", StringComparison.Ordinal) && ++_completions > allowed)
                {
                    context.Response.Abort();
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
