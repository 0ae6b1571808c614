using System.Text.Json;

namespace Renewals.Core.Subscriptions;

/// <summary>
/// The products and product families a sale brought the customer for the first time. Stored
/// as JSON (in <c>Subscription.NewToCustomer</c> and the check-in task's details) so that each
/// reader words it in its own language.
/// </summary>
public sealed record NewToCustomer(IReadOnlyList<string> Products, IReadOnlyList<string> Families)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static NewToCustomer None { get; } = new([], []);

    public bool IsEmpty => Products.Count == 0 && Families.Count == 0;

    /// <summary>Null when the sale brought nothing new.</summary>
    public string? Serialize() => IsEmpty ? null : JsonSerializer.Serialize(new Stored([.. Products], [.. Families]), Json);

    public static NewToCustomer Parse(string? stored)
    {
        if (string.IsNullOrWhiteSpace(stored))
        {
            return None;
        }

        try
        {
            var value = JsonSerializer.Deserialize<Stored>(stored, Json);
            return value is null ? None : new NewToCustomer(value.Products ?? [], value.Families ?? []);
        }
        catch (JsonException)
        {
            return None;
        }
    }

    private sealed record Stored(string[]? Products, string[]? Families);
}
