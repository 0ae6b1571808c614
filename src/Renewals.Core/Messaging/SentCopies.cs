using System.IO.Compression;
using System.Text;
using MimeKit;
using Renewals.Data.Model;

namespace Renewals.Core.Messaging;

/// <summary>
/// The copy of a delivered message that the customer's message centre shows (ADR 011): taken
/// from the very <see cref="MimeMessage"/> handed to the transport, its bodies compressed with
/// Brotli (a message's HTML is mostly markup repeated from one message to the next).
/// </summary>
public static class SentCopies
{
    public static SentMessageCopy Of(long outboxId, MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        return new SentMessageCopy
        {
            OutboxId = outboxId,
            Subject = mime.Subject ?? "",
            TextBody = Pack(mime.TextBody ?? ""),
            HtmlBody = Pack(mime.HtmlBody ?? ""),
            Attachments = string.Join('\n', AttachmentNames(mime)),
        };
    }

    /// <summary>The attachments' file names, as a mail client lists them.</summary>
    public static IReadOnlyList<string> AttachmentNames(MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        return [.. mime.Attachments.Select(a => a is MimePart part ? part.FileName ?? "" : a.ContentType.Name ?? "")];
    }

    public static IReadOnlyList<string> AttachmentNames(SentMessageCopy copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        return copy.Attachments.Length == 0 ? [] : copy.Attachments.Split('\n');
    }

    public static byte[] Pack(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var packed = new MemoryStream();
        using (var brotli = new BrotliStream(packed, CompressionLevel.Optimal, leaveOpen: true))
        {
            brotli.Write(Encoding.UTF8.GetBytes(text));
        }

        return packed.ToArray();
    }

    public static string Unpack(byte[] packed)
    {
        ArgumentNullException.ThrowIfNull(packed);
        using var brotli = new BrotliStream(new MemoryStream(packed), CompressionMode.Decompress);
        using var reader = new StreamReader(brotli, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
