namespace Renewals.Web.Text;

/// <summary>The newsletter's words (admin pages, the web account's page, the unsubscribe page): NewsletterText.resx (English) and NewsletterText.fr.resx.</summary>
public sealed class NewsletterText;
