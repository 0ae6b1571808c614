using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Renewals.Bench;

/// <summary>
/// A receiving SMTP server on loopback that takes every message and keeps nothing but counts:
/// the far end of the delivery measure. It speaks what MailKit needs (EHLO with PIPELINING and
/// 8BITMIME, MAIL, RCPT, DATA, RSET, NOOP, QUIT), one task per connection, as a relay would.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private long _messages;
    private long _bytes;
    private int _connectionCount;

    public SmtpSink()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Messages => Interlocked.Read(ref _messages);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Connections opened since the start (one per conversation).</summary>
    public int Connections => Volatile.Read(ref _connectionCount);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _connectionCount);
            lock (_connections)
            {
                _connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.Latin1, false, 64 * 1024);
        var writer = new StreamWriter(stream, Encoding.Latin1, 4096) { NewLine = "\r\n", AutoFlush = false };
        try
        {
            await Reply(writer, "220 sink.example ESMTP");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await Reply(writer, "250-sink.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800");
                        break;
                    case "HELO":
                        await Reply(writer, "250 sink.example");
                        break;
                    case "DATA":
                        await Reply(writer, "354 end with <CRLF>.<CRLF>");
                        long size = 0;
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                            size += data.Length + 2;
                        }

                        Interlocked.Increment(ref _messages);
                        Interlocked.Add(ref _bytes, size);
                        await Reply(writer, "250 2.0.0 queued");
                        break;
                    case "QUIT":
                        await Reply(writer, "221 bye");
                        return;
                    default:
                        // MAIL, RCPT, RSET, NOOP: accepted, each answered in turn.
                        await Reply(writer, "250 OK");
                        break;
                }
            }
        }
        catch (Exception error) when (error is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away: nothing to keep.
        }
    }

    private static async Task Reply(StreamWriter writer, string text)
    {
        await writer.WriteLineAsync(text);
        await writer.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open);
        _stop.Dispose();
    }
}
