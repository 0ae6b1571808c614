using Renewals.Cli;

// The composition root: the host's time provider is the one clock every command is given.
return await RenewalsCli.RunAsync(args, Console.Out, Console.Error, new TimeProviderClock(TimeProvider.System));
