using System.Numerics;
using System.Security.Cryptography.X509Certificates;

namespace MiniApiServer.Authentication.X509;

/// <summary>The outcome of verifying a client certificate chain: an error text (Go's wording) or none, and until when it holds.</summary>
internal sealed record ChainVerification(string? Error, DateTimeOffset ValidUntil);

/// <summary>
/// Go's <c>x509.Certificate.Verify</c> as kube-apiserver calls it for client certificates: roots from the
/// client CA bundle, intermediates from what the peer sent, no revocation, KeyUsages = [ClientAuth].
/// The error texts are Go's, prefixed as kube's x509 authenticator does, for the server log only.
/// </summary>
internal static class ClientCertificateVerifier
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const string AnyExtendedKeyUsageOid = "2.5.29.37.0";

    /// <summary>kube caches a failed verification of currently valid certificates for an hour (x509.go calculateCacheUntil).</summary>
    internal static readonly TimeSpan FailureCacheTime = TimeSpan.FromHours(1);

    /// <summary>
    /// Go checks the leaf's validity period before looking for any chain; it needs no cache.
    /// Returns the error text, or null when <paramref name="now"/> lies within it.
    /// </summary>
    public static string? CheckLeafValidity(X509Certificate2 leaf, DateTimeOffset now) => ValidityError(leaf, now);

    /// <summary>Builds and checks the chain. Call only for a leaf that passed <see cref="CheckLeafValidity"/>.</summary>
    public static ChainVerification VerifyChain(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, X509Certificate2Collection roots, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(roots);
        foreach (var intermediate in intermediates)
        {
            policy.ExtraStore.Add(intermediate);
        }
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true; // Go never fetches AIA issuers
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationFlags = X509VerificationFlags.IgnoreWrongUsage; // EKUs are checked below, Go's way

        var built = chain.Build(leaf);
        var elements = chain.ChainElements.Select(e => e.Certificate).ToList();
        if (!built || !EndsInRoot(elements, roots))
        {
            return new ChainVerification(UnknownAuthority(elements, now), FailureUntil(leaf, intermediates, now));
        }

        // Go (checkChainForKeyUsage): every certificate of the chain that lists EKUs must list ClientAuth
        // or anyExtendedKeyUsage; a certificate without the extension allows every usage.
        if (elements.Any(cert => !AllowsClientAuth(cert)))
        {
            return new ChainVerification("x509: certificate specifies an incompatible key usage", FailureUntil(leaf, intermediates, now));
        }

        // A verified chain stays good until the first of its certificates expires (x509.go calculateCacheUntil).
        var validUntil = elements.Min(cert => new DateTimeOffset(cert.NotAfter.ToUniversalTime()));
        return new ChainVerification(null, validUntil);
    }

    /// <summary>kube's certificateIdentifier: <c>SN=&lt;decimal&gt;, SKID=AA:BB:…, AKID=…</c>.</summary>
    public static string Identify(X509Certificate2 cert)
    {
        var serial = new BigInteger(cert.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true);
        var skid = cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes.ToArray() ?? [];
        var akid = cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier?.ToArray() ?? [];
        return $"SN={serial}, SKID={ColumnSeparatedHex(skid)}, AKID={ColumnSeparatedHex(akid)}";
    }

    private static string ColumnSeparatedHex(byte[] bytes) => string.Join(':', bytes.Select(b => b.ToString("X2")));

    private static bool EndsInRoot(List<X509Certificate2> elements, X509Certificate2Collection roots) =>
        elements.Count > 0 && roots.Cast<X509Certificate2>().Any(root => root.RawDataMemory.Span.SequenceEqual(elements[^1].RawDataMemory.Span));

    private static bool AllowsClientAuth(X509Certificate2 cert)
    {
        var eku = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return eku is null || eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(oid => oid.Value is ClientAuthOid or AnyExtendedKeyUsageOid);
    }

    /// <summary>
    /// Go's UnknownAuthorityError. When a candidate issuer was found but is itself out of its validity
    /// period, Go adds it as a hint: "(possibly because of … while trying to verify candidate authority certificate …)".
    /// </summary>
    private static string UnknownAuthority(List<X509Certificate2> elements, DateTimeOffset now)
    {
        const string message = "x509: certificate signed by unknown authority";
        foreach (var candidate in elements.Skip(1))
        {
            if (ValidityError(candidate, now) is { } hint)
            {
                var name = candidate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
                return $"{message} (possibly because of \"{hint}\" while trying to verify candidate authority certificate \"{(string.IsNullOrEmpty(name) ? "serial:" + new BigInteger(candidate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true) : name)}\")";
            }
        }
        return message;
    }

    private static string? ValidityError(X509Certificate2 cert, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(cert.NotAfter.ToUniversalTime());
        const string prefix = "x509: certificate has expired or is not yet valid: ";
        if (now < notBefore)
        {
            return $"{prefix}current time {Rfc3339(now)} is before {Rfc3339(notBefore)}";
        }
        if (now > notAfter)
        {
            return $"{prefix}current time {Rfc3339(now)} is after {Rfc3339(notAfter)}";
        }
        return null;
    }

    // Go's time.RFC3339 for UTC times: 2006-01-02T15:04:05Z.
    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A failed verification holds until the latest NotBefore of the peer's certificates when one is still in the
    /// future (it may start to verify then), otherwise for <see cref="FailureCacheTime"/>; a root change resets it.
    /// </summary>
    private static DateTimeOffset FailureUntil(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, DateTimeOffset now)
    {
        var latestNotBefore = intermediates.Append(leaf).Max(cert => new DateTimeOffset(cert.NotBefore.ToUniversalTime()));
        return latestNotBefore > now ? latestNotBefore : now + FailureCacheTime;
    }
}
