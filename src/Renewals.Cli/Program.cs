using NodaTime;
using Renewals.Cli;

// The composition root is the one place that chooses the real clock.
#pragma warning disable RS0030
var clock = SystemClock.Instance;
#pragma warning restore RS0030

return await RenewalsCli.RunAsync(args, Console.Out, Console.Error, clock);
