using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Administration;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Webhooks;

public sealed record NewWebhookEndpoint(string Url, IReadOnlyCollection<string> EventTypes);

/// <summary>An endpoint as the admin sees it; the secret is shown so the receiver can be set up with it.</summary>
public sealed record WebhookEndpointView(
    long Id, string Url, string Secret, IReadOnlyList<string> EventTypes, bool Enabled, Instant CreatedAt, int Pending, int Delivered, int Failed);

public sealed record WebhookDeliveryView(
    long Id, long EndpointId, string WebhookId, string EventType, WebhookDeliveryStatus Status, int Attempts, Instant CreatedAt,
    Instant NextAttemptAt, Instant? DeliveredAt, string? LastError, IReadOnlyList<WebhookAttemptView> Log);

/// <summary>
/// The administrators' webhooks: endpoints added, switched off and on, removed; the delivery
/// log of each; a delivery sent again on request. Every change leaves an audit row.
/// </summary>
public sealed class WebhookAdminService(RenewalsDbContext db, IClock clock, WebhookDispatcher dispatcher)
{
    public const int LogPageSize = 50;

    public async Task<WebhookEndpointView> AddAsync(Actor actor, NewWebhookEndpoint endpoint, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(endpoint);
        actor.RequireAdministrator();
        var url = endpoint.Url?.Trim() ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || url.Length > 2000)
        {
            throw new DomainException(DomainErrors.WebhookUrlInvalid, url);
        }

        if (!dispatcher.Options.AllowPrivateNetworks && WebhookNetwork.NamesPrivateHost(uri))
        {
            throw new DomainException(DomainErrors.WebhookUrlPrivate, url);
        }

        var types = endpoint.EventTypes.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            throw new DomainException(DomainErrors.WebhookEventTypesRequired);
        }

        if (types.FirstOrDefault(t => !WebhookEventTypes.IsKnown(t)) is { } unknown)
        {
            throw new DomainException(DomainErrors.WebhookEventTypeUnknown, unknown, string.Join(", ", WebhookEventTypes.All));
        }

        var now = clock.GetCurrentInstant();
        var row = new WebhookEndpoint
        {
            Url = uri.ToString(),
            Secret = StandardWebhooks.NewSecret(),
            // Kept in the list's order, so the page and the command line show them the same way.
            EventTypes = string.Join(",", WebhookEventTypes.All.Where(types.Contains)),
            Enabled = true,
            CreatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.WebhookEndpoints.Add(row);
        await db.SaveChangesAsync(ct);
        Audit(actor, "webhook-endpoint.added", AuditEntities.WebhookEndpoint, row.Id, $"{row.Url} hears {row.EventTypes}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (await ListAsync(actor, ct)).Single(e => e.Id == row.Id);
    }

    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var rows = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Id).ToListAsync(ct);
        var counts = await db.WebhookDeliveries.AsNoTracking()
            .GroupBy(d => new { d.EndpointId, d.Status })
            .Select(g => new { g.Key.EndpointId, g.Key.Status, Count = g.Count() })
            .ToListAsync(ct);
        int Count(long id, WebhookDeliveryStatus status) => counts.FirstOrDefault(c => c.EndpointId == id && c.Status == status)?.Count ?? 0;
        return [.. rows.Select(r => new WebhookEndpointView(r.Id, r.Url, r.Secret, [.. WebhookOutbox.ParseTypes(r.EventTypes)], r.Enabled, r.CreatedAt,
            Count(r.Id, WebhookDeliveryStatus.Pending), Count(r.Id, WebhookDeliveryStatus.Delivered), Count(r.Id, WebhookDeliveryStatus.Failed)))];
    }

    /// <summary>Switches an endpoint off (it hears nothing new; what is queued still goes) or on again.</summary>
    public async Task SetEnabledAsync(Actor actor, long endpointId, bool enabled, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var row = await FindAsync(endpointId, ct);
        row.Enabled = enabled;
        Audit(actor, enabled ? "webhook-endpoint.enabled" : "webhook-endpoint.disabled", AuditEntities.WebhookEndpoint, row.Id, row.Url);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Removes an endpoint with its deliveries and their log.</summary>
    public async Task RemoveAsync(Actor actor, long endpointId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var row = await FindAsync(endpointId, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var deliveries = db.WebhookDeliveries.Where(d => d.EndpointId == endpointId);
        await db.WebhookAttempts.Where(a => deliveries.Any(d => d.Id == a.DeliveryId)).ExecuteDeleteAsync(ct);
        await deliveries.ExecuteDeleteAsync(ct);
        db.WebhookEndpoints.Remove(row);
        Audit(actor, "webhook-endpoint.removed", AuditEntities.WebhookEndpoint, row.Id, row.Url);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>An endpoint's latest deliveries, newest first, each with its attempts.</summary>
    public async Task<IReadOnlyList<WebhookDeliveryView>> DeliveriesAsync(Actor actor, long endpointId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        _ = await FindAsync(endpointId, ct);
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.Id).Take(LogPageSize).ToListAsync(ct);
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.Id).ToListAsync(ct))
            .ToLookup(a => a.DeliveryId);
        return [.. deliveries.Select(d => new WebhookDeliveryView(d.Id, d.EndpointId, d.WebhookId, d.EventType, d.Status, d.Attempts, d.CreatedAt,
            d.NextAttemptAt, d.DeliveredAt, d.LastError, [.. attempts[d.Id].Select(WebhookDispatcher.View)]))];
    }

    /// <summary>Sends a delivery again now, with its webhook-id, and says what the receiver answered.</summary>
    public async Task<WebhookAttemptView> ReplayAsync(Actor actor, long deliveryId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
        var attempt = await dispatcher.ReplayAsync(deliveryId, clock.GetCurrentInstant(), ct);
        Audit(actor, "webhook-delivery.replayed", AuditEntities.WebhookDelivery, deliveryId,
            attempt.StatusCode is { } code ? $"HTTP {code}" : attempt.Error);
        await db.SaveChangesAsync(ct);
        return attempt;
    }

    private async Task<WebhookEndpoint> FindAsync(long endpointId, CancellationToken ct) =>
        await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId, ct)
        ?? throw new DomainException(DomainErrors.WebhookEndpointUnknown, endpointId);

    private void Audit(Actor actor, string action, string entity, long id, string? details) =>
        db.Audit.Add(new AuditEntry { At = clock.GetCurrentInstant(), Actor = actor.AuditName, Action = action, Entity = entity, EntityId = id, Details = details });
}
