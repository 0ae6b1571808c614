using Renewals.Core.Hosting;
using Renewals.Web;

// A bad setting stops the program with one line and exit code 2, before anything is served or changed.
try
{
    await using var app = RenewalsWeb.Build(args);
    await RenewalsWeb.PrepareAsync(app, CancellationToken.None);
    await app.RunAsync();
    return 0;
}
catch (SettingsException bad)
{
    await Console.Error.WriteLineAsync($"renewals web: {bad.Message}");
    return 2;
}
