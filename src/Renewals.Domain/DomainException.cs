using System.Globalization;
using Renewals.Domain.Text;

namespace Renewals.Domain;

/// <summary>
/// A rule of the domain refused an input or a state change. <see cref="Code"/> names the
/// rule; <see cref="Describe"/> says what is wrong in the user's language.
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(string code, params object[] arguments)
        : base(DomainText.Format(code, CultureInfo.InvariantCulture, arguments))
    {
        Code = code;
        Arguments = arguments;
    }

    public string Code { get; }

    public IReadOnlyList<object> Arguments { get; }

    public string Describe(CultureInfo culture) => DomainText.Format(Code, culture, [.. Arguments]);
}
