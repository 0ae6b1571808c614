using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Renewals.Testing.Chaos;

/// <summary>One message or webhook a sink accepted: its id and when (seconds since the run began).</summary>
public sealed record Accepted(string Id, double At);

/// <summary>
/// The chaos run's SMTP server on a fixed loopback port (the SmtpServer package, in the
/// harness's process): records the Message-ID of every message it accepts, with the moment it
/// accepted it, and can be stopped and started again on the same port.
/// </summary>
public sealed class SmtpSink(Stopwatch clock) : IAsyncDisposable
{
    private readonly List<Accepted> _accepted = [];
    private SmtpServer.SmtpServer? _server;
    private CancellationTokenSource? _stop;
    private Task? _running;

    public int Port { get; } = ChaosPorts.Free();

    public IReadOnlyList<Accepted> Accepted
    {
        get
        {
            lock (_accepted)
            {
                return [.. _accepted];
            }
        }
    }

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _stop = new CancellationTokenSource();
        _running = _server.StartAsync(_stop.Token);
        await ChaosPorts.WaitListeningAsync(Port);
    }

    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        _server.Shutdown();
        await _stop!.CancelAsync();
        try
        {
            await _running!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Sessions cut short by the stop: that is the fault the run wants.
        }

        _stop.Dispose();
        _server = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Record(string id)
    {
        lock (_accepted)
        {
            _accepted.Add(new Accepted(id, clock.Elapsed.TotalSeconds));
        }
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            var headers = await HeaderList.LoadAsync(stream, cancellationToken);
            // Accepted from here on: the 250 answer follows, unless the connection is cut first.
            sink.Record(ChaosLedger.LeftOfAt(headers[HeaderId.MessageId] ?? ""));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>
/// The chaos run's webhook receiver on a fixed loopback port (HttpListener): answers 200 to
/// every request and records its webhook-id header and when it came; stopped and started again
/// on the same address.
/// </summary>
public sealed class HookSink(Stopwatch clock) : IDisposable
{
    private readonly List<Accepted> _received = [];
    private HttpListener? _listener;
    private Task? _loop;

    public int Port { get; } = ChaosPorts.Free();

    public string Url => $"http://127.0.0.1:{Port}/hooks/";

    public IReadOnlyList<Accepted> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add(Url);
        _listener.Start();
        var listener = _listener;
        _loop = Task.Run(() => LoopAsync(listener));
    }

    public void Stop()
    {
        if (_listener is null)
        {
            return;
        }

        _listener.Close();
        try
        {
            _loop!.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener closed under a pending request: that is how the loop ends.
        }

        _listener = null;
    }

    public void Dispose() => Stop();

    private async Task LoopAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            try
            {
                var context = await listener.GetContextAsync();
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    await reader.ReadToEndAsync();
                }

                lock (_received)
                {
                    _received.Add(new Accepted(context.Request.Headers["webhook-id"] ?? "", clock.Elapsed.TotalSeconds));
                }

                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync("thanks"u8.ToArray());
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                if (!listener.IsListening)
                {
                    return;
                }
            }
        }
    }
}

internal static class ChaosPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
}
