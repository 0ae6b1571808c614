using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Renewals.Data.Model;
using PartnerContractRow = Renewals.Data.Model.PartnerContract;
using PolicyRow = Renewals.Data.Model.RenewalPolicy;

namespace Renewals.Data;

/// <summary>
/// The database of Renewals. Two providers share this model: SQLite (a file, one engine at
/// a time) and PostgreSQL (any number of instances). Each has its own migrations. The web's
/// sign-ins (ASP.NET Core Identity) live in the same database, so a user and the account it
/// is bound to change in one transaction; so do the keys that protect sign-in cookies and
/// form tokens, so any number of web instances accept each other's.
/// </summary>
public abstract class RenewalsDbContext(DbContextOptions options) : IdentityDbContext<WebUser, WebRole, long>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Account> Accounts => Set<Account>();

    public DbSet<Contact> Contacts => Set<Contact>();

    public DbSet<Advisor> Advisors => Set<Advisor>();

    public DbSet<Partner> Partners => Set<Partner>();

    public DbSet<PartnerContractRow> PartnerContracts => Set<PartnerContractRow>();

    public DbSet<ProductFamily> ProductFamilies => Set<ProductFamily>();

    public DbSet<Product> Products => Set<Product>();

    public DbSet<PolicyRow> Policies => Set<PolicyRow>();

    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    public DbSet<SubscriptionLine> SubscriptionLines => Set<SubscriptionLine>();

    public DbSet<Term> Terms => Set<Term>();

    public DbSet<Milestone> Milestones => Set<Milestone>();

    public DbSet<LicenceEntitlement> Entitlements => Set<LicenceEntitlement>();

    public DbSet<Invoice> Invoices => Set<Invoice>();

    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();

    public DbSet<PurchaseOrder> PurchaseOrders => Set<PurchaseOrder>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<SentMessageCopy> SentMessageCopies => Set<SentMessageCopy>();

    public DbSet<AdvisorTask> AdvisorTasks => Set<AdvisorTask>();

    public DbSet<CancellationNotice> CancellationNotices => Set<CancellationNotice>();

    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    public DbSet<InvoiceSequence> InvoiceSequences => Set<InvoiceSequence>();

    public DbSet<CreditNote> CreditNotes => Set<CreditNote>();

    public DbSet<CreditNoteSequence> CreditNoteSequences => Set<CreditNoteSequence>();

    public DbSet<ReviewMeeting> ReviewMeetings => Set<ReviewMeeting>();

    public DbSet<MessageTemplateVersion> MessageTemplateVersions => Set<MessageTemplateVersion>();

    public DbSet<AdoptionReview> AdoptionReviews => Set<AdoptionReview>();

    public DbSet<AdoptionReviewTopic> AdoptionReviewTopics => Set<AdoptionReviewTopic>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    public DbSet<CalendarFeed> CalendarFeeds => Set<CalendarFeed>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<CallbackRequest> CallbackRequests => Set<CallbackRequest>();

    public DbSet<FeedbackSurvey> FeedbackSurveys => Set<FeedbackSurvey>();

    public DbSet<AdvisorFeedbackAnswer> AdvisorFeedback => Set<AdvisorFeedbackAnswer>();
    public DbSet<NewsletterConsent> NewsletterConsents => Set<NewsletterConsent>();
    public DbSet<NewsletterIssue> NewsletterIssues => Set<NewsletterIssue>();
    public DbSet<NewsletterDelivery> NewsletterDeliveries => Set<NewsletterDelivery>();
    public DbSet<ConferenceEvent> ConferenceEvents => Set<ConferenceEvent>();

    public DbSet<ConferenceInvitation> ConferenceInvitations => Set<ConferenceInvitation>();

    public DbSet<ConferenceSlot> ConferenceSlots => Set<ConferenceSlot>();

    public DbSet<ConferenceMeeting> ConferenceMeetings => Set<ConferenceMeeting>();
    public DbSet<Payment> Payments => Set<Payment>();

    public DbSet<PaymentAllocation> PaymentAllocations => Set<PaymentAllocation>();

    public DbSet<InvoiceDispute> InvoiceDisputes => Set<InvoiceDispute>();

    public DbSet<StatementLine> StatementLines => Set<StatementLine>();

    public DbSet<CollectionStep> CollectionSteps => Set<CollectionStep>();
    public DbSet<Amendment> Amendments => Set<Amendment>();

    public DbSet<AmendmentLine> AmendmentLines => Set<AmendmentLine>();

    public DbSet<MidTermAdditionRow> MidTermAdditions => Set<MidTermAdditionRow>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.OnModelCreating(builder);
        var modelBuilder = builder;
        // Identity names its tables AspNet*; ours are snake_case like every other table.
        modelBuilder.Entity<WebRole>().ToTable("web_roles");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserRole<long>>().ToTable("web_user_roles");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<long>>().ToTable("web_user_claims");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<long>>().ToTable("web_user_logins");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<long>>().ToTable("web_user_tokens");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityRoleClaim<long>>().ToTable("web_role_claims");
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        modelBuilder.Entity<WebUser>(e =>
        {
            e.ToTable("web_users");
            e.Property(u => u.Language).HasMaxLength(2);
            e.HasOne<Account>().WithMany().HasForeignKey(u => u.AccountId);
            e.HasOne<Partner>().WithMany().HasForeignKey(u => u.PartnerId);
            e.HasOne<Advisor>().WithMany().HasForeignKey(u => u.AdvisorId);
        });

        modelBuilder.Entity<Account>(e =>
        {
            e.Property(a => a.Name).HasMaxLength(200);
            e.Property(a => a.Language).HasMaxLength(2);
            e.Property(a => a.TimeZoneId).HasMaxLength(64);
            e.Property(a => a.VatRate).HasPrecision(5, 4);
            e.Property(a => a.BillingAddress).HasMaxLength(500);
            e.Property(a => a.VatNumber).HasMaxLength(32);
            e.HasMany(a => a.Contacts).WithOne(c => c.Account).HasForeignKey(c => c.AccountId);
            e.HasMany(a => a.Subscriptions).WithOne(s => s.Account).HasForeignKey(s => s.AccountId);
            e.HasOne(a => a.Advisor).WithMany(a => a.Accounts).HasForeignKey(a => a.AdvisorId);
            e.HasOne(a => a.Partner).WithMany().HasForeignKey(a => a.PartnerId);
        });
        modelBuilder.Entity<Contact>(e =>
        {
            e.Property(c => c.Name).HasMaxLength(200);
            e.Property(c => c.Email).HasMaxLength(320);
            e.Property(c => c.Language).HasMaxLength(2);
            e.HasIndex(c => new { c.AccountId, c.Role });
        });
        modelBuilder.Entity<Advisor>(e =>
        {
            e.Property(a => a.Name).HasMaxLength(200);
            e.Property(a => a.Email).HasMaxLength(320);
            e.Property(a => a.Language).HasMaxLength(2);
        });
        modelBuilder.Entity<Partner>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.Email).HasMaxLength(320);
            e.HasMany(p => p.Contracts).WithOne(c => c.Partner).HasForeignKey(c => c.PartnerId);
        });
        modelBuilder.Entity<ProductFamily>(e =>
        {
            e.Property(f => f.Name).HasMaxLength(200);
            e.HasMany(f => f.Products).WithOne(p => p.Family).HasForeignKey(p => p.FamilyId);
        });
        modelBuilder.Entity<Product>(e =>
        {
            e.Property(p => p.Code).HasMaxLength(64);
            e.Property(p => p.Name).HasMaxLength(200);
            e.Property(p => p.YearlyUnitPrice).HasPrecision(18, 2);
            e.Property(p => p.Currency).HasMaxLength(3);
            e.HasIndex(p => p.Code).IsUnique();
        });
        modelBuilder.Entity<PolicyRow>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(100);
            e.Property(p => p.ReminderDays).HasMaxLength(100);
            e.HasIndex(p => p.Name).IsUnique();
            // The policy of product.md (check-in after 90 days, reminders at 120 and 60, 60 days' notice).
            e.HasData(new PolicyRow { Id = 1, Name = PolicyRow.DefaultName, CheckInDays = 90, ReminderDays = "120,60", NoticeDays = 60 });
        });
        modelBuilder.Entity<Subscription>(e =>
        {
            e.HasOne(s => s.Policy).WithMany().HasForeignKey(s => s.PolicyId);
            e.HasOne(s => s.PartnerContract).WithMany().HasForeignKey(s => s.PartnerContractId);
            e.HasMany(s => s.Lines).WithOne().HasForeignKey(l => l.SubscriptionId);
            e.HasMany(s => s.Terms).WithOne().HasForeignKey(t => t.SubscriptionId);
            e.Property(s => s.NewToCustomer).HasMaxLength(1000);
            e.HasIndex(s => s.AccountId);
        });
        modelBuilder.Entity<SubscriptionLine>(e =>
        {
            e.Property(l => l.YearlyUnitPrice).HasPrecision(18, 2);
            e.Property(l => l.Currency).HasMaxLength(3);
            e.HasOne(l => l.Product).WithMany().HasForeignKey(l => l.ProductId);
            e.HasIndex(l => l.SubscriptionId);
        });
        modelBuilder.Entity<Term>(e => e.HasIndex(t => new { t.SubscriptionId, t.Number }).IsUnique());
        modelBuilder.Entity<Milestone>(e =>
        {
            e.HasOne<Subscription>().WithMany().HasForeignKey(m => m.SubscriptionId);
            // The key that makes a second execution impossible.
            e.HasIndex(m => new { m.SubscriptionId, m.TermNumber, m.Kind, m.Variant }).IsUnique();
            // What the engine scans: pending rows by the instant they fall due. Partial, so a row
            // carried out leaves it and nothing is written into it for the new row version.
            e.HasIndex(m => new { m.DueAt, m.Id }).HasFilter("status = 0").HasDatabaseName("ix_milestones_pending_due_at_id");
            // The claim's "no earlier pending step of the same subscription" probe; partial likewise.
            e.HasIndex(m => new { m.SubscriptionId, m.DueAt }).HasFilter("status = 0").HasDatabaseName("ix_milestones_pending_subscription_id_due_at");
            e.Property(m => m.Outcome).HasMaxLength(64);
        });
        modelBuilder.Entity<LicenceEntitlement>(e =>
        {
            e.HasOne<Subscription>().WithMany().HasForeignKey(l => l.SubscriptionId);
            e.HasOne<Product>().WithMany().HasForeignKey(l => l.ProductId);
            e.HasIndex(l => new { l.SubscriptionId, l.ProductId, l.TermNumber }).IsUnique();
        });
        modelBuilder.Entity<Invoice>(e =>
        {
            e.Property(i => i.Currency).HasMaxLength(3);
            e.Property(i => i.Number).HasMaxLength(32);
            e.Property(i => i.PurchaseOrderNumber).HasMaxLength(64);
            e.Property(i => i.Net).HasPrecision(18, 2);
            e.Property(i => i.VatRate).HasPrecision(5, 4);
            e.Property(i => i.Total).HasPrecision(18, 2);
            e.HasOne<Subscription>().WithMany().HasForeignKey(i => i.SubscriptionId);
            e.HasOne<Contact>().WithMany().HasForeignKey(i => i.BillToContactId);
            // One invoice per milestone: a second execution cannot bill twice.
            e.HasIndex(i => i.MilestoneId).IsUnique();
            e.HasIndex(i => i.Number).IsUnique();
            e.HasIndex(i => i.AccountId);
            e.HasOne<Invoice>().WithMany().HasForeignKey(i => i.ReplacesInvoiceId);
            e.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId);
        });
        modelBuilder.Entity<InvoiceLine>(e =>
        {
            e.Property(l => l.Description).HasMaxLength(300);
            e.Property(l => l.UnitPrice).HasPrecision(18, 2);
            e.Property(l => l.Amount).HasPrecision(18, 2);
            e.HasIndex(l => l.InvoiceId);
        });
        modelBuilder.Entity<PurchaseOrder>(e =>
        {
            e.Property(p => p.Number).HasMaxLength(64);
            e.Property(p => p.Amount).HasPrecision(18, 2);
            // A number names one order of the account, whatever the code path that registers it.
            e.HasIndex(p => new { p.AccountId, p.Number }).IsUnique();
        });
        modelBuilder.Entity<CreditNote>(e =>
        {
            e.Property(c => c.Number).HasMaxLength(32);
            e.Property(c => c.Currency).HasMaxLength(3);
            e.Property(c => c.Reason).HasMaxLength(300);
            e.Property(c => c.Net).HasPrecision(18, 2);
            e.Property(c => c.VatRate).HasPrecision(5, 4);
            e.Property(c => c.Total).HasPrecision(18, 2);
            e.HasOne<Invoice>().WithMany().HasForeignKey(c => c.InvoiceId);
            e.HasOne<Account>().WithMany().HasForeignKey(c => c.AccountId);
            e.HasOne<Contact>().WithMany().HasForeignKey(c => c.BillToContactId);
            e.HasIndex(c => c.Number).IsUnique();
            // An invoice is credited once at most.
            e.HasIndex(c => c.InvoiceId).IsUnique();
            e.HasIndex(c => c.AccountId);
        });
        modelBuilder.Entity<CreditNoteSequence>(e =>
        {
            e.HasKey(q => q.Year);
            e.Property(q => q.Year).ValueGeneratedNever();
        });
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.Property(m => m.Template).HasMaxLength(64);
            e.Property(m => m.ToEmail).HasMaxLength(320);
            e.Property(m => m.Language).HasMaxLength(2);
            e.Property(m => m.MessageId).HasMaxLength(200);
            e.HasIndex(m => m.MessageId).IsUnique();
            // A milestone writes each message to each contact once.
            e.HasIndex(m => new { m.MilestoneId, m.Template, m.ContactId }).IsUnique();
            e.HasIndex(m => new { m.Status, m.NextAttemptAt });
            e.HasIndex(m => m.AccountId);
            e.HasIndex(m => m.MeetingId);
        });
        modelBuilder.Entity<SentMessageCopy>(e =>
        {
            e.HasKey(c => c.OutboxId);
            e.Property(c => c.OutboxId).ValueGeneratedNever();
            e.HasOne<OutboxMessage>().WithOne().HasForeignKey<SentMessageCopy>(c => c.OutboxId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<AdvisorTask>(e =>
        {
            e.Property(t => t.Kind).HasMaxLength(64);
            e.Property(t => t.Details).HasMaxLength(1000);
            e.Property(t => t.Outcome).HasMaxLength(2000);
            e.HasIndex(t => new { t.MilestoneId, t.Kind }).IsUnique();
            e.HasIndex(t => new { t.AdvisorId, t.Status });
            // The book's open check-ins per account: without it every book page reads every task ever made (LoadIndexes).
            e.HasIndex(t => new { t.AccountId, t.Kind, t.Status });
        });
        modelBuilder.Entity<CancellationNotice>(e =>
        {
            e.Property(n => n.SignedBy).HasMaxLength(200);
            e.Property(n => n.DocumentSha256).HasMaxLength(64);
            e.Property(n => n.LetterFile).HasMaxLength(300);
            e.HasOne<Subscription>().WithMany().HasForeignKey(n => n.SubscriptionId);
            e.HasIndex(n => n.SubscriptionId);
        });
        modelBuilder.Entity<InvoiceSequence>(e =>
        {
            e.HasKey(q => q.Year);
            e.Property(q => q.Year).ValueGeneratedNever();
        });
        modelBuilder.Entity<ReviewMeeting>(e =>
        {
            e.Property(m => m.Uid).HasMaxLength(200);
            e.Property(m => m.TimeZoneId).HasMaxLength(64);
            e.Property(m => m.Location).HasMaxLength(300);
            e.HasIndex(m => m.Uid).IsUnique();
            e.HasIndex(m => m.AccountId);
            e.HasOne<Account>().WithMany().HasForeignKey(m => m.AccountId);
            e.HasOne<Advisor>().WithMany().HasForeignKey(m => m.AdvisorId);
            e.HasOne<Contact>().WithMany().HasForeignKey(m => m.ContactId);
            e.HasOne<AdvisorTask>().WithMany().HasForeignKey(m => m.AdvisorTaskId);
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.Property(a => a.Actor).HasMaxLength(100);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.Entity).HasMaxLength(64);
            e.HasIndex(a => new { a.Entity, a.EntityId });
        });

        // Each later area keeps its tables' mapping beside its rows (IEntityTypeConfiguration).
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RenewalsDbContext).Assembly);
    }
}

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
