using Renewals.Cli;

// The composition root is the host each command builds (CliHost over AddRenewals): its clock, settings and services.
return await RenewalsCli.RunAsync(args, Console.Out, Console.Error);
