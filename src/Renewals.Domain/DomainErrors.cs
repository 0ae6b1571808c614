namespace Renewals.Domain;

/// <summary>The names of the rules that can refuse an input; each has a text in DomainStrings.</summary>
public static class DomainErrors
{
    public const string CustomerRequired = "Error.CustomerRequired";
    public const string InitialTermYears = "Error.InitialTermYears";
    public const string BillingModeUnknown = "Error.BillingModeUnknown";
    public const string TermNumber = "Error.TermNumber";
    public const string DateBeforeStart = "Error.DateBeforeStart";
    public const string CheckInOffset = "Error.CheckInOffset";
    public const string ReminderOffset = "Error.ReminderOffset";
    public const string ReminderOffsetsRepeated = "Error.ReminderOffsetsRepeated";
    public const string NoticeDays = "Error.NoticeDays";
    public const string PartnerRequired = "Error.PartnerRequired";
    public const string NoticeSignerRequired = "Error.NoticeSignerRequired";
    public const string NoticeDocumentHash = "Error.NoticeDocumentHash";
    public const string NoticeChannelUnknown = "Error.NoticeChannelUnknown";
    public const string NoticeFilerUnknown = "Error.NoticeFilerUnknown";
    public const string NoticeBeforeStart = "Error.NoticeBeforeStart";
    public const string NoticeMustComeFromPartner = "Error.NoticeMustComeFromPartner";
    public const string NoticeFromPartnerOnDirectSubscription = "Error.NoticeFromPartnerOnDirectSubscription";
    public const string WithdrawalAfterEffect = "Error.WithdrawalAfterEffect";
    public const string WithdrawalBeforeNotice = "Error.WithdrawalBeforeNotice";
    public const string AlreadyWithdrawn = "Error.AlreadyWithdrawn";
    public const string TimeZoneUnknown = "Error.TimeZoneUnknown";
    public const string LanguageUnknown = "Error.LanguageUnknown";
    public const string AccountUnknown = "Error.AccountUnknown";
    public const string PolicyUnknown = "Error.PolicyUnknown";
    public const string PartnerContractUnknown = "Error.PartnerContractUnknown";
    public const string ProductUnknown = "Error.ProductUnknown";
    public const string ContactsRequired = "Error.ContactsRequired";
    public const string ContactEmailInvalid = "Error.ContactEmailInvalid";
    public const string LinesRequired = "Error.LinesRequired";
    public const string LineQuantity = "Error.LineQuantity";
    public const string LinePrice = "Error.LinePrice";
    public const string LineCurrency = "Error.LineCurrency";
    public const string VatRate = "Error.VatRate";
    public const string SubscriptionUnknown = "Error.SubscriptionUnknown";
    public const string SubscriptionAlreadyEnded = "Error.SubscriptionAlreadyEnded";
    public const string SubscriptionOfAnotherAccount = "Error.SubscriptionOfAnotherAccount";
    public const string PurchaseOrderNumber = "Error.PurchaseOrderNumber";
    public const string PurchaseOrderAmount = "Error.PurchaseOrderAmount";
    public const string PurchaseOrderPeriod = "Error.PurchaseOrderPeriod";
    public const string PurchaseOrderDuplicate = "Error.PurchaseOrderDuplicate";

    // Review meetings
    public const string MeetingTarget = "Error.MeetingTarget";
    public const string AdvisorTaskUnknown = "Error.AdvisorTaskUnknown";
    public const string AdvisorTaskNotAReviewMeeting = "Error.AdvisorTaskNotAReviewMeeting";
    public const string AdvisorTaskAlreadyDone = "Error.AdvisorTaskAlreadyDone";
    public const string AccountWithoutAdvisor = "Error.AccountWithoutAdvisor";
    public const string AccountWithoutContact = "Error.AccountWithoutContact";
    public const string ContactUnknown = "Error.ContactUnknown";
    public const string ContactOfAnotherAccount = "Error.ContactOfAnotherAccount";
    public const string MeetingDuration = "Error.MeetingDuration";
    public const string MeetingInThePast = "Error.MeetingInThePast";
    public const string MeetingInClockChangeGap = "Error.MeetingInClockChangeGap";
    public const string MeetingLocationTooLong = "Error.MeetingLocationTooLong";
    public const string MeetingUnknown = "Error.MeetingUnknown";
    public const string MeetingCancelled = "Error.MeetingCancelled";
    public const string MeetingAlreadyCancelled = "Error.MeetingAlreadyCancelled";
    public const string MeetingAlreadyHeld = "Error.MeetingAlreadyHeld";
    public const string MeetingUnchanged = "Error.MeetingUnchanged";
    public const string MeetingChangedMeanwhile = "Error.MeetingChangedMeanwhile";
    public const string LineProductRepeated = "Error.LineProductRepeated";
    public const string LinesCurrencyMixed = "Error.LinesCurrencyMixed";

    // Operations at the command line (issue 8): notices against the clock, catalogue, partners
    public const string NoticeInFuture = "Error.NoticeInFuture";
    public const string NoticeBeforeCurrentTerm = "Error.NoticeBeforeCurrentTerm";
    public const string SubscriptionAlreadyEnding = "Error.SubscriptionAlreadyEnding";
    public const string NoticeUnknown = "Error.NoticeUnknown";
    public const string ProductCode = "Error.ProductCode";
    public const string ProductNameRequired = "Error.ProductNameRequired";
    public const string ProductFamilyRequired = "Error.ProductFamilyRequired";
    public const string ProductDuplicate = "Error.ProductDuplicate";
    public const string LinePriceMissing = "Error.LinePriceMissing";
    public const string PartnerNameRequired = "Error.PartnerNameRequired";
    public const string PartnerEmailInvalid = "Error.PartnerEmailInvalid";
    public const string PartnerUnknown = "Error.PartnerUnknown";
    public const string AdvisorUnknown = "Error.AdvisorUnknown";
    public const string VatNumberInvalid = "Error.VatNumberInvalid";
    public const string BillingAddressInvalid = "Error.BillingAddressInvalid";
    public const string ContactRoleTaken = "Error.ContactRoleTaken";

    // Reissuing an invoice with its purchase order
    public const string ReissueInvoiceUnknown = "Error.ReissueInvoiceUnknown";
    public const string ReissueAlreadyCredited = "Error.ReissueAlreadyCredited";
    public const string ReissueSamePurchaseOrder = "Error.ReissueSamePurchaseOrder";
    public const string ReissueNoPurchaseOrder = "Error.ReissueNoPurchaseOrder";

    // Advisor workspace, partner portal and administration (issue 10)
    public const string AdvisorTaskTaken = "Error.AdvisorTaskTaken";
    public const string AdvisorTaskClosed = "Error.AdvisorTaskClosed";
    public const string AdvisorTaskOutcomeRequired = "Error.AdvisorTaskOutcomeRequired";
    public const string AdministratorsOnly = "Error.AdministratorsOnly";
    public const string AdvisorNameRequired = "Error.AdvisorNameRequired";
    public const string AdvisorEmailInvalid = "Error.AdvisorEmailInvalid";

    // A review meeting's outcome and adoption review
    public const string MeetingOutcomeTooEarly = "Error.MeetingOutcomeTooEarly";
    public const string MeetingOutcomeOfCancelled = "Error.MeetingOutcomeOfCancelled";
    public const string MeetingOutcomeAlreadyRecorded = "Error.MeetingOutcomeAlreadyRecorded";
    public const string AdoptionReviewEmpty = "Error.AdoptionReviewEmpty";
    public const string AdoptionReviewTooLong = "Error.AdoptionReviewTooLong";
    public const string AdoptionReviewTopicUnknown = "Error.AdoptionReviewTopicUnknown";

    // Selling against the clock
    public const string SaleStartInPast = "Error.SaleStartInPast";
    public const string ImportStartInFuture = "Error.ImportStartInFuture";

    // Names and codes the command line let through
    public const string AccountNameRequired = "Error.AccountNameRequired";
    public const string ContactNameRequired = "Error.ContactNameRequired";
    public const string NameUnprintable = "Error.NameUnprintable";
    public const string CurrencyUnknown = "Error.CurrencyUnknown";
    public const string BillingAddressRequired = "Error.BillingAddressRequired";

    // Message templates edited by administrators (issue 10)
    public const string TemplateUnknown = "Error.TemplateUnknown";
    public const string TemplateSubjectDoesNotParse = "Error.TemplateSubjectDoesNotParse";
    public const string TemplateTextDoesNotParse = "Error.TemplateTextDoesNotParse";
    public const string TemplateHtmlDoesNotParse = "Error.TemplateHtmlDoesNotParse";
    public const string TemplateDoesNotRender = "Error.TemplateDoesNotRender";
    public const string TemplateSubjectEmpty = "Error.TemplateSubjectEmpty";
    public const string TemplateVersionUnknown = "Error.TemplateVersionUnknown";
    public const string TemplateTooLong = "Error.TemplateTooLong";

    // Webhooks (issue 12)
    public const string WebhookUrlInvalid = "Error.WebhookUrlInvalid";

    public const string WebhookUrlPrivate = "Error.WebhookUrlPrivate";
    public const string WebhookEventTypesRequired = "Error.WebhookEventTypesRequired";
    public const string WebhookEventTypeUnknown = "Error.WebhookEventTypeUnknown";
    public const string WebhookEndpointUnknown = "Error.WebhookEndpointUnknown";
    public const string WebhookDeliveryUnknown = "Error.WebhookDeliveryUnknown";

    // API keys (issue 12)
    public const string ApiKeyUnknown = "Error.ApiKeyUnknown";
    public const string ApiKeyAlreadyRevoked = "Error.ApiKeyAlreadyRevoked";
    public const string ApiKeyName = "Error.ApiKeyName";

    public const string CallbackNameRequired = "Error.CallbackNameRequired";
    public const string CallbackCompanyRequired = "Error.CallbackCompanyRequired";
    public const string CallbackEmailInvalid = "Error.CallbackEmailInvalid";
    public const string CallbackPhoneInvalid = "Error.CallbackPhoneInvalid";
    public const string CallbackSubjectRequired = "Error.CallbackSubjectRequired";
    public const string CallbackWindowUnknown = "Error.CallbackWindowUnknown";

    // Feedback on the advisor (issue 11)
    public const string FeedbackUsefulRequired = "Error.FeedbackUsefulRequired";
    public const string FeedbackRatingOutOfRange = "Error.FeedbackRatingOutOfRange";
    public const string FeedbackCommentTooLong = "Error.FeedbackCommentTooLong";
    public const string FeedbackNoAdvisor = "Error.FeedbackNoAdvisor";
    // The monthly newsletter (issue 11)
    public const string NewsletterSubjectRequired = "Error.NewsletterSubjectRequired";
    public const string NewsletterTextRequired = "Error.NewsletterTextRequired";
    public const string NewsletterTextTooLong = "Error.NewsletterTextTooLong";
    public const string NewsletterScheduleInPast = "Error.NewsletterScheduleInPast";
    public const string NewsletterScheduleInvalid = "Error.NewsletterScheduleInvalid";
    public const string NewsletterIssueUnknown = "Error.NewsletterIssueUnknown";
    public const string NewsletterIssueAlreadySent = "Error.NewsletterIssueAlreadySent";
    public const string NewsletterIssueNotScheduled = "Error.NewsletterIssueNotScheduled";
    public const string NewsletterConsentSourceUnknown = "Error.NewsletterConsentSourceUnknown";
    // The user conference (issue 11)
    public const string ConferenceNameRequired = "Error.ConferenceNameRequired";
    public const string ConferenceCityRequired = "Error.ConferenceCityRequired";
    public const string ConferenceVenueRequired = "Error.ConferenceVenueRequired";
    public const string ConferenceAddressRequired = "Error.ConferenceAddressRequired";
    public const string ConferenceDates = "Error.ConferenceDates";
    public const string ConferenceTooLong = "Error.ConferenceTooLong";
    public const string ConferenceUnknown = "Error.ConferenceUnknown";
    public const string ConferenceOver = "Error.ConferenceOver";
    public const string ConferenceSlotOutsideEvent = "Error.ConferenceSlotOutsideEvent";
    public const string ConferenceSlotLength = "Error.ConferenceSlotLength";
    public const string ConferenceSlotOverlap = "Error.ConferenceSlotOverlap";
    public const string ConferenceSlotUnknown = "Error.ConferenceSlotUnknown";
    public const string ConferenceSlotTaken = "Error.ConferenceSlotTaken";
    public const string ConferenceSlotRequired = "Error.ConferenceSlotRequired";
    public const string ConferenceMeetingUnknown = "Error.ConferenceMeetingUnknown";
    public const string ConferenceMeetingAnswered = "Error.ConferenceMeetingAnswered";
    public const string ConferenceAlreadyBooked = "Error.ConferenceAlreadyBooked";
    public const string ConferenceNotInvited = "Error.ConferenceNotInvited";
    public const string ConferenceInvitationsMeanwhile = "Error.ConferenceInvitationsMeanwhile";
    // Payments and collections (issue 14)
    public const string CollectionOffsets = "Error.CollectionOffsets";
    public const string PaymentAmount = "Error.PaymentAmount";
    public const string PaymentCurrency = "Error.PaymentCurrency";
    public const string PaymentDateInFuture = "Error.PaymentDateInFuture";
    public const string PaymentDate = "Error.PaymentDate";
    public const string PaymentReference = "Error.PaymentReference";
    public const string PaymentInvoicesRequired = "Error.PaymentInvoicesRequired";
    public const string InvoiceUnknown = "Error.InvoiceUnknown";
    public const string InvoiceNothingOwed = "Error.InvoiceNothingOwed";
    public const string PaymentCurrencyMismatch = "Error.PaymentCurrencyMismatch";
    public const string PaymentExceedsBalance = "Error.PaymentExceedsBalance";
    public const string DisputeReasonRequired = "Error.DisputeReasonRequired";
    public const string InvoiceAlreadyDisputed = "Error.InvoiceAlreadyDisputed";
    public const string InvoiceNotDisputed = "Error.InvoiceNotDisputed";
    public const string StatementLineUnknown = "Error.StatementLineUnknown";
    public const string StatementLineAlreadySettled = "Error.StatementLineAlreadySettled";
    public const string StatementEmpty = "Error.StatementEmpty";
    public const string StatementHeader = "Error.StatementHeader";
    public const string StatementTooLarge = "Error.StatementTooLarge";
    public const string StatementLine = "Error.StatementLine";
    public const string StatementTransactionRepeated = "Error.StatementTransactionRepeated";
    public const string FinanceOnly = "Error.FinanceOnly";
    public const string StatementTransactionId = "Error.StatementTransactionId";
    public const string StatementMalformed = "Error.StatementMalformed";
    public const string StatementFieldCount = "Error.StatementFieldCount";
    public const string StatementFieldLineBreak = "Error.StatementFieldLineBreak";
    // Amending the coming term (issue 14)
    public const string AmendmentAfterDeadline = "Error.AmendmentAfterDeadline";
    public const string AmendmentOverrideAdministratorsOnly = "Error.AmendmentOverrideAdministratorsOnly";
    public const string AmendmentTermStarted = "Error.AmendmentTermStarted";
    public const string AmendmentReasonRequired = "Error.AmendmentReasonRequired";
    public const string AmendmentLinesRequired = "Error.AmendmentLinesRequired";
    public const string AmendmentDiscount = "Error.AmendmentDiscount";
    public const string AmendmentUnknown = "Error.AmendmentUnknown";
    public const string AmendmentNotOpen = "Error.AmendmentNotOpen";
    public const string AmendmentAlreadyConfirmed = "Error.AmendmentAlreadyConfirmed";
    public const string AmendmentSignedOrderRequired = "Error.AmendmentSignedOrderRequired";
    public const string AmendmentSubscriptionNotRenewing = "Error.AmendmentSubscriptionNotRenewing";
    public const string AdditionOutsideTerm = "Error.AdditionOutsideTerm";
    // Payments reversed and statement lines dismissed (issue 14, rest)
    public const string PaymentUnknown = "Error.PaymentUnknown";
    public const string PaymentAlreadyReversed = "Error.PaymentAlreadyReversed";
    public const string ReversalReasonRequired = "Error.ReversalReasonRequired";
    public const string DismissReasonRequired = "Error.DismissReasonRequired";
    public const string StatementLineNotWaiting = "Error.StatementLineNotWaiting";
    // A different renewal length (issue 14)
    public const string RenewalYears = "Error.RenewalYears";
    public const string AmendmentRenewalYears = "Error.AmendmentRenewalYears";
}
