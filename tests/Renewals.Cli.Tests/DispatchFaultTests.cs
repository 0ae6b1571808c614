using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using Xunit.Abstractions;

namespace Renewals.Cli.Tests;

/// <summary>
/// <c>renewals messages send</c> killed with SIGKILL again and again while it delivers to the
/// pickup folder: in the end every message is delivered, none is lost, and since a file is
/// named after its Message-ID a message delivered twice is still one file.
/// </summary>
public sealed class DispatchFaultTests(ITestOutputHelper output)
{
    private const int Kills = 10;

    [Fact]
    public async Task A_dispatcher_killed_10_times_still_delivers_every_message_once_per_message_id()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var asOf = Instant.FromUtc(2027, 3, 31, 23, 0);
        await new DemoBook(database.Database, new FakeClock(CliRun.Today)).GenerateAsync(600, seed: 11);
        // The messages are written as due at a past instant, so the real clock of the
        // processes below finds them due.
        await new RenewalEngine(database.Database, new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0))).RunAsync(asOf);
        var total = await CountAsync(database, sent: false);
        Assert.True(total > 500, $"only {total} messages to deliver");
        var pickup = Path.Combine(Path.GetDirectoryName(database.Database.SqliteFile)!, "pickup");

        var random = new Random(27);
        var kills = 0;
        while (kills < Kills)
        {
            var before = await CountAsync(database, sent: true);
            Assert.True(before < total, $"the messages ran out after {kills} kills");
            var share = Math.Max(1, random.Next((total - before) / (Kills - kills + 1) / 2, (total - before) / (Kills - kills + 1) + 1));
            using var process = CliRun.Start("messages", "send", "--db", database.Setting);
            var stopwatch = Stopwatch.StartNew();
            while (!process.HasExited && await CountAsync(database, sent: true) < before + share && stopwatch.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(10);
            }

            var killed = !process.HasExited;
            if (killed)
            {
                process.Kill(); // SIGKILL
                kills++;
            }

            await process.WaitForExitAsync();
            Assert.True(killed || await CountAsync(database, sent: true) > before, "the dispatcher stopped without delivering anything");
        }

        var last = await CliRun.AsProcess("messages", "send", "--db", database.Setting);

        Assert.Equal(0, last.ExitCode);
        await using var db = database.Context();
        var messages = await db.Outbox.AsNoTracking().ToListAsync();
        Assert.All(messages, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        var files = Directory.GetFiles(pickup, "*.eml");
        output.WriteLine($"{kills} kills, {messages.Count} messages, {files.Length} files, {messages.Sum(m => m.Attempts)} attempts");
        Assert.Equal(messages.Count, files.Length);
        foreach (var message in messages)
        {
            // Sent at the sender's domain (vendor.example by default), the stored id's left side kept.
            var wire = message.MessageId.Trim('<', '>').Split('@')[0] + "@vendor.example";
            var mail = await MimeMessage.LoadAsync(Path.Combine(pickup, PickupFolderTransport.FileName(wire)));
            Assert.Equal(wire, mail.MessageId);
            Assert.Equal(message.ToEmail, mail.To.Mailboxes.Single().Address);
        }
    }

    private static async Task<int> CountAsync(TestDatabase database, bool sent)
    {
        await using var db = database.Context();
        return sent ? await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Sent) : await db.Outbox.CountAsync();
    }
}
