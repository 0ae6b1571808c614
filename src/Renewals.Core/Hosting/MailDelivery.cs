using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Messaging;
using Renewals.Data;

namespace Renewals.Core.Hosting;

/// <summary>
/// Delivers the outbox the configured way: SMTP when a host is set, otherwise .eml files in the
/// pickup folder ("pickup" beside the SQLite file, or in the working folder for PostgreSQL).
/// </summary>
public sealed class MailDelivery(IOptions<RenewalsOptions> options, IOptions<SmtpOptions> smtp, RenewalsDatabase database, MessageComposer composer, Invoicing.Seller seller)
{
    public string PickupFolder =>
        options.Value.PickupFolder
        ?? Path.Combine(database.SqliteFile is { } file ? Path.GetDirectoryName(file)! : Directory.GetCurrentDirectory(), "pickup");

    public IMailTransport CreateTransport()
    {
        var s = smtp.Value;
        return string.IsNullOrEmpty(s.Host)
            ? new PickupFolderTransport(PickupFolder)
            : new SmtpTransport(new SmtpSettings(s.Host, s.Port, s.Tls, s.User, s.Password));
    }

    /// <summary>A dispatcher over <paramref name="transport"/>, for a caller that delivers several times over one transport.</summary>
    public OutboxDispatcher Dispatcher(IMailTransport transport) => new(database, composer, transport, seller);

    /// <summary>Sends what is due at <paramref name="now"/>.</summary>
    public async Task<DispatchResult> DispatchAsync(Instant now, CancellationToken ct)
    {
        await using var transport = CreateTransport();
        return await new OutboxDispatcher(database, composer, transport, seller).DispatchAsync(now, ct);
    }
}
