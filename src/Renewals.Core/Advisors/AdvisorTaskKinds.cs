namespace Renewals.Core.Advisors;

/// <summary>The kinds of advisor task, as stored in <c>AdvisorTask.Kind</c>: one list, so pages and filters never spell them.</summary>
public static class AdvisorTaskKinds
{
    /// <summary>The check-in: schedule a review meeting (the details name what is new to the customer).</summary>
    public const string CheckIn = Tasks.TaskService.CheckInKind;

    /// <summary>A renewal needs a purchase order and none is registered by the last reminder.</summary>
    public const string PurchaseOrderMissing = "purchase-order-missing";

    /// <summary>A written notice arrived: call the customer.</summary>
    public const string NoticeReceived = "notice-received";

    /// <summary>The customer asked to be called back.</summary>
    public const string Callback = "callback";

    public static IReadOnlyList<string> All { get; } = [CheckIn, PurchaseOrderMissing, NoticeReceived, Callback];

    public static bool IsKnown(string kind) => All.Contains(kind, StringComparer.Ordinal);
}
