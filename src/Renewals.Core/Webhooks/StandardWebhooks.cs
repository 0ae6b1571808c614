using System.Security.Cryptography;
using System.Text;

namespace Renewals.Core.Webhooks;

/// <summary>
/// The signing side of the Standard Webhooks specification (standardwebhooks.com): a secret
/// "whsec_" + base64 key; a signature "v1," + base64 HMAC-SHA256 of "id.timestamp.body".
/// </summary>
public static class StandardWebhooks
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: 24 random bytes, inside the 24-64 bytes the specification asks for.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static bool IsSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var key = new byte[secret.Length];
        return Convert.TryFromBase64String(secret[SecretPrefix.Length..], key, out var length) && length is >= 24 and <= 64;
    }

    /// <summary>The webhook-signature header of one attempt.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var content = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}
