using Aha.Cli.Commands;

return CliRun.Invoke(CommandCatalog.Root(), args);
