using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Planning;
using Renewals.Data;
using DomainPartnerContract = Renewals.Domain.Policies.PartnerContract;
using DomainPolicy = Renewals.Domain.Policies.RenewalPolicy;

namespace Renewals.Core.Engine;

/// <summary>The small tables every batch needs (policies, partner contracts, products), read once a run.</summary>
internal sealed class ReferenceData
{
    private readonly Dictionary<string, DateTimeZone> _zones = new(StringComparer.Ordinal);

    public required IReadOnlyDictionary<long, DomainPolicy> Policies { get; init; }

    public required IReadOnlyDictionary<long, DomainPartnerContract> PartnerContracts { get; init; }

    public required IReadOnlyDictionary<long, string> ProductNames { get; init; }

    public DateTimeZone Zone(string id)
    {
        if (!_zones.TryGetValue(id, out var zone))
        {
            zone = DateTimeZoneProviders.Tzdb[id];
            _zones[id] = zone;
        }

        return zone;
    }

    public static async Task<ReferenceData> LoadAsync(RenewalsDbContext db, CancellationToken ct)
    {
        var policies = await db.Policies.AsNoTracking().ToListAsync(ct);
        var contracts = await db.PartnerContracts.AsNoTracking().Include(c => c.Partner).ToListAsync(ct);
        var products = await db.Products.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        return new ReferenceData
        {
            Policies = policies.ToDictionary(p => p.Id, DomainMapping.ToDomain),
            PartnerContracts = contracts.ToDictionary(c => c.Id, c => DomainMapping.ToDomain(c, c.Partner!.Name)!),
            ProductNames = products,
        };
    }
}
