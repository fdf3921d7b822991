using Aha.Configuration;
using Aha.Data;
using Aha.Environments;
using Aha.Tests.Cli;
using Aha.Training.Runs;

namespace Aha.Tests.Environments;

/// <summary>The <c>environment:</c> section of <c>aha grpo</c>: tools and MCP servers from YAML, checked before any work.</summary>
public sealed class EnvironmentConfigTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    string Runs => _dir["runs"];

    static string TestServerDll => Path.Combine(AppContext.BaseDirectory, "Aha.McpTestServer.dll");

    (int Code, string Output, string Error) Grpo(string yaml, string name) =>
        AhaCli.Run(["grpo", "--config", _dir.File(name + ".yaml", yaml), "--name", name, "--out", Runs, "--threads", "1"]);

    [Fact]
    public void GrpoRun_WithTheTestMcpServerFromYaml_ListsItsToolsToThePolicy_AndRunsMultiTurnSteps()
    {
        var yaml = $"""
            steps: 2
            trainer: {"{"}num_generations: 2, prompts_per_step: 2, max_new_tokens: 8{"}"}
            eval: {"{"}max_problems: 2, k: 1{"}"}
            environment:
              calculator: {"{"}{"}"}
              mcp:
                - name: test
                  command: dotnet
                  args: ["{TestServerDll}"]
                  env: {"{"}AHA_MCP_TEST_VALUE: "1"{"}"}
                  timeout_s: 60
              max_turns: 2
              max_total_tokens: 3000      # the system turn listing six tools is ~1,500 characters
            """;
        var (code, _, error) = Grpo(yaml, "mcp");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, "mcp");

        var rows = RunFolder.Metrics(run);
        Assert.Equal([1, 2], rows.Select(r => r.Step));
        Assert.All(rows, r => Assert.InRange(r.Metrics["turns/mean"], 1, 2));
        Assert.All(rows, r => Assert.Contains("tool_calls/mean", r.Metrics.Keys));
        Assert.True(File.Exists(Path.Combine(run, OnPolicyRun.EvalFile)));

        // The resolved config rebuilds the same environment: the server's tools are listed in the policy's system turn
        // beside the calculator (as Qwen2.5's template lists them), and a call reaches the server process.
        var resolved = ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(run, "resolved_config.yaml"));
        var server = Assert.Single(resolved.Environment.Mcp);
        Assert.Equal(("test", "dotnet", TestServerDll, 60.0), (server.Name, server.Command, server.Args.Single(), server.TimeoutS));
        var (environment, servers) = resolved.Environment.Build();
        try
        {
            using var env = environment.Environments.Create();
            var prompt = environment.Format.Prompt(env.Reset(new PromptItem("p", "Compute 2+3.", "5", new Dictionary<string, string>())));
            Assert.StartsWith("<|im_start|>system\n# Tools", prompt);
            foreach (var tool in new[] { "add", "fail", "hang", "crash", "env", "calculator" })
                Assert.Contains($"\"name\":\"{tool}\"", prompt);
            Assert.EndsWith("<|im_start|>user\nCompute 2+3.<|im_end|>\n<|im_start|>assistant\n", prompt);
            var step = env.Step("<tool_call>{\"name\": \"env\", \"arguments\": {\"name\": \"AHA_MCP_TEST_VALUE\"}}</tool_call>");
            Assert.Equal("1", step.Observation.Single().Content);                // the env: entry reached the server process
            Assert.Equal("5", env.Step("<tool_call>{\"name\": \"add\", \"arguments\": {\"a\": 2, \"b\": 3}}</tool_call>").Observation.Single().Content);
        }
        finally
        {
            foreach (var s in servers) s.Dispose();
        }
    }

    [Theory]
    [InlineData("environment:\n  mcp:\n    - name: x\n      args: [a]\n", "environment.mcp[0].command", "is required")]
    [InlineData("environment:\n  mcp:\n    - {command: a, timeout_s: 0}\n", "environment.mcp[0].timeout_s", "must be a number of seconds > 0")]
    [InlineData("environment:\n  mcp:\n    - {name: s, command: a}\n    - {name: s, command: b}\n", "environment.mcp[1].name", "names two servers")]
    [InlineData("environment:\n  calculater: {}\n", "environment.calculater", "unknown key")]
    [InlineData("environment:\n  lookup: {name: t}\n", "environment.lookup.path", "is required")]
    [InlineData("environment:\n  lookup: {path: no-such-table.jsonl}\n", "environment.lookup.path", "does not exist")]
    [InlineData("environment:\n  calculator: {max_number_digits: 12}\n", "environment.calculator.max_number_digits", "must be in 1–9")]
    [InlineData("environment:\n  calculator: {}\n  format: xml\n", "environment.format", "must be chatml or raw")]
    [InlineData("environment:\n  calculator: {}\n  max_turns: 0\n", "environment.max_turns", "must be ≥ 1")]
    public void BadEnvironmentSections_AreOneErrorLineEach_NamingTheKey_AndWriteNoRunFolder(string yaml, string key, string message)
    {
        var (code, _, error) = Grpo(yaml, "bad");
        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains(key, line);
        Assert.Contains(message, line);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Path.Combine(Runs, "bad")));
    }

    [Fact]
    public void AServerThatCannotStart_IsAnErrorNamingItsEntry_AndWritesNoRunFolder()
    {
        var (code, _, error) = Grpo("environment:\n  mcp:\n    - {name: ghost, command: aha-no-such-mcp-server, timeout_s: 20}\n", "ghost");
        Assert.Equal(2, code);
        Assert.Contains("error: environment.mcp[0]: MCP server 'ghost'", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Path.Combine(Runs, "ghost")));
    }

    [Fact]
    public void WithoutTools_TheSectionBuildsNothing_AndTheRunStaysSingleTurn()
    {
        Assert.False(new EnvironmentSection().HasTools);
        Assert.True(new EnvironmentSection { Calculator = new CalculatorSection() }.HasTools);
        var (environment, servers) = new EnvironmentSection { Calculator = new CalculatorSection { MaxLength = 8 }, Format = "raw", MaxTurns = 3 }.Build();
        Assert.Empty(servers);
        Assert.Equal(3, environment.Options.MaxTurns);
        Assert.IsType<RawTurnFormat>(environment.Format);
        // The calculator's limits reach the tool: a 9-character expression is refused as an observation.
        using var env = environment.Environments.Create();
        env.Reset(new PromptItem("p", "1+1=", "2", new Dictionary<string, string>()));
        var step = env.Step("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"1+2+3+4+5\"}}</tool_call>");
        Assert.Equal(1, step.ToolErrors);
        Assert.Equal("4", new EnvironmentSection { Calculator = new CalculatorSection() }.Build().Environment.Environments.Create()
            .Step("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"2*2\"}}</tool_call>").Observation.Single().Content);
    }
}
