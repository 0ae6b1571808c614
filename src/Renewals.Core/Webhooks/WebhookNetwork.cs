using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Renewals.Core.Webhooks;

/// <summary>
/// Where webhooks may go. An administrator types the receiver's URL, so without a check a URL
/// could make the server post to itself or to the private network behind it (the database, a
/// cloud metadata service). Receivers are public hosts unless the operator allows private
/// networks (RENEWALS_WEBHOOK_PRIVATE_NETWORKS=true, for a receiver on the same network or a
/// test). The check runs when the connection is made, on the addresses the name resolves to
/// then, so a name that resolves to a public address when registered and to a private one later
/// is refused too.
/// </summary>
public static class WebhookNetwork
{
    public const string Variable = "RENEWALS_WEBHOOK_PRIVATE_NETWORKS";

    /// <summary>False for loopback, private, shared (carrier NAT), link-local, unspecified, multicast and reserved addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }

        // IPv6: unique local fc00::/7, link-local, site-local, multicast.
        var first = address.GetAddressBytes()[0];
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (first & 0xFE) == 0xFC);
    }

    /// <summary>True when <paramref name="uri"/> names its host by a private address or as "localhost": refused as soon as it is typed.</summary>
    public static bool NamesPrivateHost(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && !IsPublic(address));
    }

    /// <summary>The connection the webhook client makes: to the first reachable allowed address of the host.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(bool allowPrivateNetworks) =>
        async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            var allowed = allowPrivateNetworks ? addresses : [.. addresses.Where(IsPublic)];
            if (allowed.Length == 0)
            {
                throw new HttpRequestException(
                    $"{host} is not a public address ({string.Join(", ", addresses.Select(a => a.ToString()))}): webhooks go to public receivers only, unless {Variable}=true.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
