using Renewals.Core.Messaging;
using Renewals.Data;

namespace Renewals.Core.Hosting;

/// <summary>
/// Where Renewals keeps its data and how it reaches people. Bound from the "Renewals" section
/// of the configuration; the RENEWALS_* environment variables of docs/operations.md land there
/// too (see <see cref="RenewalsSettings"/>).
/// </summary>
public sealed class RenewalsOptions
{
    public const string Section = "Renewals";

    /// <summary>A SQLite file, or a PostgreSQL connection string (Host=...).</summary>
    public string Database { get; set; } = RenewalsDatabase.DefaultSqliteFile;

    /// <summary>The folder of .eml files when no SMTP server is set; null: "pickup" beside the SQLite file.</summary>
    public string? PickupFolder { get; set; }

    /// <summary>Where uploaded letters are kept, outside the web root; null: "letters" beside the SQLite file.</summary>
    public string? LettersFolder { get; set; }

    /// <summary>The message templates' folder; null: the templates shipped with the program.</summary>
    public string? TemplatesFolder { get; set; }

    /// <summary>The PEM private key that signs licence files; null: beside the SQLite file.</summary>
    public string? LicenceKey { get; set; }

    /// <summary>The customer web account, linked from every message.</summary>
    public string PortalUrl { get; set; } = "http://localhost:5000";

    public string MailFromName { get; set; } = "Renewals";

    public string MailFromAddress { get; set; } = "renewals@vendor.example";

    /// <summary>Messages one dispatcher delivers at once, each in its own transaction over its own SMTP connection (<see cref="DeliveryOptions.DeliveryWorkers"/>).</summary>
    public int DeliveryWorkers { get; set; } = DeliveryOptions.DefaultDeliveryWorkers;
}

/// <summary>The SMTP server; when <see cref="Host"/> is empty, messages go to the pickup folder.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Renewals:Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    public SmtpTls Tls { get; set; } = SmtpTls.Auto;

    public string? User { get; set; }

    public string? Password { get; set; }
}

/// <summary>
/// Demo mode: an empty database is filled with a generated book and demo sign-ins that share
/// one published password. Off unless configured: never in a real deployment.
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "Renewals:Demo";

    /// <summary>The demo sign-ins' password; printed at start, so only ever for demos.</summary>
    public const string Password = "Demo-renewals-2027";

    public bool Enabled { get; set; }

    public int Subscriptions { get; set; } = 300;

    public int Seed { get; set; } = 2027;

    /// <summary>The book is made this many days ago and the engine run day by day up to today, so messages and invoices exist.</summary>
    public int HistoryDays { get; set; } = 120;
}

/// <summary>How often the hosted engine and dispatcher work.</summary>
public sealed class EngineScheduleOptions
{
    public const string Section = "Renewals:Engine";

    /// <summary>Minutes between two engine runs (one runs at start); null: at each start of a day in the accounts' zones.</summary>
    public int? IntervalMinutes { get; set; }

    /// <summary>Seconds between two passes over the outbox.</summary>
    public int DispatchSeconds { get; set; } = 30;
}
