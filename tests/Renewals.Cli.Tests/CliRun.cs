using System.Diagnostics;
using System.Text;
using Renewals.Cli;

namespace Renewals.Cli.Tests;

/// <summary>What one run of the command line printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> InProcess(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await RenewalsCli.RunAsync(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the built program in its own process, as an operator would.</summary>
    public static async Task<CliRun> AsProcess(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "renewals.dll");
        var start = new ProcessStartInfo("dotnet")
        {
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

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliRun(process.ExitCode, await output, await error);
    }
}
