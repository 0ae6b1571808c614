namespace Renewals.Data.Model;

public sealed class ProductFamily
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public List<Product> Products { get; } = [];
}

public sealed class Product
{
    public long Id { get; set; }

    public long FamilyId { get; set; }

    public ProductFamily? Family { get; set; }

    public required string Code { get; set; }

    public required string Name { get; set; }

    /// <summary>List price of one unit for 12 months; a sale takes it unless it names its own.</summary>
    public decimal? YearlyUnitPrice { get; set; }

    /// <summary>ISO 4217 code of <see cref="YearlyUnitPrice"/>.</summary>
    public string? Currency { get; set; }
}

/// <summary>The dated steps of a term: check-in, reminders and notice period.</summary>
public sealed class RenewalPolicy
{
    public const string DefaultName = "default";

    public long Id { get; set; }

    public required string Name { get; set; }

    public int CheckInDays { get; set; } = 90;

    /// <summary>Days before renewal, comma-separated, such as "120,60".</summary>
    public string ReminderDays { get; set; } = "120,60";

    public int NoticeDays { get; set; } = 60;

    /// <summary>The renewal lengths an amendment may choose, in whole years, comma-separated, such as "1,2"; 1 is always allowed.</summary>
    public string RenewalYears { get; set; } = "1";
}
