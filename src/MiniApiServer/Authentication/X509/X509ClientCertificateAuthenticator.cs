using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Pki;

namespace MiniApiServer.Authentication.X509;

/// <summary>
/// kube-apiserver's <c>--client-ca-file</c> authenticator (k8s.io/apiserver request/x509, with
/// CommonNameUserConversion): the TLS client certificate, verified against the client CA bundle with the
/// peer's intermediates, names the user by its CN, the groups by its O values, the UID by its UID attribute.
/// </summary>
public sealed class X509ClientCertificateAuthenticator : IRequestAuthenticator
{
    public const int DefaultCacheCapacity = 4096;

    private readonly ClientCaBundle _roots;
    private readonly TimeProvider _time;
    private readonly VerificationCache _cache;
    private readonly IClientCertificateDenyList? _denyList;
    private long _chainVerifications;

    public X509ClientCertificateAuthenticator(ClientCaBundle roots, TimeProvider time, int cacheCapacity = DefaultCacheCapacity, IClientCertificateDenyList? denyList = null)
    {
        _roots = roots;
        _denyList = denyList;
        _time = time;
        _cache = new VerificationCache(cacheCapacity);
    }

    public string Name => "x509";

    /// <summary>How many chains were built (cache misses): for tests and metrics.</summary>
    internal long ChainVerifications => Interlocked.Read(ref _chainVerifications);

    internal int CachedResults => _cache.Count;

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var leaf = context.Connection.ClientCertificate;
        if (leaf is null)
        {
            return ValueTask.FromResult(AuthenticationResult.NotMine(Name));
        }
        var intermediates = context.Features.Get<IPeerCertificateChainFeature>()?.Intermediates ?? [];
        return ValueTask.FromResult(Authenticate(leaf, intermediates));
    }

    /// <summary>The whole decision for one presented chain (leaf first, then what the peer sent after it).</summary>
    public AuthenticationResult Authenticate(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates)
    {
        var now = _time.GetUtcNow();

        // Go verifies the leaf's validity period before anything else; an expired leaf fails without a chain.
        if (ClientCertificateVerifier.CheckLeafValidity(leaf, now) is { } validityError)
        {
            return Failed(leaf, validityError);
        }

        var leafHash = SHA256.HashData(leaf.RawDataMemory.Span);
        // The simulator's deny list (opt-in) is asked before the cache, so a listing takes effect at once.
        if (_denyList?.DenialReason(leaf, leafHash) is { } denied)
        {
            return Failed(leaf, denied);
        }

        var key = CacheKey(leafHash, intermediates);
        var roots = _roots.Current;
        if (_cache.TryGet(key, now, roots.Generation, out var cached))
        {
            return cached;
        }

        Interlocked.Increment(ref _chainVerifications);
        var verification = ClientCertificateVerifier.VerifyChain(leaf, intermediates, roots.Roots, now);
        var result = verification.Error is { } error ? Failed(leaf, error) : UserOf(leaf, leafHash);
        var leafNotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        _cache.Set(key, result, verification.ValidUntil < leafNotAfter ? verification.ValidUntil : leafNotAfter, roots.Generation);
        return result;
    }

    /// <summary>
    /// CommonNameUserConversion: no CN means "no opinion" (the request may still be anonymous); groups are the
    /// O values in order; the UID attribute (AllowParsingUserUIDFromCertAuth) must be single and non-empty;
    /// the credential id is the SHA-256 of the leaf (kube 1.32+).
    /// </summary>
    private AuthenticationResult UserOf(X509Certificate2 leaf, byte[] leafHash)
    {
        CertificateSubject subject;
        try
        {
            subject = CertificateSubject.Parse(leaf.SubjectName);
        }
        catch (CryptographicException e)
        {
            return Failed(leaf, $"x509: {e.Message}");
        }
        if (subject.CommonName.Length == 0)
        {
            return AuthenticationResult.NotMine(Name);
        }

        var uids = subject.Attributes.Where(a => a.Oid == CertificateAuthority.UidOid).ToList();
        if (uids.Any(a => a.Value is null))
        {
            return AuthenticationResult.Failure(Name, "unable to parse UID into a string");
        }
        if (uids.Count > 1)
        {
            return AuthenticationResult.Failure(Name, $"expected 1 UID, but found multiple: [{string.Join(' ', uids.Select(a => a.Value))}]");
        }
        var uid = uids.Count == 1 ? uids[0].Value! : "";
        if (uids.Count == 1 && uid.Length == 0)
        {
            return AuthenticationResult.Failure(Name, "UID cannot be an empty string");
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>
        {
            [UserInfo.CredentialIdKey] = ["X509SHA256=" + Convert.ToHexStringLower(leafHash)],
        };
        return AuthenticationResult.Success(Name, new UserInfo(subject.CommonName, uid, subject.Organizations, extra));
    }

    private AuthenticationResult Failed(X509Certificate2 leaf, string goError) =>
        AuthenticationResult.Failure(Name, $"verifying certificate {ClientCertificateVerifier.Identify(leaf)} failed: {goError}");

    private static string CacheKey(byte[] leafHash, IReadOnlyList<X509Certificate2> intermediates)
    {
        if (intermediates.Count == 0)
        {
            return Convert.ToHexString(leafHash);
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var intermediate in intermediates)
        {
            hash.AppendData(SHA256.HashData(intermediate.RawDataMemory.Span));
        }
        return Convert.ToHexString(leafHash) + "/" + Convert.ToHexString(hash.GetHashAndReset());
    }
}
