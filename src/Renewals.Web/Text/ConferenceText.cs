namespace Renewals.Web.Text;

/// <summary>The user conference's words (admin, advisor and customer pages): ConferenceText.resx (English) and ConferenceText.fr.resx.</summary>
public sealed class ConferenceText;
