using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Renewals.Core.Tests;

/// <summary>What the scripted server does with one message once its data has arrived (or while it arrives).</summary>
public enum SmtpFault
{
    /// <summary>250: taken.</summary>
    Accept,

    /// <summary>451 after the data: "try again later".</summary>
    RefuseForNow,

    /// <summary>No answer after the data, until the client gives up and hangs up.</summary>
    Hang,

    /// <summary>The connection is cut while the data arrives: nothing is taken.</summary>
    DropMidMessage,

    /// <summary>The message is taken, then the connection is cut before the 250 leaves: the client cannot know.</summary>
    DropAfterTaking,
}

/// <summary>
/// An SMTP server on a loopback port that misbehaves on purpose, speaking the protocol over a
/// real socket so the product's real client (MailKit) meets each fault as it would in the field:
/// per recipient, the faults of its successive attempts (then Accept); for the whole server, a
/// refused AUTH (535) or a STARTTLS whose handshake breaks. What it takes is parsed with MimeKit.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<SmtpFault>> _script = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<MimeMessage> _taken = new();
    private readonly ConcurrentQueue<(string Recipient, SmtpFault Fault)> _attempts = new();
    private readonly Task _accepting;

    public ScriptedSmtpServer(bool refuseAuthentication = false, bool breakStartTls = false)
    {
        RefuseAuthentication = refuseAuthentication;
        BreakStartTls = breakStartTls;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public bool RefuseAuthentication { get; }

    public bool BreakStartTls { get; }

    /// <summary>Every message taken, a second copy included (the same Message-ID twice).</summary>
    public IReadOnlyList<MimeMessage> Taken => [.. _taken];

    /// <summary>Each DATA the server saw, with the fault it played.</summary>
    public IReadOnlyList<(string Recipient, SmtpFault Fault)> Attempts => [.. _attempts];

    /// <summary>The faults mail to <paramref name="recipient"/> meets on its next attempts, in order; later attempts are accepted.</summary>
    public void Script(string recipient, params SmtpFault[] faults) => _script[recipient] = new ConcurrentQueue<SmtpFault>(faults);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ConverseAsync(client));
        }
    }

    private async Task ConverseAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.Latin1, false, 4096, leaveOpen: true);
        async Task SayAsync(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _stop.Token);
        try
        {
            await SayAsync("220 scripted.test ESMTP");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await SayAsync("250-scripted.test");
                        if (BreakStartTls)
                        {
                            await SayAsync("250-STARTTLS");
                        }

                        if (RefuseAuthentication)
                        {
                            await SayAsync("250-AUTH PLAIN LOGIN");
                        }

                        await SayAsync("250 8BITMIME");
                        break;
                    case "HELO" or "RSET" or "NOOP":
                        recipients.Clear();
                        await SayAsync("250 OK");
                        break;
                    case "STARTTLS":
                        // Agree, then answer the client's hello with bytes that are no TLS record.
                        await SayAsync("220 go ahead");
                        await stream.WriteAsync(Encoding.ASCII.GetBytes("this is not TLS\r\n"), _stop.Token);
                        return;
                    case "AUTH":
                        await SayAsync("535 5.7.8 Authentication credentials invalid");
                        break;
                    case "MAIL":
                        recipients.Clear();
                        await SayAsync("250 OK");
                        break;
                    case "RCPT":
                        recipients.Add(line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)]);
                        await SayAsync("250 OK");
                        break;
                    case "DATA":
                        await SayAsync("354 end with <CRLF>.<CRLF>");
                        var fault = recipients.Count > 0 && _script.TryGetValue(recipients[0], out var queue) && queue.TryDequeue(out var next) ? next : SmtpFault.Accept;
                        _attempts.Enqueue((recipients.FirstOrDefault() ?? "", fault));
                        var data = new StringBuilder();
                        var lines = 0;
                        while (await reader.ReadLineAsync(_stop.Token) is { } body && body != ".")
                        {
                            if (fault == SmtpFault.DropMidMessage && ++lines == 5)
                            {
                                client.Client.LingerState = new LingerOption(true, 0); // a reset, not a goodbye
                                return;
                            }

                            data.Append(body.StartsWith("..", StringComparison.Ordinal) ? body[1..] : body).Append("\r\n");
                        }

                        switch (fault)
                        {
                            case SmtpFault.Accept:
                                Take(data);
                                await SayAsync("250 2.0.0 taken");
                                break;
                            case SmtpFault.RefuseForNow:
                                await SayAsync("451 4.3.0 try again later");
                                break;
                            case SmtpFault.Hang:
                                // Say nothing: the client's timeout ends the conversation.
                                while (await reader.ReadLineAsync(_stop.Token) is not null)
                                {
                                }

                                return;
                            case SmtpFault.DropAfterTaking:
                                Take(data);
                                client.Client.LingerState = new LingerOption(true, 0);
                                return;
                        }

                        break;
                    case "QUIT":
                        await SayAsync("221 bye");
                        return;
                    default:
                        await SayAsync("502 5.5.2 not implemented");
                        break;
                }
            }
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client hung up, or the server is stopping.
        }
    }

    private void Take(StringBuilder data)
    {
        using var memory = new MemoryStream(Encoding.Latin1.GetBytes(data.ToString()));
        _taken.Enqueue(MimeMessage.Load(memory));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
