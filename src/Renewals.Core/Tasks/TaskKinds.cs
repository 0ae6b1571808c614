namespace Renewals.Core.Tasks;

/// <summary>What an advisor is asked to do: stable codes stored on the task; their words are in each client's texts.</summary>
public static class TaskKinds
{
    /// <summary>Meet the customer at the check-in (with a recommended validation when the sale brought something new).</summary>
    public const string ScheduleReviewMeeting = "schedule-review-meeting";

    /// <summary>An invoice is due for an account that requires a purchase order and none covers it.</summary>
    public const string PurchaseOrderMissing = "purchase-order-missing";

    public static readonly IReadOnlyList<string> All = [ScheduleReviewMeeting, PurchaseOrderMissing];
}
