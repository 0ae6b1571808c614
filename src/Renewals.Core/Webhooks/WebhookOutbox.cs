using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Webhooks;

/// <summary>
/// Something that happened, as webhook receivers hear it. <paramref name="Subject"/> names the
/// row it is about (m12 for milestone 12, notice3, ...): with the type it makes the webhook-id,
/// so the same event is never queued twice for an endpoint.
/// </summary>
public sealed record WebhookEvent(string Type, string Subject, object Data)
{
    public string WebhookId => $"msg_{Subject}.{Type}";
}

/// <summary>An enabled endpoint and the event types it hears.</summary>
public sealed record WebhookSubscriber(long EndpointId, IReadOnlySet<string> Types);

/// <summary>
/// Writes events into the delivery outbox: one row per event and endpoint that hears it, in the
/// caller's transaction, beside the audit row of what it reports, so an event is queued if and
/// only if what it reports is committed. Events that no endpoint hears are not written at all.
/// </summary>
public static class WebhookOutbox
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<IReadOnlyList<WebhookSubscriber>> SubscribersAsync(RenewalsDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled).Select(e => new { e.Id, e.EventTypes }).ToListAsync(ct);
        return [.. rows.Select(r => new WebhookSubscriber(r.Id, ParseTypes(r.EventTypes).ToHashSet(StringComparer.Ordinal)))];
    }

    /// <summary>The rows of <paramref name="events"/> for <paramref name="subscribers"/>, due at once.</summary>
    public static IEnumerable<WebhookDelivery> Deliveries(IReadOnlyList<WebhookSubscriber> subscribers, IEnumerable<WebhookEvent> events, Instant now)
    {
        ArgumentNullException.ThrowIfNull(subscribers);
        ArgumentNullException.ThrowIfNull(events);
        if (subscribers.Count == 0)
        {
            yield break;
        }

        foreach (var e in events)
        {
            string? payload = null;
            foreach (var s in subscribers.Where(s => s.Types.Contains(e.Type)))
            {
                payload ??= Payload(e, now);
                yield return new WebhookDelivery
                {
                    EndpointId = s.EndpointId,
                    WebhookId = e.WebhookId,
                    EventType = e.Type,
                    Payload = payload,
                    Status = WebhookDeliveryStatus.Pending,
                    CreatedAt = now,
                    NextAttemptAt = now,
                };
            }
        }
    }

    /// <summary>Adds the events' rows to <paramref name="db"/>; the caller's SaveChanges writes them with the rest.</summary>
    public static async Task AddAsync(RenewalsDbContext db, Instant now, CancellationToken ct, params WebhookEvent[] events)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.WebhookDeliveries.AddRange(Deliveries(await SubscribersAsync(db, ct), events, now));
    }

    /// <summary>The body: the envelope the specification recommends (type, timestamp, data).</summary>
    public static string Payload(WebhookEvent e, Instant now)
    {
        ArgumentNullException.ThrowIfNull(e);
        return JsonSerializer.Serialize(new { type = e.Type, timestamp = InstantPattern.General.Format(now), data = e.Data }, Json);
    }

    public static IEnumerable<string> ParseTypes(string stored) =>
        (stored ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
