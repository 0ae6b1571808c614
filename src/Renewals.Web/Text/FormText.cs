namespace Renewals.Web.Text;

/// <summary>The words of the page a form the framework cannot read gets: FormText.resx (English) and FormText.fr.resx, read through IStringLocalizer&lt;FormText&gt;.</summary>
public sealed class FormText;
