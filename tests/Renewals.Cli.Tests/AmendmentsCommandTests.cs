using System.Text.Json;
using NodaTime;
using NodaTime.Testing;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

/// <summary>
/// <c>renewals amendments propose|list|confirm|withdraw</c> on a SQLite file: the operator
/// proposes the coming term's lines, confirms with a signed order; a bad line is refused in
/// French and nothing is stored; after the deadline the operator must give the override's reason.
/// </summary>
public sealed class AmendmentsCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-amend-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(Instant.FromUtc(2027, 3, 1, 12, 0));
    private long _subscription;

    private string DbFile => Path.Combine(_folder, "book.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Assert.Equal(0, (await Cli("db", "migrate")).ExitCode);
        // Acme: 10 × 1,000.00 € for a year from 15 January 2027 (Paris); deadline 16 November 2027.
        var book = new TestBook(RenewalsDatabase.FromSetting(DbFile), _clock);
        var account = await book.AccountAsync();
        _subscription = (await book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1)).Id;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_operator_proposes_confirms_and_lists_and_a_bad_line_is_refused_in_french()
    {
        var id = _subscription.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bad = await Cli("--lang", "fr", "amendments", "propose", "--subscription", id, "--line", "DSN-PRO:douze", "--reason", "Plus");
        var empty = await Cli("amendments", "list", "--subscription", id, "--format", "json");
        var proposed = await Cli("amendments", "propose", "--subscription", id, "--line", "DSN-PRO:12::10", "--reason", "Two more seats, 10 % off");
        var confirmed = await Cli("amendments", "confirm", "--amendment", "1", "--signed-order", "SO-77");
        var listed = await Cli("amendments", "list", "--subscription", id, "--format", "json");

        Assert.Equal((2, 0, 0, 0, 0), (bad.ExitCode, empty.ExitCode, proposed.ExitCode, confirmed.ExitCode, listed.ExitCode));
        Assert.Contains(Words("--line attend CODE:QUANTITÉ, CODE:QUANTITÉ:PRIX ou CODE:QUANTITÉ:PRIX:REMISE"), Words(bad.Error), StringComparison.Ordinal);
        Assert.Empty(JsonDocument.Parse(empty.Output).RootElement.GetProperty("amendments").EnumerateArray());
        Assert.StartsWith($"Amendment 1 proposed for subscription {id}, term 2.", proposed.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal("Amendment 1 confirmed by signed order SO-77.", confirmed.Output.Trim());
        var amendment = Assert.Single(JsonDocument.Parse(listed.Output).RootElement.GetProperty("amendments").EnumerateArray());
        var line = Assert.Single(amendment.GetProperty("lines").EnumerateArray());
        // 1,000.00 less 10 % = 900.00.
        Assert.Equal(("confirmed", "operator", 12, 900.00m), (amendment.GetProperty("status").GetString(), amendment.GetProperty("madeBy").GetString(),
            line.GetProperty("quantity").GetInt32(), line.GetProperty("netYearlyUnitPrice").GetDecimal()));
    }

    [Fact]
    public async Task After_the_deadline_the_operator_gives_the_reason_to_override_it()
    {
        _clock.Reset(Instant.FromUtc(2027, 11, 17, 9, 0));
        var id = _subscription.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var late = await Cli("amendments", "propose", "--subscription", id, "--line", "DSN-PRO:11", "--reason", "One more");
        var overridden = await Cli("amendments", "propose", "--subscription", id, "--line", "DSN-PRO:11", "--reason", "One more",
            "--override-reason", "Order signed on the deadline day", "--format", "json");
        var withdrawn = await Cli("amendments", "withdraw", "--amendment", "1");

        Assert.Equal((1, 0, 0), (late.ExitCode == 0 ? 0 : 1, overridden.ExitCode, withdrawn.ExitCode));
        Assert.Contains("The cancellation deadline of the current term was 16 November 2027", Words(late.Error), StringComparison.Ordinal);
        Assert.Equal("Order signed on the deadline day", JsonDocument.Parse(overridden.Output).RootElement.GetProperty("deadlineOverrideReason").GetString());
        Assert.Equal("Amendment 1 withdrawn.", withdrawn.Output.Trim());
    }

    [Fact]
    public async Task The_operator_chooses_two_years_once_the_policy_allows_them_and_three_are_refused_in_french()
    {
        var id = _subscription.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var notAllowed = await Cli("--lang", "fr", "amendments", "propose", "--subscription", id, "--line", "DSN-PRO:10", "--reason", "Deux ans", "--years", "2");
        await using (var db = RenewalsDatabase.FromSetting(DbFile).CreateContext())
        {
            var policy = db.Policies.Single();
            policy.RenewalYears = "1,2";
            await db.SaveChangesAsync();
        }

        var three = await Cli("--lang", "fr", "amendments", "propose", "--subscription", id, "--line", "DSN-PRO:10", "--reason", "Trois ans", "--years", "3");
        var two = await Cli("amendments", "propose", "--subscription", id, "--line", "DSN-PRO:10", "--reason", "Two years", "--years", "2", "--format", "json");

        Assert.NotEqual(0, notAllowed.ExitCode);
        Assert.Contains("n'autorise pas un renouvellement de 2 ans ; durées autorisées, en années : 1.", Words(notAllowed.Error), StringComparison.Ordinal);
        Assert.Contains("n'autorise pas un renouvellement de 3 ans ; durées autorisées, en années : 1, 2.", Words(three.Error), StringComparison.Ordinal);
        Assert.Equal(0, two.ExitCode);
        var made = JsonDocument.Parse(two.Output).RootElement;
        // A year from 15 January 2027, then two: the coming term runs to 15 January 2030.
        Assert.Equal((1L, 2, "2028-01-15", "2030-01-15"), (made.GetProperty("id").GetInt64(), made.GetProperty("renewalYears").GetInt32(),
            made.GetProperty("termStart").GetString(), made.GetProperty("termEnd").GetString()));
    }

    private static string Words(string text) => System.Text.RegularExpressions.Regex.Replace(text.Replace('\u00A0', ' '), @"\s+", " ");

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, [.. args, "--db", DbFile]);
}
