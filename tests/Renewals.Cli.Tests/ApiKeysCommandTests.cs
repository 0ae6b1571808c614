using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Api;
using Renewals.Data;

namespace Renewals.Cli.Tests;

/// <summary><c>renewals apikeys add|list|revoke</c> on a SQLite file: the key printed once, stored hashed, refused once revoked.</summary>
public sealed class ApiKeysCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-keys-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 12, 1, 12, 0));

    private string DbFile => Path.Combine(_folder, "book.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Assert.Equal(0, (await Cli("db", "migrate")).ExitCode);
        Assert.Equal(0, (await Cli("partners", "add", "--name", "Northwind", "--email", "sales@northwind.example", "--notice-days", "90")).ExitCode);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, [.. args, "--db", DbFile]);

    [Fact]
    public async Task A_key_is_printed_once_works_until_revoked_and_the_list_never_shows_it()
    {
        var admin = await Cli("apikeys", "add", "--admin", "--name", "ERP");
        var partner = await Cli("apikeys", "add", "--partner", "1", "--name", "Northwind sync");
        var adminKey = KeyIn(admin.Output);
        var partnerKey = KeyIn(partner.Output);
        var list = await Cli("apikeys", "list");

        Assert.Equal((0, 0, 0), (admin.ExitCode, partner.ExitCode, list.ExitCode));
        Assert.Contains("API key 1 (ERP) made for the whole system.", admin.Output, StringComparison.Ordinal);
        Assert.Contains("API key 2 (Northwind sync) made for the customers of partner 1.", partner.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(adminKey, list.Output, StringComparison.Ordinal);
        Assert.Contains(adminKey[..12] + "…", list.Output, StringComparison.Ordinal);
        Assert.Contains("partner 1 (Northwind)", list.Output, StringComparison.Ordinal);

        var database = RenewalsDatabase.FromSetting(DbFile);
        await using (var db = database.CreateContext())
        {
            var keys = new ApiKeyService(db, _clock);
            Assert.Equal(new Core.Access.Actor.Partner(1), (await keys.AuthenticateAsync(partnerKey))!.Actor);
            Assert.NotNull(await keys.AuthenticateAsync(adminKey));
        }

        var revoke = await Cli("apikeys", "revoke", "1");
        var again = await Cli("--lang", "fr", "apikeys", "revoke", "1");

        Assert.Equal(0, revoke.ExitCode);
        Assert.Contains("API key 1 (ERP) is revoked.", revoke.Output, StringComparison.Ordinal);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("La clé d'API 1 a déjà été révoquée le 1er décembre 2026.", again.Error, StringComparison.Ordinal);
        await using var check = database.CreateContext();
        Assert.Null(await new ApiKeyService(check, _clock).AuthenticateAsync(adminKey));
    }

    [Fact]
    public async Task A_key_needs_one_scope_and_a_partner_that_exists()
    {
        var none = await Cli("apikeys", "add");
        var both = await Cli("apikeys", "add", "--admin", "--partner", "1");
        var unknown = await Cli("apikeys", "add", "--partner", "42");

        Assert.Equal((2, 2, 2), (none.ExitCode, both.ExitCode, unknown.ExitCode));
        Assert.Contains("Say whom the key is for: --admin, or --partner with the partner's number.", none.Error, StringComparison.Ordinal);
        Assert.Contains("Say whom the key is for", both.Error, StringComparison.Ordinal);
        Assert.Contains("There is no partner 42.", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("Starts with", (await Cli("apikeys", "list")).Output, StringComparison.Ordinal);
        Assert.DoesNotContain("rnw_", (await Cli("apikeys", "list")).Output, StringComparison.Ordinal);
    }

    /// <summary>The key is the one line of the output that starts with the key prefix.</summary>
    private static string KeyIn(string output) =>
        output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeyService.KeyPrefix, StringComparison.Ordinal));
}
