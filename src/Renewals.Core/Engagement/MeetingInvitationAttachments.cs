using MimeKit;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Core.Engagement;

/// <summary>
/// A meeting's message carries its calendar invitation (text/calendar, with the METHOD the
/// calendar needs). The invitation is the meeting as it stands when the message goes out: a
/// message delayed by retries never puts an outdated meeting back in a calendar.
/// </summary>
public sealed class MeetingInvitationAttachments : IAttachmentSource
{
    public async Task<IReadOnlyList<MimePart>> AttachmentsAsync(RenewalsDbContext db, OutboxMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.MeetingId is not { } meetingId)
        {
            return [];
        }

        var ics = await MeetingService.InvitationAsync(db, meetingId, ct);
        var method = ics.Contains("METHOD:CANCEL", StringComparison.Ordinal) ? "CANCEL" : "REQUEST";
        var part = IAttachmentSource.File("text", "calendar", System.Text.Encoding.UTF8.GetBytes(ics), "invitation.ics");
        part.ContentType.Parameters.Add("method", method);
        part.ContentType.Charset = "utf-8";
        return [part];
    }
}
