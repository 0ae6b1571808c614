using Renewals.Testing.Chaos;
using Xunit.Abstractions;

namespace Renewals.Cli.Tests;

/// <summary>
/// The chaos run of issue 13 at the size ./test.sh can afford (bench/chaos/run.sh runs the same
/// harness at full size): two engine processes and two web hosts on PostgreSQL over 1,000
/// subscriptions for a simulated year, five SIGKILLs of random processes, an immediate restart of
/// the PostgreSQL server, the SMTP sink and the webhook receiver stopped and started again. The
/// ledger against a clean run of the same book must show nothing lost, nothing done twice, every
/// duplicate delivery explained by a fault, gapless numbering and nothing stuck.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_engines_and_two_web_hosts_killed_five_times_through_a_database_restart_and_sink_outages_lose_nothing_and_do_nothing_twice()
    {
        var ledger = await ChaosRun.RunAsync(new ChaosOptions
        {
            Subscriptions = 1_000,
            Kills = 5,
            StepDays = 122,
            EventTypes = [.. Core.Webhooks.WebhookEventTypes.All.Where(t => t != Core.Webhooks.WebhookEventTypes.MilestoneCarriedOut)],
            CliDll = Path.Combine(AppContext.BaseDirectory, "renewals.dll"),
            WebDll = WebDll(),
            WebContentRoot = Path.Combine(RepositoryRoot(), "src", "Renewals.Web"),
            // Above the 3 minutes this takes on a quiet machine: the dispatchers' pace on a loaded one.
            DrainStallTimeout = TimeSpan.FromMinutes(5),
            Log = output.WriteLine,
        });
        output.WriteLine(ledger.Report());

        Assert.Equal(5, ledger.Run.Kills);
        Assert.Contains(ledger.Run.Faults, f => f.Kind == "postgres-restart");
        Assert.Contains(ledger.Run.Faults, f => f.Kind == "smtp-outage");
        Assert.Contains(ledger.Run.Faults, f => f.Kind == "webhook-outage");
        // The year did happen: a 1,000-subscription book carries out thousands of steps, sends
        // thousands of messages and hears a thousand events.
        Assert.True(ledger.MilestonesCarriedOut > 2_000, $"only {ledger.MilestonesCarriedOut} milestones carried out");
        Assert.True(ledger.MessagesSent > 1_000, $"only {ledger.MessagesSent} messages sent");
        Assert.True(ledger.WebhooksDelivered > 500, $"only {ledger.WebhooksDelivered} webhooks delivered");
        Assert.All(ledger.Differences, d => Assert.True(d.Missing == 0 && d.Extra == 0, $"{d.Kind}: {string.Join("; ", d.Examples)}"));
        Assert.Equal(0, ledger.MilestonesTwice);
        Assert.Equal(0, ledger.MessagesSentNotAccepted);
        Assert.Equal(ledger.MessagesWritten, ledger.MessagesSent + ledger.MessagesDiscarded);
        Assert.Equal(ledger.MessagesSent, ledger.SinkDistinct);
        Assert.Equal(0, ledger.MailDuplicatesUnexplained);
        Assert.Equal(ledger.WebhooksWritten, ledger.WebhooksDelivered);
        Assert.Equal(ledger.WebhooksDelivered, ledger.ReceiverDistinct);
        Assert.Equal(0, ledger.WebhookDuplicatesUnexplained);
        Assert.Equal(0, ledger.InvoiceNumberGaps);
        Assert.Equal(0, ledger.CreditNoteNumberGaps);
        Assert.Empty(ledger.Problems);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Renewals.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Renewals.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The web host's own build output, in this test's configuration (./test.sh builds the whole solution first).</summary>
    private static string WebDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "src", "Renewals.Web", "bin", configuration, "net10.0", "Renewals.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build src/Renewals.Web first", dll);
    }
}
