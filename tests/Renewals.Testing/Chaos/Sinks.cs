using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Renewals.Testing.Chaos;

/// <summary>
/// The chaos run's webhook receiver on a fixed loopback port (Kestrel): answers 204 to every
/// request and records its webhook-id header and when it came; stopped and started again on the
/// same address. Not HttpListener: on Linux its endpoint starts accepting inside its constructor
/// before its connection table exists, so a dispatcher retrying at the moment the receiver comes
/// back made <c>Start</c> throw (ArgumentNullException from Monitor.Enter) and leak the bound socket.
/// </summary>
public sealed class HookSink(Stopwatch clock) : IDisposable
{
    private readonly List<Accepted> _received = [];
    private WebApplication? _app;

    public int Port { get; } = LoopbackPorts.Free();

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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            lock (_received)
            {
                _received.Add(new Accepted(context.Request.Headers["webhook-id"].ToString(), clock.Elapsed.TotalSeconds));
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        app.StartAsync().GetAwaiter().GetResult();
        _app = app;
    }

    public void Stop()
    {
        if (_app is not { } app)
        {
            return;
        }

        // A short grace: the receiver going away under a request is one of the faults.
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            app.StopAsync(grace.Token).GetAwaiter().GetResult();
        }

        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _app = null;
    }

    public void Dispose() => Stop();
}
