using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MiniApiServer.Authentication.X509;

namespace MiniApiServer.Authentication.RequestHeader;

/// <summary>
/// kube's x509 <c>Verifier</c> in front of the request-header authenticator: the TLS client certificate must chain,
/// with the intermediates the peer sent and ClientAuth usage, to the <b>request-header</b> CA (not the client CA), and
/// when allowed names are configured its subject CN must be one of them. Failures carry Go's error text (for the
/// server log only). The verdict per presented chain is cached like the x509 authenticator's: until the chain's first
/// expiry, and never across a change of the CA file.
/// </summary>
internal sealed class ProxyCertificateVerifier
{
    public const int DefaultCacheCapacity = 1024;

    private readonly ClientCaBundle _roots;
    private readonly IReadOnlyList<string> _allowedNames;
    private readonly TimeProvider _time;
    private readonly VerificationCache _cache;
    private long _chainVerifications;

    public ProxyCertificateVerifier(ClientCaBundle roots, IReadOnlyList<string> allowedNames, TimeProvider time, int cacheCapacity = DefaultCacheCapacity)
    {
        _roots = roots;
        _allowedNames = allowedNames;
        _time = time;
        _cache = new VerificationCache(cacheCapacity);
    }

    /// <summary>How many chains were built (cache misses): for tests.</summary>
    public long ChainVerifications => Interlocked.Read(ref _chainVerifications);

    /// <summary>
    /// A success whose user is the proxy (its CN) when the certificate may assert identities; otherwise a failure
    /// named <paramref name="authenticator"/> with Go's error text.
    /// </summary>
    public AuthenticationResult Verify(string authenticator, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates)
    {
        var now = _time.GetUtcNow();
        // Go's Verify checks the leaf's validity period before building any chain.
        if (ClientCertificateVerifier.CheckLeafValidity(leaf, now) is { } validityError)
        {
            return AuthenticationResult.Failure(authenticator, validityError);
        }

        var key = CacheKey(leaf, intermediates);
        var roots = _roots.Current;
        if (_cache.TryGet(key, now, roots.Generation, out var cached))
        {
            return cached;
        }

        Interlocked.Increment(ref _chainVerifications);
        var verification = ClientCertificateVerifier.VerifyChain(leaf, intermediates, roots.Roots, now);
        var result = verification.Error is { } error
            ? AuthenticationResult.Failure(authenticator, error)
            : CheckSubject(authenticator, leaf);
        var leafNotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        _cache.Set(key, result, verification.ValidUntil < leafNotAfter ? verification.ValidUntil : leafNotAfter, roots.Generation);
        return result;
    }

    /// <summary>kube's verifySubject: no allowed names means any verified certificate; otherwise an exact CN match.</summary>
    private AuthenticationResult CheckSubject(string authenticator, X509Certificate2 leaf)
    {
        string commonName;
        try
        {
            commonName = CertificateSubject.Parse(leaf.SubjectName).CommonName;
        }
        catch (CryptographicException e)
        {
            return AuthenticationResult.Failure(authenticator, $"x509: {e.Message}");
        }
        if (_allowedNames.Count > 0 && !_allowedNames.Contains(commonName, StringComparer.Ordinal))
        {
            return AuthenticationResult.Failure(authenticator, $"x509: subject with cn={commonName} is not in the allowed list");
        }
        return AuthenticationResult.Success(authenticator, new UserInfo(commonName, "", [], UserInfo.NoExtra));
    }

    /// <summary>The presented chain: the leaf's SHA-256, then (when sent) the SHA-256 of the intermediates together.</summary>
    private static string CacheKey(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var intermediate in intermediates)
        {
            hash.AppendData(SHA256.HashData(intermediate.RawDataMemory.Span));
        }
        var leafHash = Convert.ToHexString(SHA256.HashData(leaf.RawDataMemory.Span));
        return intermediates.Count == 0 ? leafHash : leafHash + "/" + Convert.ToHexString(hash.GetHashAndReset());
    }
}
