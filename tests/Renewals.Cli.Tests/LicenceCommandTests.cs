using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Licensing;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

/// <summary><c>renewals licence issue</c> and <c>renewals licence verify</c>, in process and as the built program.</summary>
public sealed class LicenceCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-cli-licence-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(CliRun.Today);
    private long _subscriptionId;

    private string DbFile => Path.Combine(_folder, "book.db");

    private string DefaultKey => Path.Combine(_folder, "licence-signing-key.pem");

    private string DefaultPublicKey => Path.Combine(_folder, "licence-signing-key.pub.pem");

    private string In(string name) => Path.Combine(_folder, name);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var database = RenewalsDatabase.FromSetting(DbFile);
        await database.MigrateAsync();
        var book = new TestBook(database, _clock);
        var account = await book.AccountAsync(name: "Brasserie Lumière", language: "fr");
        // One year from 1 March 2027: the first term's last day is 29 February 2028.
        _subscriptionId = (await book.SellAsync(account.Id, new LocalDate(2027, 3, 1), years: 1, quantity: 25)).Id;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, args);

    private Task<CliRun> Issue(string output, params string[] more) =>
        Cli(["licence", "issue", "--subscription", _subscriptionId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output, "--db", DbFile, .. more]);

    [Fact]
    public async Task An_issued_licence_verifies_as_a_separate_process_with_the_public_key_alone()
    {
        var issue = await Issue(In("brasserie.lic"));
        Assert.Equal(0, issue.ExitCode);
        Assert.Contains("written to " + In("brasserie.lic"), issue.Output, StringComparison.Ordinal);
        Assert.Contains("New signing key created in " + DefaultKey, issue.Error, StringComparison.Ordinal);

        // Only the licence and the public key remain: no database, no private key.
        var publicKey = In("vendor.pub.pem");
        File.Move(DefaultPublicKey, publicKey);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(DbFile);
        File.Delete(DefaultKey);

        var verify = await CliRun.AsProcess("licence", "verify", In("brasserie.lic"), "--public-key", publicKey, "--on", "2027-06-01");

        Assert.Equal(0, verify.ExitCode);
        Assert.Matches(@"^Valid: licence LIC-\d+-1-[0-9a-f]{8} for Brasserie Lumière \(subscription \d+, term 1\), from 1 March 2027 through 29 February 2028\.\n$", verify.Output);
        Assert.Equal("", verify.Error);
        Assert.False(File.Exists(DbFile));
    }

    [Fact]
    public async Task The_key_is_made_on_the_first_issue_owner_only_and_reused_on_the_second()
    {
        var first = await Issue(In("first.lic"));
        var publicKey = await File.ReadAllTextAsync(DefaultPublicKey);
        var second = await Issue(In("second.lic"));

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Contains("New signing key", first.Error, StringComparison.Ordinal);
        Assert.Equal("", second.Error);
        Assert.Equal(publicKey, await File.ReadAllTextAsync(DefaultPublicKey));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DefaultKey));
        }

        foreach (var licence in new[] { "first.lic", "second.lic" })
        {
            Assert.Equal(0, (await Cli("licence", "verify", In(licence), "--public-key", DefaultPublicKey, "--on", "2028-02-29")).ExitCode);
        }
    }

    [Fact]
    public async Task The_key_can_be_chosen_by_option_or_environment_variable()
    {
        var byOption = await Issue(In("a.lic"), "--key", In("keys/option.pem"));
        var environment = new Dictionary<string, string?> { [LicenceSigningKey.EnvironmentVariable] = In("keys/environment.pem") };
        var byEnvironment = await CliRun.InProcess(_clock, environment,
            "licence", "issue", "--subscription", _subscriptionId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", In("b.lic"), "--db", DbFile);

        Assert.Equal((0, 0), (byOption.ExitCode, byEnvironment.ExitCode));
        Assert.True(File.Exists(In("keys/option.pub.pem")));
        Assert.True(File.Exists(In("keys/environment.pub.pem")));
        Assert.False(File.Exists(DefaultKey));
        Assert.Equal(0, (await Cli("licence", "verify", In("a.lic"), "--public-key", In("keys/option.pub.pem"), "--on", "2027-06-01")).ExitCode);
        Assert.Equal(0, (await Cli("licence", "verify", In("b.lic"), "--public-key", In("keys/environment.pub.pem"), "--on", "2027-06-01")).ExitCode);
    }

    [Fact]
    public async Task Without_out_the_licence_is_printed_and_verifies_as_printed()
    {
        var issue = await Cli("licence", "issue", "--subscription", _subscriptionId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", DbFile);
        await File.WriteAllTextAsync(In("printed.lic"), issue.Output);

        var verify = await Cli("licence", "verify", In("printed.lic"), "--public-key", DefaultPublicKey, "--on", "2027-06-01");

        Assert.StartsWith("# Renewals licence.", issue.Output, StringComparison.Ordinal);
        Assert.Contains("customer: Brasserie Lumière\n", issue.Output, StringComparison.Ordinal);
        Assert.Contains("product.1.quantity: 25\n", issue.Output, StringComparison.Ordinal);
        Assert.Equal(0, verify.ExitCode);
    }

    [Fact]
    public async Task A_file_with_one_byte_changed_fails_with_the_reason_on_one_line_in_french()
    {
        await Issue(In("brasserie.lic"));
        var bytes = await File.ReadAllBytesAsync(In("brasserie.lic"));
        var at = System.Text.Encoding.UTF8.GetString(bytes).IndexOf("quantity: 25", StringComparison.Ordinal) + "quantity: ".Length;
        bytes[at] = (byte)'9';
        await File.WriteAllBytesAsync(In("altered.lic"), bytes);

        var verify = await Cli("licence", "verify", In("altered.lic"), "--public-key", DefaultPublicKey, "--lang", "fr");

        Assert.Equal(1, verify.ExitCode);
        Assert.Equal("Non valable : la signature ne correspond pas au contenu ; le fichier a été modifié après sa signature.\n", verify.Output);
    }

    [Fact]
    public async Task A_file_checked_with_another_public_key_fails()
    {
        await Issue(In("brasserie.lic"));
        using (LicenceSigningKey.LoadOrCreate(In("other/key.pem")))
        {
        }

        var verify = await Cli("licence", "verify", In("brasserie.lic"), "--public-key", In("other/key.pub.pem"), "--on", "2027-06-01");

        Assert.Equal(1, verify.ExitCode);
        Assert.StartsWith("Not valid: the signature does not match this public key;", verify.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2027-02-28", 1, "Pas encore valable : la licence LIC-{0} commence le 1er mars 2027 ; nous sommes le 28 février 2027.")]
    [InlineData("2027-03-01", 0, "Valable : licence LIC-{0} du client Brasserie Lumière (abonnement {1}, période 1), du 1er mars 2027 au 29 février 2028 inclus.")]
    [InlineData("2028-02-29", 0, "Valable : licence LIC-{0} du client Brasserie Lumière (abonnement {1}, période 1), du 1er mars 2027 au 29 février 2028 inclus.")]
    [InlineData("2028-03-01", 1, "Expirée : la licence LIC-{0} était valable jusqu'au 29 février 2028 inclus ; nous sommes le 1er mars 2028.")]
    public async Task Validity_is_checked_on_the_date_given_up_to_the_last_valid_day(string on, int exitCode, string expected)
    {
        await Issue(In("brasserie.lic"));
        var id = File.ReadLines(In("brasserie.lic")).Single(l => l.StartsWith("licence-id: LIC-", StringComparison.Ordinal))["licence-id: LIC-".Length..];

        var verify = await Cli("licence", "verify", In("brasserie.lic"), "--public-key", DefaultPublicKey, "--on", on, "--lang", "fr");

        Assert.Equal(exitCode, verify.ExitCode);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, id, _subscriptionId) + "\n", verify.Output);
    }

    [Fact]
    public async Task Without_a_date_the_clocks_today_in_the_customers_zone_is_used()
    {
        await Issue(In("brasserie.lic"));
        // 23:30 UTC on 29 February 2028 is already 1 March in Paris.
        var lastEvening = new FakeClock(Instant.FromUtc(2028, 2, 29, 22, 59));
        var nextMorning = new FakeClock(Instant.FromUtc(2028, 2, 29, 23, 30));

        var valid = await CliRun.InProcess(lastEvening, null, "licence", "verify", In("brasserie.lic"), "--public-key", DefaultPublicKey);
        var expired = await CliRun.InProcess(nextMorning, null, "licence", "verify", In("brasserie.lic"), "--public-key", DefaultPublicKey);

        Assert.Equal((0, 1), (valid.ExitCode, expired.ExitCode));
        Assert.StartsWith("Expired:", expired.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_arguments_exit_with_2_and_say_what_is_wrong()
    {
        await Issue(In("brasserie.lic"));
        await File.WriteAllTextAsync(In("garbage.pem"), "no key here");

        var missingFile = await Cli("licence", "verify", In("nope.lic"), "--public-key", DefaultPublicKey, "--lang", "fr");
        var missingKey = await Cli("licence", "verify", In("brasserie.lic"), "--public-key", In("nope.pem"));
        var noKeyOption = await Cli("licence", "verify", In("brasserie.lic"));
        var unreadableKey = await Cli("licence", "verify", In("brasserie.lic"), "--public-key", In("garbage.pem"));
        var unknownSubscription = await Cli("licence", "issue", "--subscription", "999999", "--db", DbFile, "--key", In("unused.pem"));
        var noFolder = await Issue(In("no/such/folder/x.lic"));
        var futureTerm = await Issue(In("x.lic"), "--term", "2");
        var noDatabase = await Cli("licence", "issue", "--subscription", "1", "--db", In("missing.db"));

        Assert.Equal($"erreur : le fichier {In("nope.lic")} n'existe pas.\n", missingFile.Error);
        Assert.Equal($"error: the file {In("nope.pem")} does not exist.\n", missingKey.Error);
        Assert.Equal("error: --public-key is required.\n", noKeyOption.Error);
        Assert.Equal($"error: {In("garbage.pem")} does not hold a readable ECDSA P-256 key in PEM format.\n", unreadableKey.Error);
        Assert.Equal("error: There is no subscription 999999.\n", unknownSubscription.Error);
        Assert.Equal($"error: Subscription {_subscriptionId} has no term 2: its terms so far run from 1 to 1.\n", futureTerm.Error);
        Assert.Equal($"error: the file {In("no/such/folder")} does not exist.\n", noFolder.Error);
        Assert.All([missingFile, missingKey, noKeyOption, unreadableKey, unknownSubscription, futureTerm, noDatabase, noFolder], run => Assert.Equal(2, run.ExitCode));
        Assert.False(File.Exists(In("unused.pem")));
        Assert.False(File.Exists(In("x.lic")));
        Assert.False(File.Exists(In("missing.db")));
    }
}
