using System.Security.Cryptography;
using System.Text;
using Renewals.Data;

namespace Renewals.Core.Licensing;

/// <summary>
/// The ECDSA P-256 private key that signs licence files, kept in a PEM file. The key is made
/// on first use (owner-only permissions) and its public half is written beside it
/// (<c>NAME.pub.pem</c>), which is all a customer or support needs to check a file offline.
/// </summary>
public sealed class LicenceSigningKey : IDisposable
{
    /// <summary>Where the command line and the services look for the key when no path is given.</summary>
    public const string EnvironmentVariable = "RENEWALS_LICENCE_KEY";

    public const string DefaultFileName = "licence-signing-key.pem";

    private const string NistP256Oid = "1.2.840.10045.3.1.7";

    private readonly ECDsa _key;

    private LicenceSigningKey(ECDsa key, string path, bool created)
    {
        _key = key;
        PrivateKeyPath = path;
        PublicKeyPath = PublicKeyPathFor(path);
        WasCreated = created;
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        Fingerprint = FingerprintOf(key);
    }

    public string PrivateKeyPath { get; }

    public string PublicKeyPath { get; }

    public string PublicKeyPem { get; }

    /// <summary><c>sha256:</c> and the hex SHA-256 of the public key (SubjectPublicKeyInfo); written into each licence.</summary>
    public string Fingerprint { get; }

    /// <summary>True when this call made the key (there was no file at the path).</summary>
    public bool WasCreated { get; }

    /// <summary>
    /// <c>licence-signing-key.pem</c> next to a SQLite database file; in the working folder
    /// for PostgreSQL (which has no file to sit beside).
    /// </summary>
    public static string DefaultPath(RenewalsDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var folder = database.SqliteFile is { } file ? Path.GetDirectoryName(file) ?? "." : ".";
        return Path.GetFullPath(Path.Combine(folder, DefaultFileName));
    }

    /// <summary><c>key.pem</c> gives <c>key.pub.pem</c>; any other name gets <c>.pub.pem</c> added.</summary>
    public static string PublicKeyPathFor(string privateKeyPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPath);
        return privateKeyPath.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
            ? privateKeyPath[..^4] + ".pub.pem"
            : privateKeyPath + ".pub.pem";
    }

    /// <summary>Reads the key at <paramref name="path"/>, or makes one there when the file does not exist.</summary>
    public static LicenceSigningKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var created = false;
        if (!File.Exists(full))
        {
            created = TryCreate(full);
        }

        var key = Load(full);
        try
        {
            var signing = new LicenceSigningKey(key, full, created);
            signing.WritePublicKey();
            return signing;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The fingerprint of any EC public key, in the form licences carry.</summary>
    public static string FingerprintOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Reads a P-256 key (public or private) from PEM text; null when the text holds none.</summary>
    internal static ECDsa? ImportP256(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value != NistP256Oid)
            {
                key.Dispose();
                return null;
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }

    internal byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();

    private static ECDsa Load(string path)
    {
        var pem = File.ReadAllText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new LicenceException(LicenceException.KeyUnreadable, path);
        }

        try
        {
            if (key.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value != NistP256Oid)
            {
                throw new LicenceException(LicenceException.KeyWrongCurve, path);
            }

            // A public key imports fine but cannot sign: say so now rather than at the first signature.
            _ = key.ExportParameters(includePrivateParameters: true);
            return key;
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new LicenceException(LicenceException.KeyNotPrivate, path);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes a new key to a temporary file created owner-only (0600), then moves it into place
    /// without overwriting: when two processes race, the first key wins and both use it.
    /// </summary>
    private static bool TryCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        WriteOwnerOnly(temporary, key.ExportPkcs8PrivateKeyPem());
        try
        {
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(text + "\n"));
    }

    /// <summary>The public key file always matches the private key: written when missing or different.</summary>
    private void WritePublicKey()
    {
        var text = PublicKeyPem + "\n";
        if (File.Exists(PublicKeyPath) && File.ReadAllText(PublicKeyPath) == text)
        {
            return;
        }

        var temporary = $"{PublicKeyPath}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temporary, text, Encoding.ASCII);
        File.Move(temporary, PublicKeyPath, overwrite: true);
    }
}
