using NodaTime;

namespace Renewals.Domain.Payments;

/// <summary>Where an invoice stands with its payer: a typed list, written in lower case with hyphens where it is shown to machines.</summary>
public enum InvoiceStatus
{
    /// <summary>Issued, nothing paid yet, not yet past its due date.</summary>
    Issued,

    /// <summary>Payments allocated to it cover its total.</summary>
    Paid,

    /// <summary>Some of it is paid, the rest not yet due.</summary>
    PartPaid,

    /// <summary>Past its due date with something still owed.</summary>
    Overdue,

    /// <summary>The payer disputes it: nobody chases it until the dispute is cleared.</summary>
    Disputed,

    /// <summary>A credit note cancelled it: nothing is owed on it.</summary>
    Credited,
}

/// <summary>The stored facts an invoice's status is derived from; amounts in the invoice's currency, tax included.</summary>
/// <param name="Total">What the invoice asks for.</param>
/// <param name="Paid">The sum of the payments allocated to it.</param>
/// <param name="DueOn">The last day to pay on time.</param>
public sealed record InvoiceFacts(decimal Total, decimal Paid, LocalDate DueOn, bool Credited, bool Disputed)
{
    /// <summary>What is still owed; never below zero.</summary>
    public decimal Balance => Math.Max(0m, Total - Paid);
}

/// <summary>
/// An invoice's status, derived rather than stored so it can never disagree with the facts.
/// The order of the rules says which fact wins: a credit note cancels everything; a payment in
/// full settles it (a dispute about a paid invoice changes nothing owed); a dispute stops the
/// chase; then the due date: the due day itself is still on time, the day after it the invoice is
/// overdue (even when part of it is paid: the rest is late); before that, part-paid or issued.
/// "Today" is the vendor's date: the vendor's books say when an invoice is late.
/// </summary>
public static class InvoiceStanding
{
    public static InvoiceStatus Of(InvoiceFacts facts, LocalDate today)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Credited)
        {
            return InvoiceStatus.Credited;
        }

        if (facts.Paid >= facts.Total)
        {
            return InvoiceStatus.Paid;
        }

        if (facts.Disputed)
        {
            return InvoiceStatus.Disputed;
        }

        if (today > facts.DueOn)
        {
            return InvoiceStatus.Overdue;
        }

        return facts.Paid > 0m ? InvoiceStatus.PartPaid : InvoiceStatus.Issued;
    }

    /// <summary>Whether nothing more is to be asked of the payer: paid, credited or disputed.</summary>
    public static bool StopsCollection(InvoiceStatus status) =>
        status is InvoiceStatus.Paid or InvoiceStatus.Credited or InvoiceStatus.Disputed;

    /// <summary>The status in words for people: "part-paid", "payée en partie".</summary>
    public static string Describe(InvoiceStatus status, System.Globalization.CultureInfo culture) =>
        Text.DomainText.Get($"InvoiceStatus.{status}", culture);

    /// <summary>The status as machines read it (API, CLI, webhooks): issued, paid, part-paid, overdue, disputed, credited.</summary>
    public static string Code(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Issued => "issued",
        InvoiceStatus.Paid => "paid",
        InvoiceStatus.PartPaid => "part-paid",
        InvoiceStatus.Overdue => "overdue",
        InvoiceStatus.Disputed => "disputed",
        InvoiceStatus.Credited => "credited",
    };
}

/// <summary>
/// The polite reminders of an overdue invoice: one per stage, stage N falling the N-th offset's
/// number of days after the due date (by default 7, 21 and 45). After downtime only the latest
/// stage that has fallen is sent, never the ones it overtook: catch-up, never spam.
/// </summary>
public static class CollectionReminders
{
    public static IReadOnlyList<int> DefaultOffsets { get; } = [7, 21, 45];

    /// <summary>The offsets as typed ("7,21,45"): whole days, each at least 1, rising; or the rule they break.</summary>
    public static IReadOnlyList<int> ParseOffsets(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var offsets = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days)
                || days < 1 || days > 3650 || (offsets.Count > 0 && days <= offsets[^1]))
            {
                throw new DomainException(DomainErrors.CollectionOffsets, text ?? "");
            }

            offsets.Add(days);
        }

        return offsets.Count == 0 ? throw new DomainException(DomainErrors.CollectionOffsets, text ?? "") : offsets;
    }

    /// <summary>The day stage <paramref name="stage"/> (1-based) falls.</summary>
    public static LocalDate DateOf(LocalDate dueOn, IReadOnlyList<int> offsets, int stage)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        return dueOn.PlusDays(offsets[stage - 1]);
    }

    /// <summary>The latest stage fallen on <paramref name="today"/> (1-based), or null when none has yet.</summary>
    public static int? StageDue(LocalDate dueOn, IReadOnlyList<int> offsets, LocalDate today)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        int? stage = null;
        for (var i = 0; i < offsets.Count; i++)
        {
            if (dueOn.PlusDays(offsets[i]) <= today)
            {
                stage = i + 1;
            }
        }

        return stage;
    }
}
