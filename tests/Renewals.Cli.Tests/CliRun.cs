using System.Diagnostics;
using System.Text;
using NodaTime;
using NodaTime.Testing;
using Renewals.Cli;

namespace Renewals.Cli.Tests;

/// <summary>What one run of the command line printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>
    /// What was printed, with no-break spaces read as spaces: tests compare the words; French
    /// typography (no-break spaces before : ; ! ? and inside « ») is checked on the strings
    /// themselves by FrenchTypographyTests.
    /// </summary>
    private static string Words(string printed) => printed.Replace('\u00A0', ' ').Replace('\u202F', ' ');

    /// <summary>The day the tests' clock stands on unless a test says otherwise.</summary>
    public static readonly Instant Today = Instant.FromUtc(2026, 12, 1, 9, 0);

    public static Task<CliRun> InProcess(params string[] args) => InProcess(new FakeClock(Today), null, args);

    public static async Task<CliRun> InProcess(IClock clock, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await RenewalsCli.RunAsync(args, output, error, clock, environment ?? new Dictionary<string, string?>());
        return new CliRun(code, Words(output.ToString()), Words(error.ToString()));
    }

    /// <summary>Runs the built program in its own process, as an operator would.</summary>
    public static Task<CliRun> AsProcess(params string[] args) => AsProcessIn(null, args);

    /// <summary>Runs the built program in its own process from <paramref name="workingDirectory"/> (the current folder when null).</summary>
    public static async Task<CliRun> AsProcessIn(string? workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliRun(process.ExitCode, Words(await output), Words(await error));
    }

    /// <summary>Starts the built program and returns at once (for tests that kill it).</summary>
    public static Process Start(params string[] args) => Start(null, args);

    private static Process Start(string? workingDirectory, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "renewals.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
