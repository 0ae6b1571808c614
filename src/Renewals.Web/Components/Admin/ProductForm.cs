using System.Globalization;
using Microsoft.Extensions.Localization;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Admin;

/// <summary>Reads a product form's price as typed in the user's language; an empty price and currency mean no list price.</summary>
internal static class ProductForm
{
    public static bool TryRead(string? priceText, string? currencyText, IStringLocalizer<AdminText> text, out decimal? price, out string? currency, out string? error)
    {
        price = null;
        currency = string.IsNullOrWhiteSpace(currencyText) ? null : currencyText.Trim();
        error = null;
        if (string.IsNullOrWhiteSpace(priceText))
        {
            return true;
        }

        var culture = CultureInfo.CurrentUICulture;
        var typed = priceText.Trim().Replace("\u00a0", "", StringComparison.Ordinal).Replace("\u202f", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (decimal.TryParse(typed, NumberStyles.Number, culture, out var value) || decimal.TryParse(typed, NumberStyles.Number, CultureInfo.InvariantCulture, out value))
        {
            price = value;
            return true;
        }

        error = text["Error.Price", priceText];
        return false;
    }
}
