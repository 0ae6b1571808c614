using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Licensing;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Tests;

/// <summary>A folder for keys and licence files, deleted after the test.</summary>
public abstract class KeyFolderTest : IDisposable
{
    protected string Folder { get; } = Directory.CreateTempSubdirectory("renewals-licence-").FullName;

    protected string KeyPath => Path.Combine(Folder, LicenceSigningKey.DefaultFileName);

    protected static CultureInfo English { get; } = CultureInfo.GetCultureInfo("en");

    protected static CultureInfo French { get; } = CultureInfo.GetCultureInfo("fr");

    protected static LocalDate Day(string iso) => NodaTime.Text.LocalDatePattern.Iso.Parse(iso).Value;

    protected static LicenceVerifier VerifierFor(LicenceSigningKey key) => LicenceVerifier.FromPem(File.ReadAllText(key.PublicKeyPath), key.PublicKeyPath);

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The file format, the signature and the verdicts, without a database.</summary>
public sealed class LicenceFileTests : KeyFolderTest
{
    private static Licence Sample(string validFrom = "2027-03-01", string validUntil = "2028-03-01", string customer = "Acme", string zone = "Europe/Paris") => new(
        "LIC-42-1-0badc0de", Instant.FromUtc(2026, 12, 1, 12, 0), 7, customer, 42, 1, zone, Day(validFrom), Day(validUntil),
        [new LicenceProduct("DSN-PRO", "Design Pro", 10), new LicenceProduct("SIM-ADV", "Simulation Advanced", 3)], "set below");

    private static byte[] Signed(Licence licence, LicenceSigningKey key) =>
        Encoding.UTF8.GetBytes(LicenceFile.Write(licence with { SigningKey = key.Fingerprint }, key));

    [Fact]
    public void A_signed_file_verifies_with_its_public_key_and_reads_back_what_was_signed()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var licence = Sample() with { SigningKey = key.Fingerprint };

        var result = verifier.Verify(Signed(licence, key), Day("2027-06-01"));

        Assert.Equal(LicenceCheck.Valid, result.Check);
        Assert.True(result.IsValid);
        Assert.Equal(licence with { Products = result.Licence!.Products }, result.Licence);
        Assert.Equal(licence.Products, result.Licence.Products);
        Assert.Equal("Valid: licence LIC-42-1-0badc0de for Acme (subscription 42, term 1), from 1 March 2027 through 29 February 2028.",
            result.Describe(English));
        Assert.Equal("Valable : licence LIC-42-1-0badc0de du client Acme (abonnement 42, période 1), du 1er mars 2027 au 29 février 2028 inclus.",
            result.Describe(French));
    }

    [Fact]
    public void The_file_is_readable_key_value_lines_then_a_signature_block()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);

        var lines = Encoding.UTF8.GetString(Signed(Sample(), key)).Split('\n');

        Assert.Equal(
            ["format: renewals-licence/1", "licence-id: LIC-42-1-0badc0de", "issued-at: 2026-12-01T12:00:00Z", "customer: Acme", "customer-id: 7",
                "subscription-id: 42", "term: 1", "time-zone: Europe/Paris", "valid-from: 2027-03-01", "valid-until: 2028-03-01",
                "product.1.code: DSN-PRO", "product.1.name: Design Pro", "product.1.quantity: 10",
                "product.2.code: SIM-ADV", "product.2.name: Simulation Advanced", "product.2.quantity: 3",
                $"signing-key: {key.Fingerprint}", "-----BEGIN SIGNATURE-----", "algorithm: ECDSA-P256-SHA256"],
            lines.Where(l => !l.StartsWith('#')).Take(19));
        Assert.Matches("^signature: [A-Za-z0-9+/]{86}==$", lines[^3]);
        Assert.Equal(["-----END SIGNATURE-----", ""], lines[^2..]);
    }

    [Fact]
    public void Changing_any_single_byte_of_the_file_makes_it_invalid_with_a_reason()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var file = Signed(Sample(), key);
        Assert.True(verifier.Verify(file, Day("2027-06-01")).IsValid);

        var accepted = new List<string>();
        for (var position = 0; position < file.Length; position++)
        {
            foreach (var mask in new byte[] { 0x01, 0x02, 0x20, 0x80 })
            {
                var altered = (byte[])file.Clone();
                altered[position] ^= mask;
                var result = verifier.Verify(altered, Day("2027-06-01"));
                if (result.IsValid || result.Describe(English).Length == 0 || result.Describe(French).Length == 0)
                {
                    accepted.Add($"byte {position} ^ 0x{mask:x2}");
                }
            }
        }

        Assert.Empty(accepted);
    }

    [Theory]
    [InlineData("customer: Acme", 10, LicenceCheck.SignatureMismatch, null)]
    [InlineData("valid-until: 2028-03-01", 16, LicenceCheck.SignatureMismatch, null)]
    [InlineData("product.1.quantity: 10", 20, LicenceCheck.SignatureMismatch, null)]
    [InlineData("# Renewals licence.", 2, LicenceCheck.SignatureMismatch, null)]
    [InlineData("signing-key: sha256:", 22, LicenceCheck.SignedByAnotherKey, null)]
    [InlineData("signature: ", 11, LicenceCheck.SignatureMismatch, null)]
    [InlineData("signature: ", 40, LicenceCheck.SignatureMismatch, null)]
    [InlineData("algorithm: ECDSA", 12, LicenceCheck.Malformed, LicenceFile.SignaturePart)]
    [InlineData("-----END SIGNATURE", 8, LicenceCheck.Malformed, LicenceFile.SignaturePart)]
    [InlineData("-----BEGIN SIGNATURE", 8, LicenceCheck.Malformed, LicenceFile.LayoutPart)]
    public void A_changed_byte_is_reported_with_the_part_it_breaks(string line, int offset, LicenceCheck expected, string? part)
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var file = Signed(Sample(), key);
        var position = Encoding.UTF8.GetString(file).IndexOf(line, StringComparison.Ordinal) + offset;
        file[position] = (byte)(file[position] == (byte)'7' ? '8' : '7');

        var result = verifier.Verify(file, Day("2027-06-01"));

        Assert.Equal((expected, part), (result.Check, result.Part));
    }

    [Fact]
    public void A_changed_content_byte_is_worded_as_a_change_after_signing()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var file = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Signed(Sample(), key)).Replace("quantity: 10", "quantity: 90", StringComparison.Ordinal));

        var result = verifier.Verify(file, Day("2027-06-01"));

        Assert.Equal("Not valid: the signature does not match the content; the file was changed after it was signed.", result.Describe(English));
        Assert.Equal("Non valable : la signature ne correspond pas au contenu ; le fichier a été modifié après sa signature.", result.Describe(French));
    }

    [Fact]
    public void A_signature_with_unused_base64_bits_set_is_refused_although_it_decodes_to_the_same_bytes()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var text = Encoding.UTF8.GetString(Signed(Sample(), key));
        var at = text.IndexOf("==\n", StringComparison.Ordinal) - 1;
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var sloppy = text[..at] + Alphabet[Alphabet.IndexOf(text[at], StringComparison.Ordinal) | 0b1111] + text[(at + 1)..];
        var line = (string s) => s.Split('\n').Single(l => l.StartsWith("signature: ", StringComparison.Ordinal))["signature: ".Length..];
        Assert.Equal(Convert.FromBase64String(line(text)), Convert.FromBase64String(line(sloppy)));

        var result = verifier.Verify(Encoding.UTF8.GetBytes(sloppy), Day("2027-06-01"));

        Assert.Equal((LicenceCheck.Malformed, LicenceFile.SignaturePart), (result.Check, result.Part));
    }

    [Fact]
    public void A_file_checked_with_another_public_key_is_not_valid_and_names_both_keys()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var other = LicenceSigningKey.LoadOrCreate(Path.Combine(Folder, "other", "key.pem"));
        using var verifier = VerifierFor(other);

        var result = verifier.Verify(Signed(Sample(), key), Day("2027-06-01"));

        Assert.Equal(LicenceCheck.SignedByAnotherKey, result.Check);
        Assert.Equal((key.Fingerprint, other.Fingerprint), (result.FileKey, result.GivenKey));
        Assert.Equal($"Not valid: the signature does not match this public key; the file names another signing key ({key.Fingerprint[..23]}…, not {other.Fingerprint[..23]}…), or it was changed after it was signed.",
            result.Describe(English));
    }

    [Fact]
    public void A_file_signed_by_another_key_that_claims_ours_is_not_valid()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var forger = LicenceSigningKey.LoadOrCreate(Path.Combine(Folder, "forger.pem"));
        using var verifier = VerifierFor(key);
        var forged = Encoding.UTF8.GetBytes(LicenceFile.Write(Sample() with { SigningKey = key.Fingerprint }, forger));

        Assert.Equal(LicenceCheck.SignatureMismatch, verifier.Verify(forged, Day("2027-06-01")).Check);
    }

    [Theory]
    [InlineData("2027-03-01", "2028-03-01", "2027-02-28", LicenceCheck.NotYetValid)]
    [InlineData("2027-03-01", "2028-03-01", "2027-03-01", LicenceCheck.Valid)]
    [InlineData("2027-03-01", "2028-03-01", "2028-02-29", LicenceCheck.Valid)] // last valid day: 29 February
    [InlineData("2027-03-01", "2028-03-01", "2028-03-01", LicenceCheck.Expired)] // the exclusive end
    [InlineData("2028-02-29", "2029-02-28", "2029-02-27", LicenceCheck.Valid)] // a 29 February start renews on 28 February
    [InlineData("2028-02-29", "2029-02-28", "2029-02-28", LicenceCheck.Expired)]
    [InlineData("2027-01-31", "2027-05-01", "2027-04-30", LicenceCheck.Valid)] // month end
    [InlineData("2027-01-31", "2027-05-01", "2027-05-01", LicenceCheck.Expired)]
    [InlineData("2027-01-31", "2028-01-31", "2027-12-31", LicenceCheck.Valid)] // year end
    [InlineData("2027-01-31", "2028-01-31", "2028-01-31", LicenceCheck.Expired)]
    public void Validity_runs_from_the_first_day_up_to_the_exclusive_end(string from, string until, string today, LicenceCheck expected)
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);

        var result = verifier.Verify(Signed(Sample(from, until), key), Day(today));

        Assert.Equal(expected, result.Check);
        Assert.Equal(Day(today), result.Date);
    }

    [Fact]
    public void Expired_and_not_yet_valid_say_the_dates_in_each_language()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var file = Signed(Sample(), key);

        var expired = verifier.Verify(file, Day("2028-03-01"));
        var early = verifier.Verify(file, Day("2027-02-28"));

        Assert.Equal("Expired: licence LIC-42-1-0badc0de was valid through 29 February 2028; today is 1 March 2028.", expired.Describe(English));
        Assert.Equal("Expirée : la licence LIC-42-1-0badc0de était valable jusqu'au 29 février 2028 inclus ; nous sommes le 1er mars 2028.", expired.Describe(French));
        Assert.Equal("Not valid yet: licence LIC-42-1-0badc0de starts on 1 March 2027; today is 28 February 2027.", early.Describe(English));
        Assert.Equal("Pas encore valable : la licence LIC-42-1-0badc0de commence le 1er mars 2027 ; nous sommes le 28 février 2027.", early.Describe(French));
    }

    [Fact]
    public void At_an_instant_the_date_checked_is_the_customers_date_in_its_time_zone()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var file = Signed(Sample(zone: "Pacific/Auckland"), key);

        // Midnight starting 1 March 2028 in Auckland (UTC+13) is 11:00 UTC on 29 February.
        var lastMinute = verifier.Verify(file, Instant.FromUtc(2028, 2, 29, 10, 59));
        var midnight = verifier.Verify(file, Instant.FromUtc(2028, 2, 29, 11, 0));

        Assert.Equal((LicenceCheck.Valid, Day("2028-02-29")), (lastMinute.Check, lastMinute.Date));
        Assert.Equal((LicenceCheck.Expired, Day("2028-03-01")), (midnight.Check, midnight.Date));
    }

    [Fact]
    public void A_customer_name_with_line_breaks_and_markers_stays_on_its_line_and_reads_back()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        const string Name = "Société Générale\n-----BEGIN SIGNATURE-----\r\tback\\slash\u2028";
        var file = Signed(Sample(customer: Name), key);

        var result = verifier.Verify(file, Day("2027-06-01"));

        Assert.True(result.IsValid);
        Assert.Equal(Name, result.Licence!.CustomerName);
        Assert.Contains(@"customer: Société Générale\n-----BEGIN SIGNATURE-----\r\tback\\slash\u2028" + "\n", Encoding.UTF8.GetString(file), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("format: renewals-licence/1\n")]
    [InlineData("not a licence at all")]
    public void A_file_that_is_not_a_licence_is_malformed(string content)
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);

        var result = verifier.Verify(Encoding.UTF8.GetBytes(content), Day("2027-06-01"));

        Assert.Equal((LicenceCheck.Malformed, LicenceFile.LayoutPart), (result.Check, result.Part));
        Assert.Equal("Non valable : le fichier est endommagé ou n'est pas une licence Renewals (aucun bloc de signature n'a été trouvé).", result.Describe(French));
    }

    [Fact]
    public void A_file_cut_after_its_signature_line_is_malformed()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var file = Signed(Sample(), key);

        var result = verifier.Verify(file.AsSpan(0, file.Length - "-----END SIGNATURE-----\n".Length), Day("2027-06-01"));

        Assert.Equal((LicenceCheck.Malformed, LicenceFile.SignaturePart), (result.Check, result.Part));
    }

    [Fact]
    public void A_correctly_signed_body_with_a_missing_field_is_malformed_and_names_the_field()
    {
        using var key = LicenceSigningKey.LoadOrCreate(KeyPath);
        using var verifier = VerifierFor(key);
        var body = LicenceFile.Body(Sample() with { SigningKey = key.Fingerprint }).Replace("time-zone: Europe/Paris\n", "", StringComparison.Ordinal);
        var signature = Convert.ToBase64String(key.Sign(Encoding.UTF8.GetBytes(body)));
        var file = $"{body}-----BEGIN SIGNATURE-----\nalgorithm: ECDSA-P256-SHA256\nsignature: {signature}\n-----END SIGNATURE-----\n";

        var result = verifier.Verify(Encoding.UTF8.GetBytes(file), Day("2027-06-01"));

        Assert.Equal((LicenceCheck.Malformed, "time-zone"), (result.Check, result.Part));
        Assert.Equal("Not valid: the file is damaged or is not a Renewals licence (the field 'time-zone' is missing, repeated or unreadable).", result.Describe(English));
    }

    [Fact]
    public void The_key_is_made_on_first_use_owner_only_with_its_public_key_beside_it_and_reused_after()
    {
        string firstPublicKey;
        using (var first = LicenceSigningKey.LoadOrCreate(KeyPath))
        {
            Assert.True(first.WasCreated);
            firstPublicKey = File.ReadAllText(first.PublicKeyPath);
            Assert.Equal(Path.Combine(Folder, "licence-signing-key.pub.pem"), first.PublicKeyPath);
            Assert.StartsWith("-----BEGIN PUBLIC KEY-----", firstPublicKey, StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(KeyPath), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
            }
        }

        File.Delete(LicenceSigningKey.PublicKeyPathFor(KeyPath));
        using var second = LicenceSigningKey.LoadOrCreate(KeyPath);

        Assert.False(second.WasCreated);
        Assert.Equal(firstPublicKey, File.ReadAllText(second.PublicKeyPath));
        Assert.Equal(firstPublicKey, second.PublicKeyPem + "\n");
        Assert.Empty(Directory.GetFiles(Folder, "*.tmp"));
    }

    [Fact]
    public void A_public_key_cannot_sign()
    {
        using (LicenceSigningKey.LoadOrCreate(KeyPath))
        {
        }

        var refused = Assert.Throws<LicenceException>(() => LicenceSigningKey.LoadOrCreate(LicenceSigningKey.PublicKeyPathFor(KeyPath)));

        Assert.Equal(LicenceException.KeyNotPrivate, refused.Code);
        Assert.EndsWith("ne contient qu'une clé publique ; pour signer des licences, il faut la clé privée.", refused.Describe(French), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_that_holds_no_key_or_another_curve_is_refused()
    {
        File.WriteAllText(KeyPath, "not a key");
        var p384 = Path.Combine(Folder, "p384.pem");
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP384))
        {
            File.WriteAllText(p384, other.ExportPkcs8PrivateKeyPem());
        }

        Assert.Equal(LicenceException.KeyUnreadable, Assert.Throws<LicenceException>(() => LicenceSigningKey.LoadOrCreate(KeyPath)).Code);
        Assert.Equal(LicenceException.KeyWrongCurve, Assert.Throws<LicenceException>(() => LicenceSigningKey.LoadOrCreate(p384)).Code);
        Assert.Equal(LicenceException.KeyUnreadable, Assert.Throws<LicenceException>(() => LicenceVerifier.FromPem(File.ReadAllText(p384), p384)).Code);
    }

    [Fact]
    public void The_default_key_sits_next_to_a_sqlite_file_and_in_the_working_folder_for_postgresql()
    {
        Assert.Equal(Path.Combine(Folder, "licence-signing-key.pem"),
            LicenceSigningKey.DefaultPath(RenewalsDatabase.FromSetting(Path.Combine(Folder, "book.db"))));
        Assert.Equal(Path.GetFullPath("licence-signing-key.pem"),
            LicenceSigningKey.DefaultPath(RenewalsDatabase.FromSetting("Host=localhost;Database=renewals")));
    }
}

public sealed class SqliteLicenceIssuingTests() : LicenceIssuingTests(DatabaseProvider.Sqlite);

public sealed class PostgresLicenceIssuingTests() : LicenceIssuingTests(DatabaseProvider.PostgreSql);

/// <summary>Issuing a term's licence from the stored rights, the same on both databases.</summary>
public abstract class LicenceIssuingTests(DatabaseProvider provider) : DatabaseTest(provider), IDisposable
{
    private readonly string _keys = Directory.CreateTempSubdirectory("renewals-licence-").FullName;

    private LicenceSigningKey? _key;

    private LicenceSigningKey Key => _key ??= LicenceSigningKey.LoadOrCreate(Path.Combine(_keys, "key.pem"));

    public void Dispose()
    {
        _key?.Dispose();
        Directory.Delete(_keys, recursive: true);
        GC.SuppressFinalize(this);
    }

    private async Task<IssuedLicence> IssueAsync(long subscriptionId, int? term = null)
    {
        await using var db = Database.Context();
        return await new LicenceService(db, Clock).IssueAsync(subscriptionId, term, Key, "test");
    }

    private LicenceVerification Verify(IssuedLicence issued, string today)
    {
        using var verifier = LicenceVerifier.FromPem(File.ReadAllText(Key.PublicKeyPath), "test");
        return verifier.Verify(issued.Bytes, Date(today));
    }

    [Fact]
    public async Task The_first_terms_licence_names_the_customer_its_products_and_the_whole_term()
    {
        var subscription = await Book.ExampleAsync();

        var issued = await IssueAsync(subscription.Id);

        var licence = issued.Licence;
        Assert.Equal((subscription.AccountId, "Acme", subscription.Id, 1, "Europe/Paris"),
            (licence.CustomerId, licence.CustomerName, licence.SubscriptionId, licence.TermNumber, licence.TimeZoneId));
        Assert.Equal((Date("2027-01-15"), Date("2030-01-15")), (licence.ValidFrom, licence.ValidUntil));
        Assert.Equal([new LicenceProduct("DSN-PRO", "Product DSN-PRO", 10)], licence.Products);
        Assert.Equal(Clock.GetCurrentInstant(), licence.IssuedAt);
        Assert.Equal(Key.Fingerprint, licence.SigningKey);
        Assert.Matches($"^LIC-{subscription.Id}-1-[0-9a-f]{{8}}$", licence.LicenceId);
        Assert.Equal(LicenceCheck.Valid, Verify(issued, "2027-06-01").Check);
        Assert.Equal(LicenceCheck.Valid, Verify(issued, "2030-01-14").Check);
        Assert.Equal(LicenceCheck.Expired, Verify(issued, "2030-01-15").Check);
        await using var db = Database.Context();
        var audit = await db.Audit.SingleAsync(a => a.Action == "licence.issued");
        Assert.Equal(("test", subscription.Id), (audit.Actor, audit.EntityId));
        Assert.Contains(licence.LicenceId, audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_entitlement_rows_the_first_term_comes_from_the_lines_and_gives_the_same_licence()
    {
        var subscription = await Book.ExampleAsync();
        var fromRows = (await IssueAsync(subscription.Id)).Licence;
        await using (var db = Database.Context())
        {
            await db.Entitlements.Where(e => e.SubscriptionId == subscription.Id).ExecuteDeleteAsync();
        }

        var fromLines = (await IssueAsync(subscription.Id)).Licence;

        Assert.Equal(fromRows with { Products = fromLines.Products }, fromLines);
        Assert.Equal(fromRows.Products, fromLines.Products);
    }

    [Fact]
    public async Task After_the_anniversary_the_current_licence_is_the_renewal_term_and_the_first_ends_on_29_february()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-03-01"), years: 1, delivery: LicenceDelivery.AvailableInWebAccount, quantity: 4);
        await RunOnAsync(Date("2028-03-01"));

        var current = await IssueAsync(subscription.Id);
        var first = await IssueAsync(subscription.Id, term: 1);

        Assert.Equal((2, Date("2028-03-01"), Date("2029-03-01")), (current.Licence.TermNumber, current.Licence.ValidFrom, current.Licence.ValidUntil));
        Assert.Equal(4, Assert.Single(current.Licence.Products).Quantity);
        Assert.Equal((1, Date("2028-02-29")), (first.Licence.TermNumber, first.Licence.LastValidDay));
        Assert.Equal(LicenceCheck.Valid, Verify(first, "2028-02-29").Check);
        Assert.Equal(LicenceCheck.Expired, Verify(first, "2028-03-01").Check);
        Assert.Equal(LicenceCheck.NotYetValid, Verify(current, "2028-02-29").Check);
        Assert.Equal(LicenceCheck.Valid, Verify(current, "2028-03-01").Check);
        Assert.NotEqual(first.Licence.LicenceId, current.Licence.LicenceId);
    }

    [Fact]
    public async Task A_subscription_starting_on_29_february_is_licensed_until_28_february()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2028-02-29"), years: 1);

        var issued = await IssueAsync(subscription.Id);

        Assert.Equal((Date("2028-02-29"), Date("2029-02-28")), (issued.Licence.ValidFrom, issued.Licence.ValidUntil));
        Assert.Equal(LicenceCheck.Valid, Verify(issued, "2029-02-27").Check);
        Assert.Equal(LicenceCheck.Expired, Verify(issued, "2029-02-28").Check);
    }

    [Fact]
    public async Task A_term_not_reached_yet_or_an_unknown_subscription_is_refused()
    {
        var subscription = await Book.ExampleAsync();

        var future = await Assert.ThrowsAsync<LicenceException>(() => IssueAsync(subscription.Id, term: 2));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => IssueAsync(999_999));

        Assert.Equal(LicenceException.NoSuchTerm, future.Code);
        Assert.Equal($"Subscription {subscription.Id} has no term 2: its terms so far run from 1 to 1.", future.Describe(CultureInfo.GetCultureInfo("en")));
        Assert.Equal(DomainErrors.SubscriptionUnknown, unknown.Code);
    }

    [Fact]
    public async Task A_renewal_term_without_rights_is_refused_rather_than_signed_empty()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-03-01"), years: 1);
        await RunOnAsync(Date("2028-03-01"));
        await using (var db = Database.Context())
        {
            await db.Entitlements.Where(e => e.SubscriptionId == subscription.Id && e.TermNumber == 2).ExecuteDeleteAsync();
        }

        var refused = await Assert.ThrowsAsync<LicenceException>(() => IssueAsync(subscription.Id));

        Assert.Equal(LicenceException.NoEntitlements, refused.Code);
        Assert.Equal($"L'abonnement {subscription.Id} n'ouvre aucun droit de licence pour la période 2.", refused.Describe(CultureInfo.GetCultureInfo("fr")));
    }
}
