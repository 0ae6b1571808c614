using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Renewals.Testing.Chaos;

/// <summary>
/// The chaos run's webhook receiver on a fixed loopback port (HttpListener): answers 204 to
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

                // Headers alone, in one write: a body written after them waited for the client's
                // delayed acknowledgement (Nagle's algorithm), about 40 ms a webhook.
                context.Response.StatusCode = 204;
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
}
