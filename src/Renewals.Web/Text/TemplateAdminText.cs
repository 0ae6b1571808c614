namespace Renewals.Web.Text;

/// <summary>The words of the message template pages: TemplateAdminText.resx (English) and TemplateAdminText.fr.resx.</summary>
public sealed class TemplateAdminText;
