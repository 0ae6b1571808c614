using System.Security.Cryptography;

namespace Renewals.Core.Cancellations;

/// <summary>A scanned letter kept in the letters folder, named by the SHA-256 of its content.</summary>
public sealed record StoredLetter(string Sha256, string FileName, string FullPath, bool IsNew);

/// <summary>
/// Keeps scanned cancellation letters in one folder, each named by the SHA-256 of its bytes
/// (so the name proves the content and the same letter is never stored twice).
/// </summary>
public sealed class LetterStore(string folder)
{
    public const string FolderName = "letters";

    public string Folder { get; } = folder;

    /// <summary>The letters folder beside a SQLite file, or in the working folder for a server database.</summary>
    public static LetterStore Beside(string? sqliteFile) =>
        new(Path.Combine(sqliteFile is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(sqliteFile))!, FolderName));

    public static async Task<string> HashAsync(string sourceFile, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(sourceFile);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    /// <summary>Copies the letter in (unless the same bytes are already there) and says where it is.</summary>
    public async Task<StoredLetter> StoreAsync(string sourceFile, CancellationToken ct = default)
    {
        var sha = await HashAsync(sourceFile, ct);
        var name = sha + Path.GetExtension(sourceFile).ToLowerInvariant();
        var target = Path.Combine(Folder, name);
        if (File.Exists(target))
        {
            return new StoredLetter(sha, name, target, IsNew: false);
        }

        Directory.CreateDirectory(Folder);
        // Copied under a temporary name first: a crash never leaves a half letter under its hash.
        var temporary = target + ".part";
        File.Copy(sourceFile, temporary, overwrite: true);
        File.Move(temporary, target, overwrite: true);
        return new StoredLetter(sha, name, target, IsNew: true);
    }

    /// <summary>Keeps an uploaded letter already checked (unless the same bytes are already there) and says where it is.</summary>
    public async Task<StoredLetter> StoreAsync(byte[] content, string extension, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var name = sha + extension.ToLowerInvariant();
        var target = Path.Combine(Folder, name);
        if (File.Exists(target))
        {
            return new StoredLetter(sha, name, target, IsNew: false);
        }

        Directory.CreateDirectory(Folder);
        var temporary = target + ".part";
        await File.WriteAllBytesAsync(temporary, content, ct);
        File.Move(temporary, target, overwrite: true);
        return new StoredLetter(sha, name, target, IsNew: true);
    }

    /// <summary>Takes back a letter this filing stored, when the notice was refused.</summary>
    public static void Forget(StoredLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        if (letter.IsNew)
        {
            File.Delete(letter.FullPath);
        }
    }
}
