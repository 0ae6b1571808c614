using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Renewals.Core.Messaging;

/// <summary>Where composed messages go: an SMTP server, or a pickup folder of .eml files.</summary>
public interface IMailTransport : IAsyncDisposable
{
    /// <summary>Hands the message over; throws when it was not accepted.</summary>
    Task SendAsync(MimeMessage message, CancellationToken ct);

    /// <summary>A short description for operators: "smtp://mail.example.com:587" or the folder.</summary>
    string Describe();
}

/// <summary>SMTP settings from configuration (RENEWALS_SMTP_* variables).</summary>
public sealed record SmtpSettings(string Host, int Port = 25, SmtpTls Tls = SmtpTls.Auto, string? User = null, string? Password = null)
{
    public const string HostVariable = "RENEWALS_SMTP_HOST";
    public const string PortVariable = "RENEWALS_SMTP_PORT";
    public const string TlsVariable = "RENEWALS_SMTP_TLS";
    public const string UserVariable = "RENEWALS_SMTP_USER";
    public const string PasswordVariable = "RENEWALS_SMTP_PASSWORD";
}

public enum SmtpTls
{
    /// <summary>STARTTLS when the server offers it.</summary>
    Auto,

    /// <summary>Plain connection (a local relay).</summary>
    None,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    Implicit,
}

/// <summary>
/// Sends through an SMTP server with MailKit, keeping its connections open from one message to
/// the next. Messages handed over at the same time (a dispatcher's workers) go over separate
/// connections, one conversation each, opened as needed and reused afterwards. A failure
/// other than the server refusing this one message (a timeout, a cut, a refused sign-in, a
/// broken TLS handshake) leaves that conversation in an unknown state: its connection is
/// dropped, so the next message over it starts a new one, signed in again, rather than writing
/// into a half-finished exchange.
/// </summary>
public sealed class SmtpTransport(SmtpSettings settings, TimeSpan? timeout = null) : IMailTransport
{
    /// <summary>How long one exchange with the server may take before the attempt fails.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentBag<SmtpClient> _idle = [];
    private readonly ConcurrentQueue<SmtpClient> _all = new();

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        // A client is used by one sender at a time: taken from the idle ones, given back after.
        if (!_idle.TryTake(out var client))
        {
            client = new SmtpClient { Timeout = (int)(timeout ?? DefaultTimeout).TotalMilliseconds };
            _all.Enqueue(client);
        }

        try
        {
            if (!client.IsConnected)
            {
                var options = settings.Tls switch
                {
                    SmtpTls.Auto => SecureSocketOptions.StartTlsWhenAvailable,
                    SmtpTls.None => SecureSocketOptions.None,
                    SmtpTls.StartTls => SecureSocketOptions.StartTls,
                    SmtpTls.Implicit => SecureSocketOptions.SslOnConnect,
                };
                await client.ConnectAsync(await OpenSocketAsync(ct), settings.Host, settings.Port, options, ct);
                if (!string.IsNullOrEmpty(settings.User))
                {
                    await client.AuthenticateAsync(settings.User, settings.Password ?? "", ct);
                }
            }

            await client.SendAsync(message, ct);
        }
        catch (Exception failure) when (!RefusesThisMessageOnly(failure))
        {
            await DropConnectionAsync(client);
            throw;
        }
        finally
        {
            _idle.Add(client);
        }
    }

    /// <summary>
    /// A connected socket that sends each write at once (TCP_NODELAY). With Nagle's algorithm the
    /// last short write of a message (the final "." line) waits for the server to acknowledge the
    /// previous one, which the server's delayed acknowledgement holds back: tens of milliseconds
    /// a message, most of the time delivery took.
    /// </summary>
    private async Task<Socket> OpenSocketAsync(CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await socket.ConnectAsync(settings.Host, settings.Port, limit.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"No connection to {settings.Host}:{settings.Port} within {(timeout ?? DefaultTimeout).TotalSeconds:0} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The server answered this message with a refusal: the conversation is intact and goes on.</summary>
    private static bool RefusesThisMessageOnly(Exception failure) =>
        failure is SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.MessageNotAccepted };

    private static async Task DropConnectionAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(quit: false);
        }
        catch (Exception error) when (error is IOException or SmtpProtocolException or SmtpCommandException or InvalidOperationException or ObjectDisposedException)
        {
            // Already gone: the next message connects anew either way.
        }
    }

    public string Describe() => $"smtp://{settings.Host}:{settings.Port}";

    public async ValueTask DisposeAsync()
    {
        while (_all.TryDequeue(out var client))
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync(quit: true);
                }
                catch (Exception error) when (error is IOException or SmtpProtocolException or SmtpCommandException)
                {
                    // The messages are already accepted; a failed goodbye changes nothing.
                }
            }

            client.Dispose();
        }
    }
}

/// <summary>
/// Writes each message as an .eml file named after its Message-ID, so a message delivered
/// twice (a retry after a crash) overwrites its own file instead of making a second one.
/// </summary>
public sealed class PickupFolderTransport : IMailTransport
{
    public const string Variable = "RENEWALS_PICKUP";

    public PickupFolderTransport(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public static string FileName(string messageId) =>
        string.Concat(messageId.Trim('<', '>').Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')) + ".eml";

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var path = Path.Combine(Directory, FileName(message.MessageId ?? throw new ArgumentException("The message has no Message-ID.", nameof(message))));
        var partial = path + ".partial";
        await message.WriteToAsync(partial, ct);
        File.Move(partial, path, overwrite: true);
    }

    public string Describe() => Directory;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
