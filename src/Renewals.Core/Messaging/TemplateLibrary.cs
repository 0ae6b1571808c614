using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Fluid;

namespace Renewals.Core.Messaging;

/// <summary>The three parts of a message, each a Liquid file an admin can edit.</summary>
public enum TemplatePart
{
    Subject,
    Html,
    Text,
}

/// <summary>
/// The message templates: one folder per language (<c>fr/</c>, <c>en/</c>), and in each, for a
/// kind such as <c>reminder</c>, the files <c>reminder.subject.liquid</c>,
/// <c>reminder.html.liquid</c> and <c>reminder.txt.liquid</c>, plus <c>_layout.html.liquid</c>
/// around every HTML part. Files are read and parsed once; a file that does not parse is
/// reported with its name and line, and any message that needs it is refused.
/// </summary>
public sealed partial class TemplateLibrary
{
    public const string EnvironmentVariable = "RENEWALS_TEMPLATES";
    public const string LayoutName = "_layout";

    /// <summary>Every kind of message the product sends.</summary>
    public static readonly IReadOnlyList<string> Kinds =
    [
        MessageKinds.ConfirmationLetter, MessageKinds.Welcome, MessageKinds.Invoice, MessageKinds.ReviewInvitation,
        MessageKinds.ReviewCancelled, MessageKinds.Reminder, MessageKinds.CancellationAcknowledgement,
        MessageKinds.RenewalConfirmation, MessageKinds.LicenceAvailable, MessageKinds.SubscriptionEnded,
        MessageKinds.CancellationWithdrawn,
        MessageKinds.CreditNote,
        MessageKinds.PasswordReset, MessageKinds.WebInvitation,
        MessageKinds.CallbackAcknowledgement,
        MessageKinds.FeedbackSurvey,
        MessageKinds.Newsletter,
        MessageKinds.ConferenceInvitation, MessageKinds.ConferenceMeetingConfirmed,
        MessageKinds.PaymentReminder,
    ];

    public static readonly IReadOnlyList<string> Languages = ["en", "fr"];

    private static readonly FluidParser Parser = new();
    private readonly ConcurrentDictionary<string, Lazy<ParsedTemplate>> _cache = new(StringComparer.Ordinal);

    // Stored versions, parsed once per body: keyed by the text itself, so a new version is a
    // new key and nothing stale can be served, in this process or another.
    private readonly ConcurrentDictionary<(string Name, string Source), Lazy<ParsedTemplate>> _stored = new();
    private const int MaxStoredParsed = 1000;

    public TemplateLibrary(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The templates shipped with Renewals, copied beside the program.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "Messaging", "Templates");

    /// <summary>The configured folder (RENEWALS_TEMPLATES) or the shipped templates.</summary>
    public static TemplateLibrary FromSetting(string? directory) =>
        new(string.IsNullOrWhiteSpace(directory) ? DefaultDirectory : directory);

    public string Directory { get; }

    /// <summary>The file name of a part, relative to <see cref="Directory"/>: <c>fr/reminder.html.liquid</c>.</summary>
    public static string FileName(string kind, string language, TemplatePart part) =>
        Path.Combine(language, $"{kind}.{Extension(part)}.liquid");

    /// <summary>The parsed template, or a <see cref="TemplateException"/> naming the file and line.</summary>
    public IFluidTemplate Get(string kind, string language, TemplatePart part)
    {
        var name = FileName(kind, language, part);
        var parsed = _cache.GetOrAdd(name, n => new Lazy<ParsedTemplate>(() => Parse(n))).Value;
        return parsed.Template ?? throw parsed.Error!;
    }

    /// <summary>
    /// The part as it will be used: the current stored version in <paramref name="stored"/> when
    /// there is one, else the shipped file.
    /// </summary>
    public IFluidTemplate Get(string kind, string language, TemplatePart part, StoredTemplates? stored)
    {
        if (stored?.Body(kind, language, part) is not { } body)
        {
            return Get(kind, language, part);
        }

        if (_stored.Count >= MaxStoredParsed)
        {
            // Old versions pile up as admins save; drop them all and parse again what is still used.
            _stored.Clear();
        }

        var name = FileName(kind, language, part);
        var parsed = _stored.GetOrAdd((name, body), k => new Lazy<ParsedTemplate>(() => ParseSource(k.Name, k.Source))).Value;
        return parsed.Template ?? throw parsed.Error!;
    }

    /// <summary>The shipped text of a part (what an admin starts from), or a <see cref="TemplateException"/> when the file is missing.</summary>
    public string ShippedSource(string kind, string language, TemplatePart part)
    {
        var name = FileName(kind, language, part);
        var path = Path.Combine(Directory, name);
        return File.Exists(path) ? File.ReadAllText(path) : throw new TemplateException(name, null, $"the file is missing from {Directory}");
    }

    /// <summary>Parses a text as the part <paramref name="name"/>; null when it parses, else what is wrong and where.</summary>
    public static TemplateException? Check(string name, string source) => ParseSource(name, source).Error;

    /// <summary>Parses every template of every kind and language; returns what is wrong, empty when all is well.</summary>
    public IReadOnlyList<TemplateException> Check()
    {
        var errors = new List<TemplateException>();
        foreach (var language in Languages)
        {
            foreach (var (kind, part) in Kinds.SelectMany(k => Enum.GetValues<TemplatePart>().Select(p => (k, p)))
                         .Append((LayoutName, TemplatePart.Html)))
            {
                try
                {
                    Get(kind, language, part);
                }
                catch (TemplateException error)
                {
                    errors.Add(error);
                }
            }
        }

        return errors;
    }

    private ParsedTemplate Parse(string name)
    {
        var path = Path.Combine(Directory, name);
        if (!File.Exists(path))
        {
            return new ParsedTemplate(null, new TemplateException(name, null, $"the file is missing from {Directory}"));
        }

        return ParseSource(name, File.ReadAllText(path));
    }

    private static ParsedTemplate ParseSource(string name, string source)
    {
        if (Parser.TryParse(source, out var template, out var error))
        {
            return UnboundedRange(template) is { } range
                ? new ParsedTemplate(null, new TemplateException(name, null, range))
                : new ParsedTemplate(template, null);
        }

        // Fluid words its errors "... at (line:column)".
        var position = Position().Match(error);
        int? line = position.Success ? int.Parse(position.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        int? column = position.Success ? int.Parse(position.Groups[2].Value, CultureInfo.InvariantCulture) : null;
        return new ParsedTemplate(null, new TemplateException(name, line, error, column));
    }

    /// <summary>The most numbers a range such as <c>(1..12)</c> may hold in a template.</summary>
    public const int MaxRangeItems = 10_000;

    /// <summary>
    /// Why a range in the template is refused, or null. Fluid makes every number of a range before
    /// a loop starts (a hundred million of them take gigabytes, whatever the step limit), so a range
    /// must be written with numbers, holding at most <see cref="MaxRangeItems"/>.
    /// </summary>
    private static string? UnboundedRange(IFluidTemplate template)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object>([template]);
        while (pending.TryPop(out var node))
        {
            if (!seen.Add(node))
            {
                continue;
            }

            if (node is Fluid.Ast.RangeExpression range)
            {
                if (range.From is not Fluid.Ast.LiteralExpression { Value: Fluid.Values.NumberValue from }
                    || range.To is not Fluid.Ast.LiteralExpression { Value: Fluid.Values.NumberValue to }
                    || to.ToNumberValue() - from.ToNumberValue() >= MaxRangeItems)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"a range such as (1..12) is written with numbers and holds at most {MaxRangeItems} of them");
                }
            }

            // The parsed template is a tree of Fluid.Ast nodes: statements, expressions and lists of them.
            foreach (var property in node.GetType().GetProperties())
            {
                if (property.GetIndexParameters().Length > 0 || property.GetValue(node) is not { } value || value is string)
                {
                    continue;
                }

                if (value is System.Collections.IEnumerable items)
                {
                    foreach (var item in items)
                    {
                        if (item is not null && IsNode(item))
                        {
                            pending.Push(item);
                        }
                    }
                }
                else if (IsNode(value))
                {
                    pending.Push(value);
                }
            }
        }

        return null;
    }

    private static bool IsNode(object value) =>
        value.GetType().Namespace is { } space && (space.StartsWith("Fluid.Ast", StringComparison.Ordinal) || space.StartsWith("Fluid.Parser", StringComparison.Ordinal));

    private static string Extension(TemplatePart part) => part switch
    {
        TemplatePart.Subject => "subject",
        TemplatePart.Html => "html",
        TemplatePart.Text => "txt",
    };

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex Position();

    private sealed record ParsedTemplate(IFluidTemplate? Template, TemplateException? Error);
}

/// <summary>A template that cannot be used: its file name, the line where it breaks, and why.</summary>
public sealed class TemplateException(string template, int? line, string reason, int? column = null)
    : Exception(line is { } l
        ? string.Create(CultureInfo.InvariantCulture, $"template {template}, line {l}: {reason}")
        : $"template {template}: {reason}")
{
    public string Template { get; } = template;

    public int? Line { get; } = line;

    public int? Column { get; } = column;

    public string Reason { get; } = reason;
}

/// <summary>The names of the message kinds (the outbox's <c>template</c> column).</summary>
public static class MessageKinds
{
    public const string ConfirmationLetter = "confirmation-letter";
    public const string Welcome = "welcome";
    public const string Invoice = "invoice";
    public const string ReviewInvitation = "review-invitation";
    public const string ReviewCancelled = "review-cancelled";
    public const string Reminder = "reminder";
    public const string CancellationAcknowledgement = "cancellation-acknowledgement";
    public const string RenewalConfirmation = "renewal-confirmation";
    public const string LicenceAvailable = "licence-available";
    public const string SubscriptionEnded = "subscription-ended";
    public const string CancellationWithdrawn = "cancellation-withdrawn";
    public const string CreditNote = "credit-note";

    /// <summary>A link to choose a new password (a customer user who forgot theirs).</summary>
    public const string PasswordReset = "password-reset";

    /// <summary>A contact's first sign-in to the web account: a link to choose a password.</summary>
    public const string WebInvitation = "web-invitation";

    /// <summary>A callback request was received: when we will call.</summary>
    public const string CallbackAcknowledgement = "callback-acknowledgement";

    /// <summary>After a meeting held or a callback done: a one-time link to say how it went.</summary>
    public const string FeedbackSurvey = "feedback-survey";

    /// <summary>An issue of the monthly newsletter, to a contact who subscribed; it carries one-click unsubscribe.</summary>
    public const string Newsletter = "newsletter";

    /// <summary>An invitation to the user conference, to a customer's contact.</summary>
    public const string ConferenceInvitation = "conference-invitation";

    /// <summary>The advisor confirmed a meeting at the conference: its invitation (.ics) goes with it.</summary>
    public const string ConferenceMeetingConfirmed = "conference-meeting-confirmed";
    /// <summary>A polite reminder to accounts payable that an invoice is past its due date.</summary>
    public const string PaymentReminder = "payment-reminder";
}
