namespace Renewals.Domain;

/// <summary>The names people give accounts, contacts, advisors, partners and products.</summary>
public static class Names
{
    /// <summary>
    /// Refuses a blank name with <paramref name="requiredCode"/>, and a name holding a control character
    /// (a null, a tab, a line break, an escape), which no letter, screen or invoice could print.
    /// </summary>
    public static void MustBeGiven(string? name, string requiredCode)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new DomainException(requiredCode);
        }

        if (name.Any(char.IsControl))
        {
            throw new DomainException(DomainErrors.NameUnprintable);
        }
    }
}
