namespace Renewals.Web.Text;

/// <summary>The web's words: PortalText.resx (English) and PortalText.fr.resx, read through IStringLocalizer&lt;PortalText&gt;.</summary>
public sealed class PortalText;
