namespace Renewals.Web.Text;

/// <summary>The advisor workspace's meeting and posted-notice words: WorkspaceText.resx (English) and WorkspaceText.fr.resx, read through IStringLocalizer&lt;WorkspaceText&gt;.</summary>
public sealed class WorkspaceText;
