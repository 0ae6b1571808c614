using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Renewals.Testing;

/// <summary>
/// Loopback ports for the servers the tests start, taken below the kernel's ephemeral range.
/// A port the kernel hands out for <c>bind(0)</c> can be handed out again the moment its server
/// stops; the sinks, the database and the web hosts the tests stop and start on the same port
/// would then find, during their outage, another test's server answering in their place (CI's
/// chaos run once recorded a webhook as delivered that its receiver never got). Below the range,
/// only another pick from this class can land on the port, and each pick binds before it returns.
/// </summary>
public static class LoopbackPorts
{
    private const int Lowest = 10_000;

    /// <summary>A port nothing listens on now, outside the range the kernel gives to <c>bind(0)</c>.</summary>
    public static int Free()
    {
        var below = EphemeralLow();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: draw again.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {Lowest} and {below} after 200 draws.");
    }

    /// <summary>The low end of net.ipv4.ip_local_port_range (32768, Linux's default, when unreadable).</summary>
    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var low = int.Parse(range[0], CultureInfo.InvariantCulture);
            return low > Lowest + 1_000 ? low : 32_768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
