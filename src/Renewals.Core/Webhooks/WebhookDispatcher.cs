using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Webhooks;

/// <summary>How webhooks are delivered: attempts, their spacing and how long a receiver may take.</summary>
public sealed record WebhookOptions
{
    /// <summary>Attempts before a delivery is given up (Failed); an admin can still replay it.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>The wait after the first failure; each further failure doubles it.</summary>
    public Duration FirstRetry { get; init; } = Duration.FromSeconds(30);

    /// <summary>No wait grows beyond this.</summary>
    public Duration LongestRetry { get; init; } = Duration.FromHours(12);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public int BatchSize { get; init; } = 100;

    /// <summary>Whether receivers may sit on loopback or a private network (see <see cref="WebhookNetwork"/>); off unless the operator says so.</summary>
    public bool AllowPrivateNetworks { get; init; }

    public Duration RetryDelay(int attempts)
    {
        var doubled = FirstRetry * Math.Pow(2, Math.Min(Math.Max(attempts - 1, 0), 30));
        return doubled < LongestRetry ? doubled : LongestRetry;
    }
}

/// <summary>What one pass of the webhook dispatcher did.</summary>
public sealed record WebhookDispatchResult(int Delivered, int Retrying, int Failed);

/// <summary>What one attempt gave.</summary>
public sealed record WebhookAttemptView(long Id, long DeliveryId, Instant At, int? StatusCode, string? ResponseExcerpt, string? Error, long DurationMs, bool IsReplay)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Delivers the webhook outbox, signed as the Standard Webhooks specification says: at least
/// once, the same webhook-id on every attempt, a 2xx answer within the timeout as success,
/// anything else retried after an exponentially growing wait, given up after the last attempt.
/// Every attempt is logged with its status code, the start of the answer, the error and the
/// time it took. As in the mail outbox, each delivery is claimed, sent and recorded in its own
/// transaction (FOR UPDATE SKIP LOCKED on PostgreSQL; one dispatcher at a time on SQLite).
/// A pass's instant is only its cut-off (what is due); each delivery is stamped with
/// the clock's reading when it is attempted (the signed webhook-timestamp, the
/// attempt, DeliveredAt and the retry count from it): receivers refuse a timestamp a few minutes
/// old, and a pass with a backlog lasts longer. The clock is required: a pass at a fixed simulated
/// instant (tests, the bench) hands in a clock standing at that instant.
/// </summary>
public sealed class WebhookDispatcher(RenewalsDatabase database, IHttpClientFactory httpClients, IClock clock, WebhookOptions? options = null)
{
    /// <summary>The named HttpClient deliveries use (no automatic redirects: a receiver answers where it was registered).</summary>
    public const string HttpClientName = "webhooks";

    private const int ExcerptLength = 500;

    public WebhookOptions Options { get; } = options ?? new WebhookOptions();

    /// <summary>Tries every delivery due at <paramref name="dueBy"/> once.</summary>
    public async Task<WebhookDispatchResult> DispatchAsync(Instant dueBy, CancellationToken ct = default)
    {
        using var workerLock = EngineLock.Acquire(database, "webhooks");
        int delivered = 0, retrying = 0, failed = 0;
        var after = 0L;
        // One client for the pass: the factory's handler pools the connections either way.
        var client = httpClients.CreateClient(HttpClientName);
        while (true)
        {
            List<long> due;
            Dictionary<long, WebhookEndpoint> endpoints;
            await using (var db = database.CreateContext())
            {
                due = await db.WebhookDeliveries.AsNoTracking()
                    .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= dueBy && d.Id > after)
                    .OrderBy(d => d.Id).Take(Options.BatchSize).Select(d => d.Id).ToListAsync(ct);
                if (due.Count == 0)
                {
                    break;
                }

                // The batch's endpoints in one query, not one a delivery (a handful of rows at most).
                var first = due[0];
                var last = due[^1];
                endpoints = await db.WebhookEndpoints.AsNoTracking()
                    .Where(e => db.WebhookDeliveries.Any(d => d.EndpointId == e.Id && d.Id >= first && d.Id <= last))
                    .ToDictionaryAsync(e => e.Id, ct);
            }

            foreach (var id in due)
            {
                after = id;
                switch (await DeliverOneAsync(id, dueBy, endpoints, client, ct))
                {
                    case WebhookDeliveryStatus.Delivered:
                        delivered++;
                        break;
                    case WebhookDeliveryStatus.Pending:
                        retrying++;
                        break;
                    case WebhookDeliveryStatus.Failed:
                        failed++;
                        break;
                }
            }
        }

        return new WebhookDispatchResult(delivered, retrying, failed);
    }

    /// <summary>
    /// Sends a delivery again now, whatever its state, with its webhook-id (a receiver that
    /// already has it can drop it). Counts as an attempt beyond the schedule: a success marks
    /// it delivered, a failure leaves its state as it was.
    /// </summary>
    public async Task<WebhookAttemptView> ReplayAsync(long deliveryId, Instant now, CancellationToken ct = default)
    {
        await using var db = database.CreateContext();
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, ct)
            ?? throw new Domain.DomainException(Domain.DomainErrors.WebhookDeliveryUnknown, deliveryId);
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == delivery.EndpointId, ct);
        var attempt = await SendAsync(httpClients.CreateClient(HttpClientName), endpoint, delivery, now, ct);
        attempt.IsReplay = true;
        db.WebhookAttempts.Add(attempt);
        if (IsSuccess(attempt))
        {
            delivery.Status = WebhookDeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
            delivery.LastError = null;
        }

        await db.SaveChangesAsync(ct);
        return View(attempt);
    }

    private async Task<WebhookDeliveryStatus?> DeliverOneAsync(long id, Instant dueBy, Dictionary<long, WebhookEndpoint> endpoints, HttpClient client, CancellationToken ct)
    {
        await using var db = database.CreateContext();
        // One open connection for the whole delivery: on SQLite each open runs the pragmas again,
        // and a delivery reads several times before it writes.
        await db.Database.OpenConnectionAsync(ct);
        // One SaveChanges ends the transaction, and nothing runs in it after a failed one: the
        // savepoint EF Core would set around it inside a transaction costs two round trips for nothing.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = database.Provider == DatabaseProvider.PostgreSql ? await db.Database.BeginTransactionAsync(ct) : null;
        var delivery = database.Provider == DatabaseProvider.PostgreSql
            ? await db.WebhookDeliveries
                .FromSql($"""
                    SELECT * FROM webhook_deliveries
                    WHERE id = {id} AND status = 0 AND next_attempt_at <= {dueBy}
                    FOR UPDATE SKIP LOCKED
                    """)
                .SingleOrDefaultAsync(ct)
            : await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == id && d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= dueBy, ct);
        if (delivery is null)
        {
            return null;
        }

        var endpoint = endpoints.GetValueOrDefault(delivery.EndpointId)
            ?? await db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == delivery.EndpointId, ct);
        delivery.Attempts++;
        // Read once the delivery is claimed: the instant this attempt is made, not the pass's.
        var now = clock.GetCurrentInstant();
        var attempt = await SendAsync(client, endpoint, delivery, now, ct);
        db.WebhookAttempts.Add(attempt);
        if (IsSuccess(attempt))
        {
            delivery.Status = WebhookDeliveryStatus.Delivered;
            delivery.DeliveredAt = now;
            delivery.LastError = null;
        }
        else
        {
            delivery.LastError = attempt.Error ?? $"HTTP {attempt.StatusCode}";
            if (delivery.Attempts >= Options.MaxAttempts)
            {
                delivery.Status = WebhookDeliveryStatus.Failed;
            }
            else
            {
                delivery.NextAttemptAt = now + Options.RetryDelay(delivery.Attempts);
            }
        }

        // Recorded even when the pass is being cancelled (the host stops): a delivery made and not
        // recorded would go again (the receiver can drop it by its webhook-id, but need not see it).
        await db.SaveChangesAsync(CancellationToken.None);
        if (transaction is not null)
        {
            await transaction.CommitAsync(CancellationToken.None);
        }

        return delivery.Status;
    }

    /// <summary>One signed POST; never throws for what the receiver or the network does.</summary>
    private async Task<WebhookAttempt> SendAsync(HttpClient client, WebhookEndpoint endpoint, WebhookDelivery delivery, Instant now, CancellationToken ct)
    {
        var timestamp = now.ToUnixTimeSeconds();
        var attempt = new WebhookAttempt { DeliveryId = delivery.Id, At = now };
        var watch = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.WebhookId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", StandardWebhooks.Sign(endpoint.Secret, delivery.WebhookId, timestamp, delivery.Payload));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.Timeout);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            attempt.StatusCode = (int)response.StatusCode;
            attempt.ResponseExcerpt = await ExcerptAsync(response, timeout.Token);
            if (!IsSuccess(attempt))
            {
                attempt.Error = $"HTTP {attempt.StatusCode} {response.ReasonPhrase}".Trim();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            attempt.Error = $"no answer within {Options.Timeout.TotalSeconds:0} s";
        }
        catch (Exception failure) when (failure is HttpRequestException or InvalidOperationException or UriFormatException or IOException)
        {
            attempt.Error = Clip($"{failure.GetType().Name}: {failure.Message}");
        }

        attempt.DurationMs = watch.ElapsedMilliseconds;
        return attempt;
    }

    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        // Only the start is kept: a receiver that answers with a whole page must not fill the log.
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new char[ExcerptLength];
        using var reader = new StreamReader(body, Encoding.UTF8);
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return read == 0 ? null : new string(buffer, 0, read);
    }

    private static bool IsSuccess(WebhookAttempt attempt) => attempt.StatusCode is >= 200 and < 300;

    private static string Clip(string text) => text.Length > ExcerptLength ? text[..ExcerptLength] : text;

    internal static WebhookAttemptView View(WebhookAttempt a) =>
        new(a.Id, a.DeliveryId, a.At, a.StatusCode, a.ResponseExcerpt, a.Error, a.DurationMs, a.IsReplay);
}
