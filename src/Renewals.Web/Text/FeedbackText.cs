namespace Renewals.Web.Text;

/// <summary>The feedback pages' words (the survey link, the web account's form, the admins' scorecard): FeedbackText.resx (English) and FeedbackText.fr.resx, read through IStringLocalizer&lt;FeedbackText&gt;.</summary>
public sealed class FeedbackText;
