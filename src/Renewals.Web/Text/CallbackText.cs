namespace Renewals.Web.Text;

/// <summary>The callback forms' and the callback task's words: CallbackText.resx (English) and CallbackText.fr.resx, read through IStringLocalizer&lt;CallbackText&gt;.</summary>
public sealed class CallbackText;
