namespace Renewals.Web.Text;

/// <summary>The words of the webhook admin pages and the calendar feeds: HooksText.resx (English) and HooksText.fr.resx.</summary>
public sealed class HooksText;
