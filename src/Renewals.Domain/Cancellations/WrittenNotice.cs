using NodaTime;

namespace Renewals.Domain.Cancellations;

/// <summary>How a written notice reached the vendor.</summary>
public enum NoticeChannel
{
    /// <summary>A signed letter uploaded by the customer in the web account.</summary>
    UploadedLetter,

    /// <summary>A letter received by post and recorded by an advisor.</summary>
    PostalLetter,

    /// <summary>An email received and recorded by an advisor.</summary>
    Email,
}

/// <summary>Who filed the notice in the system.</summary>
public enum NoticeFiler
{
    Customer,
    Partner,
    Advisor,
}

/// <summary>
/// A cancellation in writing: a document, when it was received, who signed it, how it came
/// and who filed it, with the SHA-256 of the document so it can be proven unchanged.
/// </summary>
public sealed record WrittenNotice
{
    public WrittenNotice(Instant receivedAt, NoticeChannel channel, string signedBy, string documentSha256, NoticeFiler filedBy)
    {
        if (!Enum.IsDefined(channel))
        {
            throw new DomainException(DomainErrors.NoticeChannelUnknown, channel);
        }

        if (string.IsNullOrWhiteSpace(signedBy))
        {
            throw new DomainException(DomainErrors.NoticeSignerRequired);
        }

        if (documentSha256 is not { Length: 64 } || !documentSha256.All(char.IsAsciiHexDigit))
        {
            throw new DomainException(DomainErrors.NoticeDocumentHash);
        }

        if (!Enum.IsDefined(filedBy))
        {
            throw new DomainException(DomainErrors.NoticeFilerUnknown, filedBy);
        }

        ReceivedAt = receivedAt;
        Channel = channel;
        SignedBy = signedBy.Trim();
        DocumentSha256 = documentSha256.ToLowerInvariant();
        FiledBy = filedBy;
    }

    public Instant ReceivedAt { get; }

    public NoticeChannel Channel { get; }

    public string SignedBy { get; }

    public string DocumentSha256 { get; }

    public NoticeFiler FiledBy { get; }
}
