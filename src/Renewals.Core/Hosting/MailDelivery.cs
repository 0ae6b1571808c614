using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Messaging;
using Renewals.Data;

namespace Renewals.Core.Hosting;

/// <summary>
/// Delivers the outbox the configured way: SMTP when a host is set, otherwise .eml files in the
/// pickup folder ("pickup" beside the SQLite file, or in the working folder for PostgreSQL).
/// </summary>
public sealed class MailDelivery(IOptions<RenewalsOptions> options, IOptions<SmtpOptions> smtp, RenewalsDatabase database, MessageComposer composer, IClock clock, Invoicing.Seller seller)
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

    /// <summary>
    /// A dispatcher over <paramref name="transport"/>, for a caller that delivers several times over one transport;
    /// its deliveries are stamped by the service's clock, the host's one (the command line's stands at a simulated instant when a command says so).
    /// </summary>
    public OutboxDispatcher Dispatcher(IMailTransport transport) => new(database, composer, transport, seller, clock);

    /// <summary>Sends what is due at <paramref name="dueBy"/>, each message stamped with the clock's reading when it is sent.</summary>
    public async Task<DispatchResult> DispatchAsync(Instant dueBy, CancellationToken ct)
    {
        await using var transport = CreateTransport();
        return await new OutboxDispatcher(database, composer, transport, seller, clock).DispatchAsync(dueBy, ct);
    }
}
