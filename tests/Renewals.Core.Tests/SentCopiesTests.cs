using System.IO.Compression;
using System.Text;
using Renewals.Core.Messaging;

namespace Renewals.Core.Tests;

/// <summary>
/// A sent copy's bodies are stored compressed (<see cref="SentCopies.Pack"/>) and read back
/// (<see cref="SentCopies.Unpack"/>) unchanged, whatever their characters and length; the expected
/// text is the one handed in, and the decoder checked against is .NET's Brotli stream.
/// </summary>
public sealed class SentCopiesTests
{
    /// <summary>Brotli's default window holds 2^22 - 16 bytes.</summary>
    private const int DefaultWindow = (1 << 22) - 16;

    [Theory]
    [InlineData("")]
    [InlineData("Bonjour Zoé, votre abonnement est renouvelé\u00A0: merci\u202F!")]
    [InlineData("<p>日本語 💥 \u0301</p>\r\n")]
    public void A_body_comes_back_from_its_compressed_copy_unchanged(string text) =>
        Assert.Equal(text, SentCopies.Unpack(SentCopies.Pack(text)));

    /// <summary>Bodies of exactly so many UTF-8 bytes: around the default window's size, and past it.</summary>
    [Theory]
    [InlineData(DefaultWindow - 1, false)]
    [InlineData(DefaultWindow, false)]
    [InlineData(DefaultWindow + 1, true)]
    [InlineData(5_000_000, true)]
    public void A_long_body_comes_back_unchanged(int bytes, bool accented)
    {
        var body = Body(bytes, accented);
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(body));

        var packed = SentCopies.Pack(body);

        Assert.Equal(body, SentCopies.Unpack(packed));
        using var stream = new BrotliStream(new MemoryStream(packed), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        Assert.Equal(body, reader.ReadToEnd());
        Assert.True(packed.Length < bytes / 4, $"{bytes} bytes packed into {packed.Length}");
    }

    /// <summary>Markup that repeats, as a message's HTML does, with varying numbers; accented letters (2 bytes each) when asked; cut to exactly <paramref name="bytes"/> UTF-8 bytes with ASCII.</summary>
    private static string Body(int bytes, bool accented)
    {
        var random = new Random(bytes);
        var text = new StringBuilder(bytes);
        var used = 0;
        while (true)
        {
            var part = $"<td class=\"line\">{random.Next(100_000)}{(accented ? " é à " : " e a ")}</td>\n";
            var size = Encoding.UTF8.GetByteCount(part);
            if (used + size > bytes)
            {
                break;
            }

            text.Append(part);
            used += size;
        }

        return text.Append('x', bytes - used).ToString();
    }
}
