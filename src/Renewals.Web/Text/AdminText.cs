namespace Renewals.Web.Text;

/// <summary>The administration's words: AdminText.resx (English) and AdminText.fr.resx, read through IStringLocalizer&lt;AdminText&gt;.</summary>
public sealed class AdminText;
