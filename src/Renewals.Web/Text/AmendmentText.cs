namespace Renewals.Web.Text;

/// <summary>The words of the amend pages (advisor, administrator) and the customer's confirmation page: AmendmentText.resx (English) and AmendmentText.fr.resx.</summary>
public sealed class AmendmentText;
