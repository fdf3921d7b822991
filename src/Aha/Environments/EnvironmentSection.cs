using Aha.Configuration;
using Aha.Rewards;
using Aha.Tools;

namespace Aha.Environments;

/// <summary>
/// The <c>environment:</c> section of an on-policy run config: the tools a multi-turn run calls (the built-in calculator
/// and lookup table, and the tools of any MCP server started over stdio), how observations are rendered and the limits
/// of an episode. Without any tool the run is single-turn, as before.
/// <code>
/// environment:
///   calculator: {}                       # present = enabled
///   lookup: {path: data/capitals.jsonl}
///   mcp:
///     - {name: math, command: dotnet, args: [server.dll], env: {LEVEL: "2"}, timeout_s: 20}
///   max_turns: 4
/// </code>
/// </summary>
public sealed record EnvironmentSection : IValidatableConfig
{
    /// <summary>The built-in calculator (exact rationals); null leaves it out. The default value is null.</summary>
    public CalculatorSection? Calculator { get; init; }

    /// <summary>The built-in lookup tool over a JSONL table; null leaves it out. The default value is null.</summary>
    public LookupSection? Lookup { get; init; }

    /// <summary>MCP servers started over stdio, each contributing every tool it lists. The default value is empty.</summary>
    public IReadOnlyList<McpServerSection> Mcp { get; init; } = [];

    /// <summary><c>chatml</c> (Qwen2.5/Qwen3 turns, the tools listed in a system turn) or <c>raw</c> (no markup, for base models). The default value is chatml.</summary>
    public string Format { get; init; } = "chatml";

    /// <summary>Most policy turns per episode. The default value is 4.</summary>
    public int MaxTurns { get; init; } = 4;

    /// <summary>Most tokens per episode, prompt and observations included. The default value is 1024.</summary>
    public int MaxTotalTokens { get; init; } = 1024;

    /// <summary>Longest wait for one tool call, in seconds (an MCP server's own <c>timeout_s</c> wins for its tools). The default value is 10.</summary>
    public double ToolTimeoutS { get; init; } = 10;

    /// <summary>Whether any tool is configured (else the run is single-turn).</summary>
    public bool HasTools => Calculator is not null || Lookup is not null || Mcp.Count > 0;

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Format is not ("chatml" or "raw")) yield return new ConfigProblem("format", $"must be chatml or raw (got '{Format}').", Format);
        if (MaxTurns < 1) yield return new ConfigProblem("max_turns", $"must be ≥ 1 (got {MaxTurns}).", MaxTurns);
        if (MaxTotalTokens < 2) yield return new ConfigProblem("max_total_tokens", $"must be ≥ 2 (got {MaxTotalTokens}).", MaxTotalTokens);
        if (!(ToolTimeoutS > 0) || double.IsInfinity(ToolTimeoutS))
            yield return new ConfigProblem("tool_timeout_s", $"must be a number of seconds > 0 (got {ToolTimeoutS}).", ToolTimeoutS);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Mcp.Count; i++)
            if (Mcp[i].Name is { Length: > 0 } name && !names.Add(name))
                yield return new ConfigProblem($"mcp[{i}].name", $"'{name}' names two servers; give each its own name.", name);
    }

    /// <summary>
    /// Starts the MCP servers and builds the environment: tools in a <see cref="ToolBox"/>, listed in a system turn
    /// (chatml) or not (raw). The returned servers must be disposed after the run (they stop their processes).
    /// </summary>
    /// <exception cref="ArgumentException">A server did not start (the message names its <c>environment.mcp[i]</c> entry), or two tools share a name.</exception>
    public (MultiTurnEnvironment Environment, IReadOnlyList<McpToolServer> Servers) Build()
    {
        var servers = new List<McpToolServer>();
        try
        {
            for (int i = 0; i < Mcp.Count; i++)
            {
                try { servers.Add(McpToolServer.Start(Mcp[i].ToCommand())); }
                catch (InvalidOperationException e) { throw new ArgumentException($"environment.mcp[{i}]: {e.Message}", e); }
            }
            var tools = new List<ITool>();
            if (Calculator is { } c) tools.Add(new CalculatorTool(c.ToLimits()));
            if (Lookup is { } l) tools.Add(new LookupTool(l.Path!, l.Name, l.Description));
            tools.AddRange(servers.SelectMany(s => s.Tools));
            var clash = tools.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (clash is not null)
                throw new ArgumentException($"environment: two tools are named '{clash.Key}' (an MCP server lists a tool of the same name as another); rename the built-in one (lookup.name) or leave one server out.");
            var box = new ToolBox(tools, TimeSpan.FromSeconds(ToolTimeoutS));
            bool raw = Format == "raw";
            Func<Data.PromptItem, IReadOnlyList<Tokenization.ChatMessage>> prompt = raw ? ToolEnvironment.RawPrompt : ToolEnvironment.ChatPrompt(box);
            ITurnFormat format = raw ? RawTurnFormat.Instance : ChatMlTurnFormat.Instance;
            var environment = new MultiTurnEnvironment(new ToolEnvironmentFactory(box, prompt), format,
                new MultiTurnOptions { MaxTurns = MaxTurns, MaxTotalTokens = MaxTotalTokens });
            return (environment, servers);
        }
        catch
        {
            foreach (var s in servers) s.Dispose();
            throw;
        }
    }
}

/// <summary>Settings of the built-in calculator: the Countdown parser's safety limits.</summary>
public sealed record CalculatorSection : IValidatableConfig
{
    /// <summary>Longest expression in characters. The default value is 512.</summary>
    public int MaxLength { get; init; } = CountdownLimits.Default.MaxLength;

    /// <summary>Deepest parenthesis nesting. The default value is 32.</summary>
    public int MaxDepth { get; init; } = CountdownLimits.Default.MaxDepth;

    /// <summary>Most digits in one number. The default value is 9.</summary>
    public int MaxNumberDigits { get; init; } = CountdownLimits.Default.MaxNumberDigits;

    /// <summary>Most numbers in one expression. The default value is 32.</summary>
    public int MaxNumbers { get; init; } = CountdownLimits.Default.MaxNumbers;

    public CountdownLimits ToLimits() => new() { MaxLength = MaxLength, MaxDepth = MaxDepth, MaxNumberDigits = MaxNumberDigits, MaxNumbers = MaxNumbers };

    public IEnumerable<ConfigProblem> Problems()
    {
        if (MaxLength < 1) yield return new ConfigProblem("max_length", $"must be ≥ 1 (got {MaxLength}).", MaxLength);
        if (MaxDepth < 0) yield return new ConfigProblem("max_depth", $"must be ≥ 0 (got {MaxDepth}).", MaxDepth);
        if (MaxNumberDigits is < 1 or > 9) yield return new ConfigProblem("max_number_digits", $"must be in 1–9 (got {MaxNumberDigits}).", MaxNumberDigits);
        if (MaxNumbers < 1) yield return new ConfigProblem("max_numbers", $"must be ≥ 1 (got {MaxNumbers}).", MaxNumbers);
    }
}

/// <summary>Settings of the built-in lookup tool.</summary>
public sealed record LookupSection : IValidatableConfig
{
    /// <summary>The JSONL table: one <c>{"key": …, "value": …}</c> object per line. Required.</summary>
    public string? Path { get; init; }

    /// <summary>The name the policy calls it by. The default value is lookup.</summary>
    public string Name { get; init; } = "lookup";

    /// <summary>Its line in the system prompt.</summary>
    public string Description { get; init; } = "Look up an entry of a table by its key.";

    public IEnumerable<ConfigProblem> Problems()
    {
        if (string.IsNullOrWhiteSpace(Path)) yield return new ConfigProblem("path", "is required: the JSONL table ({\"key\": …, \"value\": …} per line).");
        else if (!File.Exists(Path)) yield return new ConfigProblem("path", $"file '{Path}' does not exist.", Path);
        if (string.IsNullOrWhiteSpace(Name)) yield return new ConfigProblem("name", "must not be empty.", Name);
    }
}

/// <summary>One MCP server of <see cref="EnvironmentSection.Mcp"/>: how to start it over stdio.</summary>
public sealed record McpServerSection : IValidatableConfig
{
    /// <summary>A name for logs and errors. The default value is the command.</summary>
    public string? Name { get; init; }

    /// <summary>The executable (npx, uvx, dotnet, a path). Required.</summary>
    public string? Command { get; init; }

    /// <summary>Its arguments. The default value is empty.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Environment variables set for the server process (on top of this process's). The default value is empty.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Longest wait in seconds for the server to start and list its tools, and for each call of its tools. The default value is 30.</summary>
    public double TimeoutS { get; init; } = 30;

    public McpServerCommand ToCommand() => new(Command!, Args)
    {
        Name = Name, Environment = Env, StartTimeout = TimeSpan.FromSeconds(TimeoutS), CallTimeout = TimeSpan.FromSeconds(TimeoutS),
    };

    public IEnumerable<ConfigProblem> Problems()
    {
        if (string.IsNullOrWhiteSpace(Command))
            yield return new ConfigProblem("command", "is required: the server's executable (e.g. npx, uvx, dotnet) with its arguments in args.");
        if (!(TimeoutS > 0) || double.IsInfinity(TimeoutS))
            yield return new ConfigProblem("timeout_s", $"must be a number of seconds > 0 (got {TimeoutS}).", TimeoutS);
        if (Name is { } n && string.IsNullOrWhiteSpace(n)) yield return new ConfigProblem("name", "must not be empty.", n);
    }
}
