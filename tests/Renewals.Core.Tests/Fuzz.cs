using FsCheck;
using FsCheck.Fluent;

namespace Renewals.Core.Tests;

/// <summary>
/// Generated bad input with FsCheck: a case is a list of steps (each a way to spoil an input),
/// at least one of which surely breaks it; a failing case shrinks by dropping steps while one
/// that breaks remains, so the report names the fewest steps that still fail.
/// </summary>
internal static class Fuzz
{
    /// <summary>Cases of 1 to <paramref name="most"/> steps, at least one from <paramref name="breaking"/>.</summary>
    public static Arbitrary<Step<T>[]> Cases<T>(Gen<T> breaking, Gen<T> noise, int most = 4) =>
        Arb.From(
            from surely in breaking
            from count in Gen.Choose(0, most - 1)
            from others in Gen.ArrayOf(Gen.Frequency((1, breaking.Select(b => new Step<T>(b, true))), (2, noise.Select(n => new Step<T>(n, false)))), count)
            from at in Gen.Choose(0, count)
            select (Step<T>[])[.. others[..at], new Step<T>(surely, true), .. others[at..]],
            Shrink);

    /// <summary>Drops one step at a time, keeping a case that surely breaks the input.</summary>
    private static IEnumerable<Step<T>[]> Shrink<T>(Step<T>[] steps) =>
        Enumerable.Range(0, steps.Length)
            .Select(i => (Step<T>[])[.. steps[..i], .. steps[(i + 1)..]])
            .Where(s => s.Any(x => x.Breaks));

    /// <summary>
    /// Checks <paramref name="check"/> on <paramref name="count"/> generated cases (FsCheck runs
    /// properties synchronously, so each is waited for off the test's thread).
    /// </summary>
    public static Task CheckAsync<T>(Arbitrary<T> cases, int count, Func<T, Task> check) =>
        Task.Run(() => Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true),
            Prop.ForAll(cases, (T c) =>
            {
                check(c).GetAwaiter().GetResult();
                return true;
            })));

    /// <summary>Text that breaks parsers: empty, blanks, control characters, other scripts, emoji, lone surrogates, huge.</summary>
    public static Gen<string> NastyText { get; } = Gen.OneOf(
        Gen.Elements("", " ", "\t", "\0", "null", "undefined", "NaN", "-1", "0", "1e309", "-0", "💥", "Ωμέγα", "日本語", "مرحبا", "\u202Eevil", "\uD800", "a\r\nb",
            "\"", "'", ",", ";", "<script>alert(1)</script>", "{{ x }}", "%s%s%s", "../../etc/passwd", "=HYPERLINK(\"x\")", "\uFEFF"),
        Gen.Choose(1, 3).SelectMany(n => Gen.Elements("A", "é", "💥", "\u0301", " ", "\u00A0").Select(s => string.Concat(Enumerable.Repeat(s, n * 3000)))),
        ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""));
}

/// <summary>One way to spoil an input, and whether it surely breaks it on its own.</summary>
internal sealed record Step<T>(T What, bool Breaks)
{
    public override string ToString() => (Breaks ? "breaks: " : "noise: ") + What;
}
