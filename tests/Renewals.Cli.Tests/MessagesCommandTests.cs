using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime.Testing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Cli.Tests;

public sealed class MessagesCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-msg-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(CliRun.Today);

    private string DbFile => Path.Combine(_folder, "book.db");

    private string Pickup => Path.Combine(_folder, "pickup");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, args);

    public static TheoryData<string> Kinds() => [.. TemplateLibrary.Kinds];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_kind_previews_in_french_and_in_english(string kind)
    {
        var french = await Cli("messages", "preview", kind, "--lang", "fr");
        var english = await Cli("messages", "preview", kind, "--lang", "en");
        var html = await Cli("messages", "preview", kind, "--lang", "fr", "--part", "html");

        Assert.Equal((0, 0, 0), (french.ExitCode, english.ExitCode, html.ExitCode));
        Assert.StartsWith("Objet : ", french.Output, StringComparison.Ordinal);
        Assert.StartsWith("Subject: ", english.Output, StringComparison.Ordinal);
        Assert.Matches(@"\d{1,2}(er)? (janvier|avril|novembre) 20\d\d", french.Output);
        Assert.Matches(@"\d{1,2} (January|April|November) 20\d\d", english.Output);
        Assert.DoesNotContain("{{", french.Output + english.Output, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"fr\">", html.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_kind_is_refused_in_the_chosen_language()
    {
        var run = await Cli("messages", "preview", "birthday", "--lang", "fr");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Il n'existe pas de message de type « birthday »", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_names_the_broken_file_and_its_line()
    {
        var templates = Path.Combine(_folder, "templates");
        foreach (var file in Directory.GetFiles(TemplateLibrary.DefaultDirectory, "*.liquid", SearchOption.AllDirectories))
        {
            var target = Path.Combine(templates, Path.GetRelativePath(TemplateLibrary.DefaultDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Assert.Equal(0, (await Cli("messages", "check", "--templates", templates)).ExitCode);
        File.WriteAllText(Path.Combine(templates, "en", "invoice.txt.liquid"), "Hello\n\n{{ invoice.number | }}\n");

        var check = await Cli("messages", "check", "--templates", templates);
        var preview = await Cli("messages", "preview", "invoice", "--templates", templates);

        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"template {Path.Combine("en", "invoice.txt.liquid")}, line 3", check.Output, StringComparison.Ordinal);
        Assert.Equal(2, preview.ExitCode);
        Assert.Contains("invoice.txt.liquid, line 3", preview.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_delivers_to_the_pickup_folder_and_messages_list_shows_them_sent()
    {
        Assert.Equal(0, (await Cli("demo", "--subscriptions", "40", "--db", DbFile)).ExitCode);

        var run = await Cli("run", "--db", DbFile, "--as-of", "2027-03-01");
        var list = await Cli("messages", "list", "--db", DbFile, "--status", "sent", "--limit", "5");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Messages: ", run.Output, StringComparison.Ordinal);
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        var sent = await db.Outbox.AsNoTracking().Where(m => m.Status == OutboxStatus.Sent).ToListAsync();
        Assert.NotEmpty(sent);
        Assert.Equal(await db.Outbox.CountAsync(), sent.Count);
        Assert.Equal(sent.Count, Directory.GetFiles(Pickup, "*.eml").Length);
        var one = sent[0];
        var wire = one.MessageId.Trim('<', '>').Split('@')[0] + "@vendor.example"; // at the sender's domain
        var mail = await MimeMessage.LoadAsync(Path.Combine(Pickup, PickupFolderTransport.FileName(wire)));
        Assert.Equal(one.ToEmail, mail.To.Mailboxes.Single().Address);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("sent", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_no_send_leaves_the_outbox_pending_and_send_delivers_it()
    {
        await Cli("demo", "--subscriptions", "20", "--db", DbFile);

        await Cli("run", "--db", DbFile, "--as-of", "2027-03-01", "--no-send");
        await using (var db = RenewalsDatabase.FromSetting(DbFile).CreateContext())
        {
            Assert.All(await db.Outbox.ToListAsync(), m => Assert.Equal(OutboxStatus.Pending, m.Status));
        }

        _clock.Reset(NodaTime.Instant.FromUtc(2027, 3, 2, 0, 0));
        var send = await Cli("messages", "send", "--db", DbFile);

        Assert.Equal(0, send.ExitCode);
        await using var check = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.All(await check.Outbox.ToListAsync(), m => Assert.Equal(OutboxStatus.Sent, m.Status));
    }

    [Theory]
    [InlineData("abc", "RENEWALS_SMTP_PORT must be a port number")]
    [InlineData("70000", "RENEWALS_SMTP_PORT must be a port number")]
    public async Task A_bad_smtp_setting_is_refused_and_the_outbox_is_left_as_it_was(string port, string expected)
    {
        await Cli("demo", "--subscriptions", "10", "--db", DbFile);
        await Cli("run", "--db", DbFile, "--as-of", "2027-03-01", "--no-send");
        var environment = new Dictionary<string, string?> { ["RENEWALS_SMTP_HOST"] = "127.0.0.1", ["RENEWALS_SMTP_PORT"] = port };

        var send = await CliRun.InProcess(_clock, environment, "messages", "send", "--db", DbFile);

        Assert.Equal(2, send.ExitCode);
        Assert.Contains(expected, send.Error, StringComparison.Ordinal);
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.All(await db.Outbox.ToListAsync(), m => Assert.Equal((OutboxStatus.Pending, 0), (m.Status, m.Attempts)));
    }

    [Fact]
    public async Task Retry_needs_ids_or_all_and_refuses_messages_that_are_not_dead_lettered()
    {
        await Cli("demo", "--subscriptions", "10", "--db", DbFile);
        await Cli("run", "--db", DbFile, "--as-of", "2027-03-01", "--no-send");

        var none = await Cli("messages", "retry", "--db", DbFile, "--lang", "fr");
        var notDead = await Cli("messages", "retry", "1", "999999", "--db", DbFile);

        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--all", none.Error, StringComparison.Ordinal);
        Assert.Equal(2, notDead.ExitCode);
        Assert.Contains("1, 999999", notDead.Error, StringComparison.Ordinal);
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal(0, await db.Audit.CountAsync(a => a.Action == "message.retry"));
    }
}
