using System.CommandLine;
using Aha.Cli.Commands;

var root = new RootCommand("Aha: post-train language models with reinforcement learning.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return root.Parse(args).Invoke();
