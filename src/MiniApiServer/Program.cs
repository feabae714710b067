using MiniApiServer.Hosting;

// One process, one command: `./run.sh [subcommand] [--flags]`. Without a subcommand the program serves.
return await Cli.RunAsync(args);

public partial class Program;
