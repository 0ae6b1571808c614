using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Renewals.Core.Engagement;
using Renewals.Domain;
using Renewals.Domain.Text;
using Renewals.Web.Hosting;
using Renewals.Web.Text;

namespace Renewals.Web.Components.Callback;

/// <summary>What both callback pages do with a posted form: the spam checks, then the request through Core, then the words for the outcome.</summary>
public abstract class CallbackPage : ComponentBase
{
    [Inject] protected CallbackService Callbacks { get; set; } = default!;

    [Inject] private CallbackFormStamp Stamps { get; set; } = default!;

    [Inject] private NodaTime.IClock Clock { get; set; } = default!;

    [Inject] private Core.Invoicing.Seller Vendor { get; set; } = default!;

    [Inject] private IStringLocalizer<CallbackText> Words { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "callback")] protected CallbackFormInput? Input { get; set; }

    protected string? Error { get; private set; }

    protected string? Received { get; private set; }

    /// <summary>Sends the request the page stands for (the web account's or the public one).</summary>
    protected abstract Task<CallbackReceipt> RequestAsync(CallbackInput request);

    protected async Task SubmitAsync()
    {
        Input ??= new();
        var verdict = Stamps.Check(Input.Stamp);
        if (verdict != StampVerdict.Fine)
        {
            Error = Words[verdict == StampVerdict.TooFast ? "Callback.TooFast" : "Callback.Expired"];
            return;
        }

        if (!string.IsNullOrEmpty(Input.Website))
        {
            // A robot filled the hidden field: it is told what a person would be, and nothing is stored.
            Received = Words["Callback.Received", DomainText.LongDate(Domain.Engagement.CallbackDue.After(Clock.GetCurrentInstant().InZone(Vendor.Zone)).Date, CultureInfo.CurrentUICulture)];
            return;
        }

        try
        {
            var receipt = await RequestAsync(Input.ToRequest());
            Received = Words["Callback.Received", DomainText.LongDate(receipt.DueAt.Date, CultureInfo.CurrentUICulture)];
        }
        catch (DomainException refused)
        {
            Error = refused.Describe(CultureInfo.CurrentUICulture);
        }
    }
}
