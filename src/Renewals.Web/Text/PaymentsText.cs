namespace Renewals.Web.Text;

/// <summary>The finance pages' words (payments, statements, disputes, invoice status): PaymentsText.resx (English) and PaymentsText.fr.resx.</summary>
public sealed class PaymentsText;
