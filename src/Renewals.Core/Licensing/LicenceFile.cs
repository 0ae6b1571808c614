using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace Renewals.Core.Licensing;

/// <summary>
/// The licence file: a readable body of <c>key: value</c> lines (UTF-8, LF line ends), then a
/// signature block. The signature is ECDSA P-256 over SHA-256 of the exact bytes of the body,
/// from the first byte up to and including the line end before <c>-----BEGIN SIGNATURE-----</c>.
/// <code>
/// # Renewals licence. ...
/// format: renewals-licence/1
/// licence-id: LIC-42-3-1f0c9a2b
/// issued-at: 2026-12-01T12:00:00Z
/// customer: Acme
/// customer-id: 7
/// subscription-id: 42
/// term: 3
/// time-zone: Europe/Paris
/// valid-from: 2030-01-15
/// valid-until: 2031-01-15
/// product.1.code: DSN-PRO
/// product.1.name: Design Pro
/// product.1.quantity: 10
/// signing-key: sha256:&lt;hex of the public key's SHA-256&gt;
/// -----BEGIN SIGNATURE-----
/// algorithm: ECDSA-P256-SHA256
/// signature: &lt;base64 of r || s, 64 bytes&gt;
/// -----END SIGNATURE-----
/// </code>
/// Values are on one line: a backslash, a line break or another control character in a
/// value is escaped (<c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\uXXXX</c>).
/// </summary>
public static class LicenceFile
{
    public const string Format = "renewals-licence/1";
    public const string Algorithm = "ECDSA-P256-SHA256";
    public const string BeginSignature = "-----BEGIN SIGNATURE-----";
    public const string EndSignature = "-----END SIGNATURE-----";

    /// <summary>The part names a malformed file is reported with, besides the body's field names.</summary>
    public const string LayoutPart = "layout";
    public const string SignaturePart = "signature";
    public const string BodyPart = "body";

    internal static readonly string[] Header =
    [
        "# Renewals licence. Check it offline: renewals licence verify FILE --public-key KEY.pub.pem",
        "# Dates are the customer's calendar dates: valid from valid-from up to, not including, valid-until.",
    ];

    private static readonly byte[] SignatureMarker = Encoding.ASCII.GetBytes("\n" + BeginSignature + "\n");

    private static readonly string[] Fields =
        ["format", "licence-id", "issued-at", "customer", "customer-id", "subscription-id", "term", "time-zone", "valid-from", "valid-until", "signing-key"];

    /// <summary>The body: what is signed and what a person reads.</summary>
    public static string Body(Licence licence)
    {
        ArgumentNullException.ThrowIfNull(licence);
        var body = new StringBuilder();
        foreach (var line in Header)
        {
            body.Append(line).Append('\n');
        }

        void Line(string key, string value) => body.Append(key).Append(": ").Append(Escape(value)).Append('\n');
        Line("format", Format);
        Line("licence-id", licence.LicenceId);
        Line("issued-at", InstantPattern.ExtendedIso.Format(licence.IssuedAt));
        Line("customer", licence.CustomerName);
        Line("customer-id", Number(licence.CustomerId));
        Line("subscription-id", Number(licence.SubscriptionId));
        Line("term", Number(licence.TermNumber));
        Line("time-zone", licence.TimeZoneId);
        Line("valid-from", LocalDatePattern.Iso.Format(licence.ValidFrom));
        Line("valid-until", LocalDatePattern.Iso.Format(licence.ValidUntil));
        for (var i = 0; i < licence.Products.Count; i++)
        {
            var product = licence.Products[i];
            var prefix = $"product.{Number(i + 1)}.";
            Line(prefix + "code", product.Code);
            Line(prefix + "name", product.Name);
            Line(prefix + "quantity", Number(product.Quantity));
        }

        Line("signing-key", licence.SigningKey);
        return body.ToString();
    }

    /// <summary>The whole file: the body signed with <paramref name="key"/>.</summary>
    public static string Write(Licence licence, LicenceSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var body = Body(licence);
        var signature = key.Sign(Encoding.UTF8.GetBytes(body));
        return body
            + BeginSignature + "\n"
            + "algorithm: " + Algorithm + "\n"
            + "signature: " + Convert.ToBase64String(signature) + "\n"
            + EndSignature + "\n";
    }

    /// <summary>
    /// Splits a file into its body bytes and its signature. Null with the failing part when
    /// the layout or the signature block is not exactly as <see cref="Write"/> makes it.
    /// </summary>
    internal static (byte[]? Body, byte[]? Signature, string? Part) Split(ReadOnlySpan<byte> file)
    {
        var marker = file.IndexOf(SignatureMarker);
        if (marker < 0)
        {
            return (null, null, LayoutPart);
        }

        var body = file[..(marker + 1)].ToArray();
        var block = file[(marker + SignatureMarker.Length)..];
        if (!Ascii.IsValid(block))
        {
            return (null, null, SignaturePart);
        }

        var lines = Encoding.ASCII.GetString(block).Split('\n');
        const string SignaturePrefix = "signature: ";
        if (lines.Length != 4 || lines[0] != "algorithm: " + Algorithm || !lines[1].StartsWith(SignaturePrefix, StringComparison.Ordinal)
            || lines[2] != EndSignature || lines[3].Length != 0)
        {
            return (null, null, SignaturePart);
        }

        var encoded = lines[1][SignaturePrefix.Length..];
        var signature = new byte[64];
        // Only the canonical encoding is accepted: base64 tolerates spaces and unused low bits,
        // which would let a changed byte go unnoticed.
        if (!Convert.TryFromBase64String(encoded, signature, out var length) || length != signature.Length
            || Convert.ToBase64String(signature) != encoded)
        {
            return (null, null, SignaturePart);
        }

        return (body, signature, null);
    }

    /// <summary>
    /// Reads a body back into a licence (only after its signature was checked). Null with the
    /// first field that is missing, repeated or unreadable.
    /// </summary>
    internal static (Licence? Licence, string? Part) Parse(byte[] body)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return (null, BodyPart);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text[..^1].Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var separator = line.IndexOf(": ", StringComparison.Ordinal);
            if (separator <= 0)
            {
                return (null, BodyPart);
            }

            var key = line[..separator];
            var value = Unescape(line[(separator + 2)..]);
            if (value is null || !values.TryAdd(key, value))
            {
                return (null, key);
            }
        }

        var missing = Fields.FirstOrDefault(f => !values.ContainsKey(f));
        if (missing is not null)
        {
            return (null, missing);
        }

        if (values["format"] != Format)
        {
            return (null, "format");
        }

        if (!InstantPattern.ExtendedIso.Parse(values["issued-at"]).TryGetValue(default, out var issuedAt))
        {
            return (null, "issued-at");
        }

        if (!TryLong(values["customer-id"], out var customerId))
        {
            return (null, "customer-id");
        }

        if (!TryLong(values["subscription-id"], out var subscriptionId))
        {
            return (null, "subscription-id");
        }

        if (!TryLong(values["term"], out var term) || term > int.MaxValue)
        {
            return (null, "term");
        }

        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(values["time-zone"]) is null)
        {
            return (null, "time-zone");
        }

        if (!LocalDatePattern.Iso.Parse(values["valid-from"]).TryGetValue(default, out var validFrom))
        {
            return (null, "valid-from");
        }

        if (!LocalDatePattern.Iso.Parse(values["valid-until"]).TryGetValue(default, out var validUntil) || validUntil <= validFrom)
        {
            return (null, "valid-until");
        }

        var products = new List<LicenceProduct>();
        for (var i = 1; values.ContainsKey($"product.{Number(i)}.code"); i++)
        {
            var prefix = $"product.{Number(i)}.";
            if (!values.TryGetValue(prefix + "name", out var name))
            {
                return (null, prefix + "name");
            }

            if (!values.TryGetValue(prefix + "quantity", out var quantityText) || !TryLong(quantityText, out var quantity) || quantity > int.MaxValue)
            {
                return (null, prefix + "quantity");
            }

            products.Add(new LicenceProduct(values[prefix + "code"], name, (int)quantity));
        }

        if (products.Count == 0)
        {
            return (null, "product.1.code");
        }

        var known = Fields.Length + (products.Count * 3);
        if (values.Count != known)
        {
            return (null, values.Keys.First(k => !Fields.Contains(k) && !IsProductKey(k, products.Count)));
        }

        return (new Licence(values["licence-id"], issuedAt, customerId, values["customer"], subscriptionId, (int)term, values["time-zone"],
            validFrom, validUntil, products, values["signing-key"]), null);
    }

    /// <summary>The signing key a body names, read without trusting it (to word a mismatch).</summary>
    internal static string? SigningKeyOf(byte[] body)
    {
        const string Prefix = "\nsigning-key: ";
        var text = Encoding.UTF8.GetString(body);
        var at = text.LastIndexOf(Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var end = text.IndexOf('\n', at + 1);
        return end < 0 ? null : text[(at + Prefix.Length)..end];
    }

    /// <summary>A short stable id: the subscription, the term, and a digest of what is licensed.</summary>
    internal static string LicenceIdFor(long subscriptionId, int term, LocalDate validFrom, LocalDate validUntil, IEnumerable<LicenceProduct> products)
    {
        var canonical = string.Join('\n', [
            Number(subscriptionId), Number(term), LocalDatePattern.Iso.Format(validFrom), LocalDatePattern.Iso.Format(validUntil),
            .. products.Select(p => $"{p.Code}={Number(p.Quantity)}")]);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..8];
        return $"LIC-{Number(subscriptionId)}-{Number(term)}-{digest}";
    }

    private static bool IsProductKey(string key, int count) =>
        Enumerable.Range(1, count).Any(i => key == $"product.{Number(i)}.code" || key == $"product.{Number(i)}.name" || key == $"product.{Number(i)}.quantity");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool TryLong(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && Number(value) == text && value > 0;

    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => escaped.Append(@"\\"),
                '\n' => escaped.Append(@"\n"),
                '\r' => escaped.Append(@"\r"),
                '\t' => escaped.Append(@"\t"),
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' => escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    private static string? Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\')
            {
                text.Append(value[i]);
                continue;
            }

            if (++i >= value.Length)
            {
                return null;
            }

            switch (value[i])
            {
                case '\\': text.Append('\\'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u' when i + 4 < value.Length
                    && int.TryParse(value.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    text.Append((char)code);
                    i += 4;
                    break;
                default: return null;
            }
        }

        return text.ToString();
    }
}
