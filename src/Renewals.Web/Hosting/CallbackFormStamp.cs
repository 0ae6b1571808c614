using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using NodaTime;

namespace Renewals.Web.Hosting;

/// <summary>What the stamp says about a submitted callback form.</summary>
public enum StampVerdict
{
    Fine,
    TooFast,
    Expired,
}

/// <summary>
/// Spam resistance without a third party: the form carries the moment it was shown, protected by
/// data protection (so it cannot be forged); a form sent back sooner than a person could fill it
/// in, or with an altered or stale stamp, is refused. The time comes from the injected clock.
/// </summary>
public sealed class CallbackFormStamp(IDataProtectionProvider protection, IClock clock)
{
    /// <summary>A person needs at least this long to fill in five fields.</summary>
    public static readonly Duration MinimumFillTime = Duration.FromSeconds(3);

    /// <summary>Past this, the stamp is stale: reload the form.</summary>
    public static readonly Duration MaximumAge = Duration.FromHours(12);

    private readonly IDataProtector _protector = protection.CreateProtector("Renewals.Callback.FormStamp");

    public string Issue() => _protector.Protect(clock.GetCurrentInstant().ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture));

    public StampVerdict Check(string? stamp)
    {
        long ticks;
        try
        {
            if (string.IsNullOrEmpty(stamp) || !long.TryParse(_protector.Unprotect(stamp), NumberStyles.None, CultureInfo.InvariantCulture, out ticks))
            {
                return StampVerdict.Expired;
            }
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return StampVerdict.Expired;
        }

        var elapsed = clock.GetCurrentInstant() - Instant.FromUnixTimeTicks(ticks);
        return elapsed < MinimumFillTime ? StampVerdict.TooFast : elapsed > MaximumAge ? StampVerdict.Expired : StampVerdict.Fine;
    }
}
