using System.Globalization;
using System.Security.Cryptography;
using NodaTime;

namespace Renewals.Core.Licensing;

/// <summary>Why a licence file is, or is not, valid.</summary>
public enum LicenceCheck
{
    /// <summary>Signed by the key given, and the date falls inside its validity.</summary>
    Valid,

    /// <summary>Not a licence file as Renewals writes one; <see cref="LicenceVerification.Part"/> names what is wrong.</summary>
    Malformed,

    /// <summary>The signature does not match the body: the file was changed after it was signed.</summary>
    SignatureMismatch,

    /// <summary>The signature does not match and the file names another signing key than the one given.</summary>
    SignedByAnotherKey,

    /// <summary>Authentic, but its validity starts after the date checked.</summary>
    NotYetValid,

    /// <summary>Authentic, but its last valid day is before the date checked.</summary>
    Expired,
}

/// <summary>The outcome of checking a licence file, with what a person needs to understand it.</summary>
public sealed record LicenceVerification(
    LicenceCheck Check,
    Licence? Licence = null,
    LocalDate? Date = null,
    string? Part = null,
    string? FileKey = null,
    string? GivenKey = null)
{
    public bool IsValid => Check == LicenceCheck.Valid;

    /// <summary>One sentence in the user's language: the verdict and why.</summary>
    public string Describe(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return Check switch
        {
            LicenceCheck.Valid => LicenceText.Format("Verify.Valid", culture,
                Licence!.LicenceId, Licence.CustomerName, Licence.SubscriptionId, Licence.TermNumber, Licence.ValidFrom, Licence.LastValidDay),
            LicenceCheck.Malformed => LicenceText.Format("Verify.Malformed", culture, DescribePart(culture)),
            LicenceCheck.SignatureMismatch => LicenceText.Format("Verify.SignatureMismatch", culture),
            LicenceCheck.SignedByAnotherKey => LicenceText.Format("Verify.SignedByAnotherKey", culture, Short(FileKey), Short(GivenKey)),
            LicenceCheck.NotYetValid => LicenceText.Format("Verify.NotYetValid", culture, Licence!.LicenceId, Licence.ValidFrom, Date!.Value),
            LicenceCheck.Expired => LicenceText.Format("Verify.Expired", culture, Licence!.LicenceId, Licence.LastValidDay, Date!.Value),
        };
    }

    private string DescribePart(CultureInfo culture) => Part switch
    {
        LicenceFile.LayoutPart => LicenceText.Get("Part.Layout", culture),
        LicenceFile.SignaturePart => LicenceText.Get("Part.Signature", culture),
        LicenceFile.BodyPart => LicenceText.Get("Part.Body", culture),
        _ => LicenceText.Format("Part.Field", culture, Part ?? ""),
    };

    /// <summary>Enough of a fingerprint to tell two keys apart in a sentence.</summary>
    private static string Short(string? fingerprint) =>
        fingerprint is null ? "?" : fingerprint.Length > 23 ? fingerprint[..23] + "…" : fingerprint;
}

/// <summary>
/// Checks licence files offline with the public key alone: the signature over the body's exact
/// bytes first (so any change is reported as such), then the content, then the dates.
/// </summary>
public sealed class LicenceVerifier : IDisposable
{
    private readonly ECDsa _publicKey;
    private readonly string _fingerprint;

    private LicenceVerifier(ECDsa publicKey)
    {
        _publicKey = publicKey;
        _fingerprint = LicenceSigningKey.FingerprintOf(publicKey);
    }

    /// <summary>A verifier for the P-256 public key in <paramref name="pem"/> (a <c>.pub.pem</c> file's text).</summary>
    /// <exception cref="LicenceException">The text holds no P-256 key.</exception>
    public static LicenceVerifier FromPem(string pem, string source)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return LicenceSigningKey.ImportP256(pem) is { } key
            ? new LicenceVerifier(key)
            : throw new LicenceException(LicenceException.KeyUnreadable, source);
    }

    /// <summary>Checks <paramref name="file"/> on <paramref name="today"/>.</summary>
    public LicenceVerification Verify(ReadOnlySpan<byte> file, LocalDate today) => Verify(file, _ => today);

    /// <summary>Checks <paramref name="file"/> at <paramref name="now"/>, on the customer's date in the licence's time zone.</summary>
    public LicenceVerification Verify(ReadOnlySpan<byte> file, Instant now) =>
        Verify(file, licence => now.InZone(DateTimeZoneProviders.Tzdb[licence.TimeZoneId]).Date);

    public void Dispose() => _publicKey.Dispose();

    private LicenceVerification Verify(ReadOnlySpan<byte> file, Func<Licence, LocalDate> today)
    {
        var (body, signature, part) = LicenceFile.Split(file);
        if (body is null || signature is null)
        {
            return new LicenceVerification(LicenceCheck.Malformed, Part: part);
        }

        if (!_publicKey.VerifyData(body, signature, HashAlgorithmName.SHA256))
        {
            var named = LicenceFile.SigningKeyOf(body);
            return named is not null && named != _fingerprint
                ? new LicenceVerification(LicenceCheck.SignedByAnotherKey, FileKey: named, GivenKey: _fingerprint)
                : new LicenceVerification(LicenceCheck.SignatureMismatch, FileKey: named, GivenKey: _fingerprint);
        }

        var (licence, field) = LicenceFile.Parse(body);
        if (licence is null)
        {
            return new LicenceVerification(LicenceCheck.Malformed, Part: field);
        }

        var date = today(licence);
        var check = date < licence.ValidFrom ? LicenceCheck.NotYetValid
            : date >= licence.ValidUntil ? LicenceCheck.Expired
            : LicenceCheck.Valid;
        return new LicenceVerification(check, licence, date, FileKey: licence.SigningKey, GivenKey: _fingerprint);
    }
}
