using FsCheck;
using FsCheck.Fluent;

namespace Renewals.Testing;

/// <summary>
/// Generated bad input with FsCheck, shared by the test projects: a case is a list of steps (each
/// a way to spoil an input), at least one of which surely breaks it; a failing case shrinks by
/// dropping steps while one that breaks remains, so the report names the fewest steps that still fail.
/// </summary>
public static class Fuzzing
{
    /// <summary>Cases of 1 to <paramref name="most"/> steps, at least one from <paramref name="breaking"/>.</summary>
    public static Arbitrary<FuzzStep<T>[]> Cases<T>(Gen<T> breaking, Gen<T> noise, int most = 4) =>
        Arb.From(
            from surely in breaking
            from count in Gen.Choose(0, most - 1)
            from others in Gen.ArrayOf(Gen.Frequency((1, breaking.Select(b => new FuzzStep<T>(b, true))), (2, noise.Select(n => new FuzzStep<T>(n, false)))), count)
            from at in Gen.Choose(0, count)
            select (FuzzStep<T>[])[.. others[..at], new FuzzStep<T>(surely, true), .. others[at..]],
            Shrink);

    /// <summary>Drops one step at a time, keeping a case that surely breaks the input.</summary>
    private static IEnumerable<FuzzStep<T>[]> Shrink<T>(FuzzStep<T>[] steps) =>
        Enumerable.Range(0, steps.Length)
            .Select(i => (FuzzStep<T>[])[.. steps[..i], .. steps[(i + 1)..]])
            .Where(s => s.Any(x => x.Breaks));

    /// <summary>Cases of one of <paramref name="targets"/> with its own steps, shrinking the steps.</summary>
    public static Arbitrary<(TTarget Target, FuzzStep<T>[] Steps)> CasesOf<TTarget, T>(Gen<TTarget> targets, Func<TTarget, Gen<T>> breaking, Func<TTarget, Gen<T>> noise, int most = 4)
    {
        ArgumentNullException.ThrowIfNull(breaking);
        ArgumentNullException.ThrowIfNull(noise);
        return Arb.From(
            from target in targets
            from steps in Cases(breaking(target), noise(target), most).Generator
            select (Target: target, Steps: steps),
            c => Shrink(c.Steps).Select(s => (c.Target, s)));
    }

    /// <summary>
    /// Checks <paramref name="check"/> on <paramref name="count"/> generated cases (FsCheck runs
    /// properties synchronously, so each is waited for off the test's thread). A failure names the
    /// first case that failed and why, besides FsCheck's shrunk case: a check against a shared
    /// database may pass on the shrunk case, and the first one is then the only one to go on.
    /// </summary>
    public static async Task CheckAsync<T>(Arbitrary<T> cases, int count, Func<T, Task> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        (T Case, Exception Error)? first = null;
        try
        {
            await Task.Run(() => Check.One(
                Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true),
                Prop.ForAll(cases, (T c) =>
                {
                    try
                    {
                        check(c).GetAwaiter().GetResult();
                    }
                    catch (Exception error)
                    {
                        first ??= (c, error);
                        throw;
                    }

                    return true;
                })));
        }
        catch (Exception failed) when (first is { } f)
        {
            throw new FuzzFailureException($"First failing case: {Describe(f.Case)}{Environment.NewLine}{f.Error.GetType().Name}: {f.Error.Message}{Environment.NewLine}{failed.Message}", failed);
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => text,
        System.Collections.IEnumerable items => "[" + string.Join("; ", items.Cast<object?>().Select(Describe)) + "]",
        System.Runtime.CompilerServices.ITuple tuple => "(" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => Describe(tuple[i]))) + ")",
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// Text that breaks parsers: empty, blanks, control characters, other scripts, emoji, huge, and
    /// FsCheck's own strings; <paramref name="more"/> adds what one project's inputs also need.
    /// </summary>
    public static Gen<string> NastyText(params string[] more) => Gen.OneOf(
        Gen.Elements([
            "", " ", "\t", "\0", "null", "undefined", "NaN", "-1", "0", "1e309", "-0", "💥", "Ωμέγα", "日本語", "مرحبا", "\u202Eevil", "a\r\nb",
            "\"", "'", ",", ";", "<script>alert(1)</script>", "{{ x }}", "%s%s%s", "../../etc/passwd", "=HYPERLINK(\"x\")", "\uFEFF", .. more]),
        Gen.Choose(1, 3).SelectMany(n => Gen.Elements("A", "é", "💥", "\u0301", " ", "\u00A0").Select(s => string.Concat(Enumerable.Repeat(s, n * 3000)))),
        ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""));
}

/// <summary>A generated case failed: the message names the first case to fail, then FsCheck's report.</summary>
public sealed class FuzzFailureException(string message, Exception inner) : Exception(message, inner);

/// <summary>One way to spoil an input, and whether it surely breaks it on its own.</summary>
public sealed record FuzzStep<T>(T What, bool Breaks)
{
    public override string ToString() => (Breaks ? "breaks: " : "noise: ") + What;
}
