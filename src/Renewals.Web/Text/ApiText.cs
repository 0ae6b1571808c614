namespace Renewals.Web.Text;

/// <summary>The API's words (problem titles, field reasons): ApiText.resx (English) and ApiText.fr.resx, read through IStringLocalizer&lt;ApiText&gt;.</summary>
public sealed class ApiText;
