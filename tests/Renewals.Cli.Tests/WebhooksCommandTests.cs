using System.Text.Json;
using NodaTime;
using NodaTime.Testing;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

/// <summary><c>renewals webhooks add|list|remove</c> on a SQLite file: the secret printed once added, errors in the user's language, nothing stored.</summary>
public sealed class WebhooksCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-hooks-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 12, 1, 12, 0));

    private string DbFile => Path.Combine(_folder, "book.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Assert.Equal(0, (await Cli("db", "migrate")).ExitCode);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_endpoint_added_is_listed_with_its_secret_and_removed_and_a_bad_one_is_refused_in_french()
    {
        var added = await Cli("webhooks", "add", "--url", "https://crm.example/hooks", "--events", "invoice.issued, notice.received", "--format", "json");
        var bad = await Cli("--lang", "fr", "webhooks", "add", "--url", "https://crm.example/hooks", "--events", "notice.lost");
        var listed = await Cli("webhooks", "list", "--format", "json");
        var removed = await Cli("webhooks", "remove", "1");
        var after = await Cli("webhooks", "list", "--format", "json");

        Assert.Equal((0, 2, 0, 0, 0), (added.ExitCode, bad.ExitCode, listed.ExitCode, removed.ExitCode, after.ExitCode));
        using var json = JsonDocument.Parse(listed.Output);
        var endpoint = Assert.Single(json.RootElement.GetProperty("endpoints").EnumerateArray());
        Assert.Equal(("https://crm.example/hooks", "notice.received,invoice.issued", true),
            (endpoint.GetProperty("url").GetString(), string.Join(",", endpoint.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString())),
             endpoint.GetProperty("enabled").GetBoolean()));
        Assert.Matches("^whsec_[A-Za-z0-9+/]{32}$", endpoint.GetProperty("secret").GetString());
        // The console wraps long lines: compare the words (FrenchTypographyTests checks the non-breaking spaces).
        Assert.Contains(Words("« notice.lost » n'est pas un événement envoyé par Renewals ; les événements sont : milestone.carried-out, "), Words(bad.Error), StringComparison.Ordinal);
        Assert.Equal("Endpoint 1 removed, with its deliveries.", removed.Output.Trim());
        Assert.Empty(JsonDocument.Parse(after.Output).RootElement.GetProperty("endpoints").EnumerateArray());
    }

    private static string Words(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, [.. args, "--db", DbFile]);
}
