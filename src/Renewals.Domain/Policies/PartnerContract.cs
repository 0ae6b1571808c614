namespace Renewals.Domain.Policies;

/// <summary>
/// The terms a partner (reseller) agreed with the vendor that govern cancellation for the
/// customers it sold to.
/// </summary>
public sealed record PartnerContract
{
    public PartnerContract(string partner, int noticeDays, bool cancellationFiledByPartnerOnly = false)
    {
        if (string.IsNullOrWhiteSpace(partner))
        {
            throw new DomainException(DomainErrors.PartnerRequired);
        }

        RenewalPolicy.NoticeMustFitInATerm(noticeDays);
        Partner = partner.Trim();
        NoticeDays = noticeDays;
        CancellationFiledByPartnerOnly = cancellationFiledByPartnerOnly;
    }

    public string Partner { get; }

    public int NoticeDays { get; }

    /// <summary>When true, only the partner can file a cancellation for its customers.</summary>
    public bool CancellationFiledByPartnerOnly { get; }
}
