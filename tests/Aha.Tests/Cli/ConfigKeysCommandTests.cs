using Aha.Cli.Commands;
using Aha.Configuration;
using YamlDotNet.RepresentationModel;

namespace Aha.Tests.Cli;

public sealed class ConfigKeysCommandTests
{
    public static TheoryData<string> Commands() => new(ConfigCommand.Defaults.Keys);

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryListedKey_IsAcceptedBySet(string command)
    {
        var defaults = ConfigCommand.Defaults[command]();
        var keys = ConfigKeys.Of(defaults);
        Assert.NotEmpty(keys);
        // Some defaults are incomplete on purpose (dpo needs data.train, eval a model.path): those problems are the baseline.
        var baseline = Problems(() => ConfigLoader.Apply(defaults, null, []));
        foreach (var key in keys.Where(k => k.Default != "{…}"))
        {
            // Setting a key to its listed default must bind and change nothing: an unknown key, or a default the parser
            // cannot read back, adds a problem.
            var value = key.Default.StartsWith('[') ? key.Default.Trim('[', ']').Replace(", ", ",") : key.Default;
            var added = Problems(() => ConfigLoader.Apply(defaults, null, [$"{key.Key}={value}"])).Except(baseline)
                // An optional section (environment.lookup) does not exist until one of its keys is given; giving one creates
                // it without its required keys (path), a value problem in that section, not a binding one.
                .Where(p => !(Parent(p.Key) == Parent(key.Key) && p.Message.StartsWith("is required", StringComparison.Ordinal)))
                .ToList();
            Assert.True(added.Count == 0, $"{command}: --set {key.Key}={value} was refused: {string.Join("; ", added)}");
        }
    }

    static string Parent(string key) => key.Contains('.') ? key[..key.LastIndexOf('.')] : "";

    static HashSet<(string Key, string Message)> Problems(Action load)
    {
        try
        {
            load();
            return [];
        }
        catch (ConfigException e)
        {
            return e.Errors.Select(x => (x.KeyPath, x.Message)).ToHashSet();
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryKeyTheConfigWriterWrites_IsListed(string command)
    {
        // The resolved_config.yaml writer walks the record on its own; every leaf it writes is a listed key, or an entry
        // of a listed dictionary key (its entries are free names).
        var defaults = ConfigCommand.Defaults[command]();
        var keys = ConfigKeys.Of(defaults).ToDictionary(k => k.Key);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(ConfigWriter.ToYaml(defaults)));
        var leaves = new List<string>();
        Flatten(yaml.Documents[0].RootNode, "", leaves);
        Assert.NotEmpty(leaves);
        foreach (var leaf in leaves)
            Assert.True(keys.ContainsKey(leaf) || keys.Values.Any(k => leaf.StartsWith(k.Key + ".", StringComparison.Ordinal) && k.Type.StartsWith("a mapping of names", StringComparison.Ordinal)),
                $"{command}: '{leaf}' is written to resolved_config.yaml but not listed by config keys");
    }

    static void Flatten(YamlNode node, string path, List<string> leaves)
    {
        if (node is YamlMappingNode map && map.Children.Count > 0)
            foreach (var (k, v) in map.Children) Flatten(v, path.Length == 0 ? ((YamlScalarNode)k).Value! : $"{path}.{((YamlScalarNode)k).Value}", leaves);
        else leaves.Add(path);
    }

    [Fact]
    public void ConfigKeysDpo_ListsDefaultsAndDocs_AndTrlNames()
    {
        var (code, output, error) = AhaCli.Run("config", "keys", "dpo");
        Assert.True(code == 0, error);
        var beta = Assert.Single(output.Split('\n'), l => l.TrimStart().StartsWith("trainer.beta ", StringComparison.Ordinal));
        Assert.Contains(" 0.1 ", beta);
        Assert.Contains("β", beta); // the doc comment of DpoConfig.Beta
        Assert.Contains(output.Split('\n'), l => l.TrimStart().StartsWith("model.lora.r ", StringComparison.Ordinal));
        Assert.Contains("TRL names also accepted", output);
    }

    [Fact]
    public void ConfigKeysGrpo_ShowsTheCommandsOwnDefaults()
    {
        var (code, grpo, _) = AhaCli.Run("config", "keys", "grpo");
        var (_, ppo, _) = AhaCli.Run("config", "keys", "ppo");
        Assert.Equal(0, code);
        static string Preset(string text) => text.Split('\n').Single(l => l.TrimStart().StartsWith("trainer.preset ", StringComparison.Ordinal)).Split("  ", StringSplitOptions.RemoveEmptyEntries)[1].Trim();
        Assert.Equal("grpo", Preset(grpo));
        Assert.Equal("ppo", Preset(ppo));
    }

    [Fact]
    public void ConfigKeysOfUnknownCommand_IsAnErrorListingTheCommands()
    {
        var (code, _, error) = AhaCli.Run("config", "keys", "grpoo");
        Assert.Equal(CliRun.UserError, code);
        Assert.Contains("error: config keys: unknown command 'grpoo'", error);
        Assert.Contains("dpo", error);
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("dpo")]
    [InlineData("recipe r1")]
    public void TrainingCommandHelp_PointsAtConfigKeys(string command)
    {
        var (_, output, _) = AhaCli.Run([.. command.Split(' '), "--help"]);
        Assert.Contains("aha config keys", output);
    }
}
