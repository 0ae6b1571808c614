using MimeKit;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Messaging;

/// <summary>How messages are addressed and delivered.</summary>
public sealed record DeliveryOptions
{
    public string FromName { get; init; } = "Renewals";

    public string FromAddress { get; init; } = "renewals@vendor.example";

    /// <summary>The customer web account, linked from every message.</summary>
    public string PortalUrl { get; init; } = "http://localhost:5000";

    /// <summary>Attempts before a message is dead-lettered.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>The wait after the first failure; it doubles after each further one.</summary>
    public Duration FirstRetryDelay { get; init; } = Duration.FromMinutes(1);

    public Duration MaxRetryDelay { get; init; } = Duration.FromHours(6);

    /// <summary>Messages claimed per transaction.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>
    /// What <see cref="DeliveryWorkers"/> is unless configured (<c>RENEWALS_DELIVERY_WORKERS</c>): two. Warm, on a
    /// 2-core machine, two delivered faster than one on SQLite and on PostgreSQL (docs/performance.md).
    /// </summary>
    public const int DefaultDeliveryWorkers = 2;

    /// <summary>Messages delivered at the same time by one dispatcher, each over its own SMTP connection.</summary>
    public int DeliveryWorkers { get; init; } = DefaultDeliveryWorkers;

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1, after <paramref name="attempts"/> failures.</summary>
    public Duration RetryDelay(int attempts)
    {
        var delay = FirstRetryDelay;
        for (var i = 1; i < attempts && delay < MaxRetryDelay; i++)
        {
            delay += delay;
        }

        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    /// <summary>The domain of <see cref="FromAddress"/>: the right side of every Message-ID sent.</summary>
    public string SenderDomain => FromAddress.LastIndexOf('@') is var at and >= 0 && at < FromAddress.Length - 1
        ? FromAddress[(at + 1)..].Trim().TrimEnd('>')
        : "renewals.invalid";

    /// <summary>
    /// The Message-ID as sent, without angle brackets: the stored id's left side (unique and fixed
    /// when the message was written, so retries keep it) at the sender's domain.
    /// </summary>
    public string WireMessageId(string storedMessageId)
    {
        ArgumentNullException.ThrowIfNull(storedMessageId);
        var id = storedMessageId.Trim().Trim('<', '>');
        var at = id.LastIndexOf('@');
        return (at >= 0 ? id[..at] : id) + "@" + SenderDomain;
    }
}

/// <summary>A file that goes with a message: an invoice's PDF, a meeting's invitation.</summary>
public interface IAttachmentSource
{
    Task<IReadOnlyList<MimePart>> AttachmentsAsync(RenewalsDbContext db, OutboxMessage message, CancellationToken ct);

    /// <summary>An attached file, base64-encoded.</summary>
    static MimePart File(string mediaType, string mediaSubtype, byte[] content, string fileName) => new(mediaType, mediaSubtype)
    {
        Content = new MimeContent(new MemoryStream(content)),
        ContentTransferEncoding = ContentEncoding.Base64,
        ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
        FileName = fileName,
    };
}

/// <summary>Turns an outbox row into a MIME message: rendered parts, headers, attachments.</summary>
public sealed class MessageComposer(MessageRenderer renderer, DeliveryOptions options, IReadOnlyList<IAttachmentSource>? attachments = null)
{
    public DeliveryOptions Options { get; } = options;

    public Task<MimeMessage> ComposeAsync(RenewalsDbContext db, OutboxMessage message, Instant now, CancellationToken ct) =>
        ComposeAsync(db, message, now, null, ct);

    /// <param name="batch">What the dispatcher read for the whole claimed batch (null: everything read for this message).</param>
    public async Task<MimeMessage> ComposeAsync(RenewalsDbContext db, OutboxMessage message, Instant now, MessageBatch? batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var model = await MessageModel.LoadAsync(db, message, Options.PortalUrl, now, batch, ct);
        var unsubscribe = message.Template == MessageKinds.Newsletter && model.GetValueOrDefault("unsubscribe_token") is string token
            ? Newsletter.NewsletterLinks.Unsubscribe(Options.PortalUrl, token)
            : null;
        if (unsubscribe is not null)
        {
            model["unsubscribe_url"] = unsubscribe;
        }

        // Rendered at delivery with what an admin saved last: a change reaches messages already waiting.
        var stored = batch?.Templates ?? await StoredTemplates.CurrentAsync(db, message.Template, message.Language, ct);
        var rendered = await renderer.RenderAsync(message.Template, message.Language, model, stored);
        var recipient = model["recipient"] is Dictionary<string, object?> r ? r["name"] as string : null;

        var body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html };
        foreach (var source in attachments ?? [])
        {
            foreach (var part in await source.AttachmentsAsync(db, message, ct))
            {
                body.Attachments.Add(part);
            }
        }

        var mime = new MimeMessage
        {
            Subject = rendered.Subject,
            MessageId = Options.WireMessageId(message.MessageId),
            Date = now.ToDateTimeOffset(),
            Body = body.ToMessageBody(),
        };
        mime.From.Add(new MailboxAddress(Options.FromName, Options.FromAddress));
        mime.To.Add(new MailboxAddress(recipient ?? message.ToEmail, message.ToEmail));
        // Content-* headers belong to the body entity (MimeKit keeps them there).
        mime.Body.Headers.Add(HeaderId.ContentLanguage, message.Language);
        mime.Headers.Add("X-Renewals-Template", message.Template);
        if (unsubscribe is not null)
        {
            // RFC 8058 one-click unsubscribe, on the newsletter only: renewal messages are no list to leave.
            mime.Headers.Add(HeaderId.ListUnsubscribe, $"<{unsubscribe}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        // Bodies in French are 8-bit: encode them (quoted-printable or base64) so that every
        // part declares a transfer encoding any parser or 7-bit relay accepts.
        mime.Prepare(EncodingConstraint.SevenBit);
        return mime;
    }
}
