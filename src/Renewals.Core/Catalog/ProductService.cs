using Microsoft.EntityFrameworkCore;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Catalog;

public sealed record NewProduct(string Code, string Name, string Family, decimal? YearlyUnitPrice = null, string? Currency = null);

/// <summary>A product of the catalogue as the operator sees it.</summary>
public sealed record ProductView(long Id, string Code, string Name, string Family, decimal? YearlyUnitPrice, string? Currency);

/// <summary>The vendor's catalogue: products, each in a product family (created with its first product).</summary>
public sealed class ProductService(RenewalsDbContext db)
{
    public const int MaxCodeLength = 32;

    public async Task<ProductView> AddAsync(NewProduct input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var code = input.Code?.Trim() ?? "";
        if (code.Length is 0 or > MaxCodeLength || !code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            throw new DomainException(DomainErrors.ProductCode, code);
        }

        Names.MustBeGiven(input.Name, DomainErrors.ProductNameRequired);

        if (string.IsNullOrWhiteSpace(input.Family))
        {
            throw new DomainException(DomainErrors.ProductFamilyRequired);
        }

        if (input.YearlyUnitPrice is < 0)
        {
            throw new DomainException(DomainErrors.LinePrice, input.YearlyUnitPrice);
        }

        // A price means nothing without its currency, and a currency nothing without a price.
        if ((input.YearlyUnitPrice is null) != (input.Currency is null))
        {
            throw new DomainException(DomainErrors.LineCurrency, input.Currency ?? "");
        }

        if (input.Currency is { } currency && (currency.Length != 3 || !currency.All(char.IsAsciiLetter)))
        {
            throw new DomainException(DomainErrors.LineCurrency, currency);
        }

        if (input.Currency is { } listCurrency && !Renewals.Domain.Invoicing.Currencies.IsKnown(listCurrency))
        {
            throw new DomainException(DomainErrors.CurrencyUnknown, listCurrency);
        }

        if (await db.Products.AnyAsync(p => p.Code == code, ct))
        {
            throw new DomainException(DomainErrors.ProductDuplicate, code);
        }

        var familyName = input.Family.Trim();
        var family = await db.ProductFamilies.SingleOrDefaultAsync(f => f.Name == familyName, ct) ?? new ProductFamily { Name = familyName };
        var product = new Product
        {
            Code = code,
            Name = input.Name.Trim(),
            YearlyUnitPrice = input.YearlyUnitPrice,
            Currency = input.Currency?.ToUpperInvariant(),
        };
        family.Products.Add(product);
        if (family.Id == 0)
        {
            db.ProductFamilies.Add(family);
        }

        await db.SaveChangesAsync(ct);
        return new ProductView(product.Id, product.Code, product.Name, family.Name, product.YearlyUnitPrice, product.Currency);
    }

    public async Task<IReadOnlyList<ProductView>> ListAsync(CancellationToken ct = default) =>
        await db.Products.AsNoTracking().OrderBy(p => p.Code)
            .Select(p => new ProductView(p.Id, p.Code, p.Name, p.Family!.Name, p.YearlyUnitPrice, p.Currency))
            .ToListAsync(ct);
}
