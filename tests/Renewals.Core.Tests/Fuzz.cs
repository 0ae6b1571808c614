using FsCheck;
using Renewals.Testing;

namespace Renewals.Core.Tests;

/// <summary>What Core's generated bad input adds to the shared <see cref="Fuzzing"/>.</summary>
internal static class Fuzz
{
    /// <summary>The shared nasty text, and a lone surrogate (Core's inputs are strings, not what a browser can send).</summary>
    public static Gen<string> NastyText { get; } = Fuzzing.NastyText("\uD800");
}
