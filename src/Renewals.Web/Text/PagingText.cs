namespace Renewals.Web.Text;

/// <summary>The words of paged lists (the advisor's book and task queue, the partner's customers): PagingText.resx (English) and PagingText.fr.resx, read through IStringLocalizer&lt;PagingText&gt;.</summary>
public sealed class PagingText;
