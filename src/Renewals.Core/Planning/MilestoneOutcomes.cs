namespace Renewals.Core.Planning;

/// <summary>What a milestone did, or why it was skipped: stable codes stored on the row.</summary>
public static class MilestoneOutcomes
{
    // Done
    public const string Welcomed = "welcomed-and-invoiced";
    public const string Invoiced = "invoiced";
    public const string AdvisorTaskCreated = "advisor-task-created";
    public const string Reminded = "reminded";
    public const string RenewalCertain = "renewal-certain";
    public const string SubscriptionEnding = "subscription-ending";
    public const string Renewed = "renewed";
    public const string Ended = "ended";

    // Skipped
    public const string BeforeImport = "skipped:before-import";
    public const string RenewalDatePassed = "skipped:renewal-date-passed";
    public const string SupersededByLaterReminder = "skipped:superseded-by-later-reminder";
    public const string CancellationFiled = "skipped:cancellation-filed";
    public const string SubscriptionEnded = "skipped:subscription-ended";
    public const string TermOver = "skipped:term-over";
    public const string NoContact = "skipped:no-contact";

    /// <summary>Every outcome, so that each client can be checked to have words for all of them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Welcomed, Invoiced, AdvisorTaskCreated, Reminded, RenewalCertain, SubscriptionEnding, Renewed, Ended,
        BeforeImport, RenewalDatePassed, SupersededByLaterReminder, CancellationFiled, SubscriptionEnded, TermOver, NoContact,
    ];
}
