using System.Collections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Engagement;
using Renewals.Core.Hosting;
using Renewals.Core.Newsletter;
using Renewals.Core.Payments;
using Renewals.Data;
using Renewals.Domain.Payments;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteVendorTimeZoneTests() : VendorTimeZoneTests(DatabaseProvider.Sqlite);

public sealed class PostgresVendorTimeZoneTests() : VendorTimeZoneTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The vendor's zone is one setting beside the seller's (RENEWALS_SELLER_TIME_ZONE): a host
/// configured with America/Toronto dates the vendor's days there, composed by AddRenewals as the
/// web host composes it. Toronto is UTC-5 in winter, Paris UTC+1.
/// </summary>
public abstract class VendorTimeZoneTests(DatabaseProvider provider) : InvoiceDocumentTest(provider)
{
    [Fact]
    public async Task An_invoice_due_on_the_14th_is_not_yet_overdue_at_22_00_in_toronto_though_it_is_already_the_15th_in_paris()
    {
        var invoice = await IssueAsync();
        Assert.Equal(new LocalDate(2027, 2, 14), invoice.DueOn);
        // 15 February 03:00Z: 22:00 on the 14th in Toronto, 04:00 on the 15th in Paris.
        Clock.Reset(Instant.FromUtc(2027, 2, 15, 3, 0));

        await using var services = Host("America/Toronto");
        await using var scope = services.CreateAsyncScope();
        var toronto = await scope.ServiceProvider.GetRequiredService<PaymentService>().InvoicesAsync(new Actor.Finance("fiona"));
        await using var db = Database.Context();
        var placeholder = await new PaymentService(db, Clock, Invoicing.Seller.Default).InvoicesAsync(new Actor.Finance("fiona"));

        Assert.Equal(InvoiceStatus.Issued, Assert.Single(toronto).Status);
        Assert.Equal(InvoiceStatus.Overdue, Assert.Single(placeholder).Status);
    }

    [Fact]
    public async Task A_caller_with_no_account_is_called_back_the_next_business_day_at_the_same_toronto_time_and_an_issue_is_scheduled_in_toronto()
    {
        // Friday 4 December 2026 18:30 in Toronto (23:30Z; already Saturday 00:30 in Paris).
        Clock.Reset(Instant.FromUtc(2026, 12, 4, 23, 30));
        await using var services = Host("America/Toronto");
        await using (var scope = services.CreateAsyncScope())
        {
            var receipt = await scope.ServiceProvider.GetRequiredService<CallbackService>().RequestFromPublicAsync(new CallbackInput(
                "Sam Stone", "Initech", "sam@initech.example", "+1 416 555 0100", "Adding ten seats", CallbackWindows.Morning, "en"));
            Assert.Equal((new LocalDateTime(2026, 12, 7, 18, 30), "America/Toronto"), (receipt.DueAt, receipt.TimeZoneId));

            var newsletters = scope.ServiceProvider.GetRequiredService<NewsletterService>();
            var issue = await newsletters.SaveAsync(new Actor.Admin("alice"), null,
                new NewsletterDraft("Winter news", "Nouvelles d'hiver", "Hello.", "Bonjour.", "2027-01-15T09:00"));
            Assert.Equal(("America/Toronto", new LocalDateTime(2027, 1, 15, 9, 0)), (newsletters.VendorTimeZoneId, issue.ScheduledAt));
        }

        await using var check = Database.Context();
        // Monday 7 December 18:30 in Toronto is 23:30Z; 9:00 on 15 January there is 14:00Z.
        Assert.Equal(Instant.FromUtc(2026, 12, 7, 23, 30), await check.CallbackRequests.Select(r => r.DueAt).SingleAsync());
        Assert.Equal(Instant.FromUtc(2027, 1, 15, 14, 0), await check.NewsletterIssues.Select(i => i.ScheduledAt).SingleAsync());
    }

    [Fact]
    public void An_unknown_vendor_zone_stops_the_start_with_one_line_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder()
            .AddRenewalsEnvironmentVariables(new Hashtable { ["RENEWALS_SELLER_TIME_ZONE"] = "Europe/Atlantis" })
            .Build();

        var refused = Assert.Throws<SettingsException>(() => RenewalsSettings.Seller(configuration));

        Assert.Equal(("Renewals:Seller:TimeZone", "Europe/Atlantis"), (refused.Key, refused.Value));
        Assert.Equal("RENEWALS_SELLER_TIME_ZONE (Renewals:Seller:TimeZone) must be a time zone's IANA id such as Europe/Paris or America/Toronto, not 'Europe/Atlantis'.",
            refused.Message);
        Assert.Equal("Europe/Paris", RenewalsSettings.Seller(new ConfigurationBuilder().Build()).TimeZoneId);
    }

    private ServiceProvider Host(string zone)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Renewals:Database"] = Database.Setting })
            .AddRenewalsEnvironmentVariables(new Hashtable { ["RENEWALS_SELLER_TIME_ZONE"] = zone })
            .Build();
        return new ServiceCollection().AddSingleton<IClock>(Clock).AddRenewals(configuration).BuildServiceProvider();
    }
}
