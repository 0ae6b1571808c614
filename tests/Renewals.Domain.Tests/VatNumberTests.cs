using Renewals.Domain.Invoicing;

namespace Renewals.Domain.Tests;

/// <summary>VAT numbers by their country's shape; examples written by hand from the VIES formats.</summary>
public sealed class VatNumberTests
{
    [Theory]
    [InlineData("FR40303265045")]
    [InlineData("FRK7399859412")]
    [InlineData("DE123456789")]
    [InlineData("EL094259216")]
    [InlineData("XI123456789")]
    [InlineData("XIGD001")]
    [InlineData("GB123456789")]
    [InlineData("ATU12345678")]
    [InlineData("BE0123456789")]
    [InlineData("NL123456789B01")]
    [InlineData("ESX1234567X")]
    [InlineData("IE1234567WA")]
    [InlineData("SE123456789001")]
    [InlineData("CY12345678L")]
    public void A_number_in_its_countrys_shape_is_well_formed(string vat) => Assert.True(VatNumbers.IsWellFormed(vat));

    [Theory]
    [InlineData("NOTAVAT")]
    [InlineData("FR")]
    [InlineData("FR4030326504")] // one digit short
    [InlineData("GR094259216")] // Greece is EL in VAT numbers, not its ISO code
    [InlineData("DE12345678")]
    [InlineData("DE1234567890")]
    [InlineData("XX123456789")]
    [InlineData("NL123456789")]
    [InlineData("ATU1234567")]
    [InlineData("SE123456789012")]
    [InlineData("FRIO303265045")] // I and O are not used in the French key
    public void A_number_without_a_known_prefix_or_its_countrys_shape_is_refused(string vat) => Assert.False(VatNumbers.IsWellFormed(vat));
}
