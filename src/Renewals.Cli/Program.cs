using Renewals.Cli;

return await RenewalsCli.RunAsync(args, Console.Out, Console.Error);
