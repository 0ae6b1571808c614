using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Renewals.Testing;

/// <summary>One message (or webhook) a sink accepted: its id and when (seconds on the sink's stopwatch).</summary>
public sealed record Accepted(string Id, double At);

/// <summary>
/// A permanent refusal (a 5xx reply) the SMTP sink sent, when, and what raised it on that
/// connection (null when the reply was a decision, such as a refused recipient).
/// </summary>
public sealed record Refusal(double At, string Reply, string? Cause);

/// <summary>
/// A real SMTP server (the SmtpServer package) listening on a loopback port inside the test
/// process, the one the tests and the chaos run share. It records the Message-ID of every message
/// it accepts with the moment it accepted it, keeps the messages themselves parsed back with
/// MimeKit unless told not to (the chaos run accepts tens of thousands and needs only the ids),
/// can be stopped and started again on the same port, and told to refuse some recipients for
/// good (550). Told to count only, it keeps nothing but the numbers (the delivery benchmark's far end).
/// Its sockets send each reply at once (TCP_NODELAY, as a real MTA's replies arrive): the package's
/// own listener leaves Nagle's algorithm on, so a second reply to pipelined commands waited for the
/// client's delayed acknowledgement, about 40 ms a message on Linux.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private readonly ConcurrentQueue<Accepted> _accepted = new();
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Refusal> _refusals = [];
    private readonly ConcurrentDictionary<Connection, bool> _live = new();
    private readonly Stopwatch _clock;
    private readonly bool _keepMessages;
    private readonly bool _countOnly;
    private long _messages;
    private long _bytes;
    private int _connections;
    private SmtpServer.SmtpServer? _server;
    private CancellationTokenSource? _stop;
    private Task? _running;

    /// <param name="clock">What <see cref="Accepted"/> times are read on (a new stopwatch when null).</param>
    /// <param name="keepMessages">Whether <see cref="Received"/> keeps each message; the ids are kept either way.</param>
    /// <param name="countOnly">Nothing kept, not even the ids: only <see cref="Messages"/>, <see cref="Bytes"/> and <see cref="Connections"/>.</param>
    public TestSmtpServer(Stopwatch? clock = null, bool keepMessages = true, bool countOnly = false)
    {
        _clock = clock ?? Stopwatch.StartNew();
        _keepMessages = keepMessages && !countOnly;
        _countOnly = countOnly;
        Port = LoopbackPorts.Free();
    }

    public int Port { get; }

    /// <summary>Messages accepted since the start.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Bytes of the messages accepted since the start.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Connections (SMTP sessions) opened since the start.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public IReadOnlyList<MimeMessage> Received => [.. _received];

    /// <summary>The Message-ID (as written, with its angle brackets) of each message accepted, in order.</summary>
    public IReadOnlyList<Accepted> Accepted => [.. _accepted];

    /// <summary>
    /// Every 5xx reply that reached a client, with the exception behind it. The SmtpServer package
    /// answers a bare 554 to any exception while it reads or stores a message, so a refusal with a
    /// cause is the sink failing, not a decision about the message.
    /// </summary>
    public IReadOnlyList<Refusal> Refusals
    {
        get
        {
            lock (_refusals)
            {
                return [.. _refusals];
            }
        }
    }

    /// <summary>Mail to this address is refused with a permanent error.</summary>
    public void Refuse(string address) => _refused[address] = true;

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e
            .Endpoint(new IPEndPoint(IPAddress.Loopback, Port))
            // The package cancels a whole session after 2 minutes by default, and answers a bare 554
            // to a message it cancels in the middle of its DATA: a dispatcher that keeps its
            // connection through a long pass had messages dead-lettered at random (5 in the full
            // chaos run of 1 December). A real server sets no such limit on a busy session.
            .SessionTimeout(Timeout.InfiniteTimeSpan)).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(_refused));
        services.Add(new NoDelayListeners(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _connections);
        _stop = new CancellationTokenSource();
        _running = _server.StartAsync(_stop.Token);
        await WaitListeningAsync(Port);
    }

    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        // Going down the way a server that dies does: the connections are cut before anything else,
        // so a client in the middle of a message sees the connection drop (and tries again later),
        // never the 554 the package answers to the cancellation below.
        _server.Shutdown();
        foreach (var connection in _live.Keys)
        {
            connection.Abort();
        }

        await _stop!.CancelAsync();
        try
        {
            await _running!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Sessions cut short by the stop: a test that stops the server wants exactly that.
        }

        _stop.Dispose();
        _server = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Returns once a connection to <paramref name="port"/> on loopback is accepted (up to 5 s).</summary>
    public static async Task WaitListeningAsync(int port)
    {
        for (var i = 0; i < 250; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new InvalidOperationException($"Nothing listens on port {port}.");
    }

    private async Task SaveAsync(ReadOnlySequence<byte> buffer, CancellationToken ct)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, buffer.Length);
        if (_countOnly)
        {
            return;
        }

        await using var stream = new MemoryStream(buffer.ToArray());
        string id;
        if (_keepMessages)
        {
            var message = await MimeMessage.LoadAsync(stream, ct);
            _received.Enqueue(message);
            id = message.Headers[HeaderId.MessageId] ?? "";
        }
        else
        {
            id = (await HeaderList.LoadAsync(stream, ct))[HeaderId.MessageId] ?? "";
        }

        // Accepted from here on: the 250 answer follows, unless the connection is cut first.
        _accepted.Enqueue(new Accepted(id.Trim(), _clock.Elapsed.TotalSeconds));
    }

    private const string ConnectionKey = "Renewals.Testing.Connection";

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            try
            {
                await server.SaveAsync(buffer, cancellationToken);
            }
            catch (Exception e)
            {
                ((Connection)context.Properties[ConnectionKey]).Cause = e;
                throw;
            }

            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter(ConcurrentDictionary<string, bool> refused) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!refused.ContainsKey(to.AsAddress()));
    }

    /// <summary>The package's endpoint listener, with TCP_NODELAY on each accepted connection.</summary>
    private sealed class NoDelayListeners(TestSmtpServer server) : IEndpointListenerFactory
    {
        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
        {
            var listener = new TcpListener(endpointDefinition.Endpoint);
            listener.Start();
            return new NoDelayListener(server, listener);
        }
    }

    private sealed class NoDelayListener(TestSmtpServer server, TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
            context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint!);
            var connection = new Connection(server, client);
            context.Properties.Add(ConnectionKey, connection);
            return connection;
        }

        public void Dispose() => listener.Stop();
    }

    /// <summary>
    /// One client's connection as the package's pipe (this server offers no STARTTLS). Its stream
    /// remembers the last exception raised on it and records each 5xx reply it carries.
    /// </summary>
    private sealed class Connection : ISecurableDuplexPipe
    {
        private readonly TestSmtpServer _server;
        private readonly TcpClient _client;

        public Connection(TestSmtpServer server, TcpClient client)
        {
            _server = server;
            _client = client;
            var stream = new WatchedStream(this, client.GetStream());
            Input = PipeReader.Create(stream);
            Output = PipeWriter.Create(stream);
            server._live[this] = true;
        }

        /// <summary>The last exception raised while reading or storing on this connection.</summary>
        public Exception? Cause { get; set; }

        public PipeReader Input { get; }

        public PipeWriter Output { get; }

        public bool IsSecure => false;

        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The test SMTP server offers no STARTTLS.");

        /// <summary>Cuts the connection at once (a reset, as when the server dies).</summary>
        public void Abort()
        {
            // The session may close it at the same moment: TcpClient then forgets its socket.
            var socket = _client.Client;
            try
            {
                socket?.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // Already closed by its session.
            }

            _client.Dispose();
        }

        public void Dispose()
        {
            _server._live.TryRemove(this, out _);
            _client.Dispose();
        }

        /// <summary>
        /// Records the refusals among replies about to be written. They are recorded before the
        /// write, so a client that has read a refusal always finds it here; a write that fails
        /// withdraws them (<see cref="Unsent"/>), since no client saw them.
        /// </summary>
        internal Refusal[] Replying(ReadOnlySpan<byte> replies)
        {
            // Pipelined replies may share a write: look at each line.
            List<Refusal>? refusals = null;
            foreach (var line in System.Text.Encoding.ASCII.GetString(replies).Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                if (line[0] == '5')
                {
                    var cause = Cause is null ? null : $"{Cause.GetType().Name}: {Cause.Message}";
                    (refusals ??= []).Add(new Refusal(_server._clock.Elapsed.TotalSeconds, line, cause));
                    Cause = null;
                }
            }

            if (refusals is null)
            {
                return [];
            }

            lock (_server._refusals)
            {
                _server._refusals.AddRange(refusals);
            }

            return [.. refusals];
        }

        internal void Unsent(Refusal[] refusals)
        {
            if (refusals.Length == 0)
            {
                return;
            }

            lock (_server._refusals)
            {
                foreach (var refusal in refusals)
                {
                    _server._refusals.Remove(refusal);
                }
            }
        }
    }

    /// <summary>The socket's stream, telling its connection what failed and which replies went out.</summary>
    private sealed class WatchedStream(Connection connection, Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e)
            {
                connection.Cause = e;
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var refusals = connection.Replying(buffer.Span);
            try
            {
                await inner.WriteAsync(buffer, cancellationToken);
            }
            catch
            {
                connection.Unsent(refusals);
                throw;
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count)
        {
            var refusals = connection.Replying(buffer.AsSpan(offset, count));
            try
            {
                inner.Write(buffer, offset, count);
            }
            catch
            {
                connection.Unsent(refusals);
                throw;
            }
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
