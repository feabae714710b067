using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>A JWT authenticator's answer together with the verified token's expiry (for the token cache).</summary>
public sealed record JwtAuthentication(AuthenticationResult Result, TokenExpiry Expiry);

/// <summary>
/// One JWT issuer of kube-apiserver (oidc.go jwtAuthenticator): a token whose unverified <c>iss</c> is not this
/// issuer is "not mine"; until discovery has succeeded every token of this issuer fails with
/// "oidc: authenticator not initialized" (initialisation is retried every 10 s in the background); then the token is
/// verified (go-oidc) and mapped to a user (claim mappings and validation rules).
/// </summary>
public sealed class JwtAuthenticator : ITokenAuthenticator, IDisposable
{
    /// <summary>kube polls discovery every 10 s until it succeeds (wait.PollUntilContextCancel(ctx, 10*time.Second, true, …)).</summary>
    public static readonly TimeSpan InitializationRetryInterval = TimeSpan.FromSeconds(10);

    /// <summary>kube's client timeout for discovery and JWKS requests.</summary>
    public static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(30);

    readonly CompiledJwtAuthenticator _compiled;
    readonly IReadOnlyList<string> _algorithms;
    readonly HttpClient _http;
    readonly TimeProvider _time;
    readonly ILogger _log;
    readonly ClaimMapper _mapper;
    volatile IdTokenVerifier? _verifier;
    volatile string? _healthError;

    public JwtAuthenticator(CompiledJwtAuthenticator compiled, IReadOnlyList<string> signingAlgorithms, TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        _compiled = compiled;
        _algorithms = signingAlgorithms;
        _time = time;
        _log = logger;
        _mapper = new ClaimMapper(compiled);
        _http = handler is null
            ? new HttpClient(CreateHandler(compiled.Configuration.Issuer.CertificateAuthority), disposeHandler: true) { Timeout = HttpTimeout }
            : new HttpClient(handler, disposeHandler: false) { Timeout = HttpTimeout };
        _healthError = $"oidc: authenticator for issuer {IdTokenVerifier.GoQuote(IssuerUrl)} is not initialized";
    }

    public string Name => "oidc";

    public string IssuerUrl => _compiled.Configuration.Issuer.Url;

    /// <summary>kube's HealthCheck: null once discovery succeeded, else why not.</summary>
    public string? HealthError => _healthError;

    /// <summary>The issuer's key set once initialised (for tests and metrics).</summary>
    public RemoteKeySet? Keys => _verifier?.Keys;

    /// <summary>One discovery attempt; true when the authenticator is (now) ready.</summary>
    public async Task<bool> InitializeAsync(CancellationToken ct)
    {
        if (_verifier is not null) return true;
        var issuer = _compiled.Configuration.Issuer;
        try
        {
            var jwks = await OidcDiscovery.DiscoverAsync(_http, issuer, ct);
            _verifier = new IdTokenVerifier(issuer.Url, issuer.Audiences, _algorithms, new RemoteKeySet(_http, jwks, _time), _time);
            _healthError = null;
            return true;
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            _healthError = e.Message;
            _log.LogError("oidc authenticator: initializing plugin: {Error}", e.Message);
            return false;
        }
    }

    /// <summary>Initialises in the background, retrying every 10 s until it succeeds or <paramref name="lifetime"/> ends.</summary>
    public Task StartAsync(CancellationToken lifetime) => Task.Run(async () =>
    {
        try
        {
            while (!await InitializeAsync(lifetime))
                await Task.Delay(InitializationRetryInterval, _time, lifetime);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
        }
    }, CancellationToken.None);

    public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        (await AuthenticateWithExpiryAsync(token, cancellationToken)).Result;

    /// <summary>The result and, on success, the token's verified exp.</summary>
    public async ValueTask<JwtAuthentication> AuthenticateWithExpiryAsync(string token, CancellationToken cancellationToken)
    {
        // Peek at the unverified issuer: another issuer's token (or no JWT at all) is not ours, with no error.
        if (UnverifiedJwt.Issuer(token) != IssuerUrl) return new(AuthenticationResult.NotMine(Name), TokenExpiry.None);
        if (_verifier is not { } verifier) return Failed("oidc: authenticator not initialized");
        var (verified, error) = await verifier.VerifyAsync(token, cancellationToken);
        if (verified is null) return Failed($"oidc: verify token: {error}");
        var (user, mappingError) = _mapper.Map(verified.Claims);
        if (user is null) return Failed(mappingError!);
        return new(AuthenticationResult.Success(Name, user), new TokenExpiry(verified.ExpiresAt));
    }

    JwtAuthentication Failed(string error) => new(AuthenticationResult.Failure(Name, error), TokenExpiry.None);

    /// <summary>
    /// The TLS client of discovery and JWKS: with a CA bundle the issuer's certificate must chain to one of its
    /// certificates (and nothing else); without one the system roots are used, as Go does with RootCAs nil.
    /// </summary>
    public static HttpMessageHandler CreateHandler(string? certificateAuthority)
    {
        var handler = new SocketsHttpHandler();
        if (string.IsNullOrEmpty(certificateAuthority)) return handler;
        var roots = TrustedIssuerCertificates.Parse(certificateAuthority)
                    ?? throw new ArgumentException(TrustedIssuerCertificates.NoCertificatesMessage, nameof(certificateAuthority));
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
                foreach (var element in chain.ChainElements.Skip(1)) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return handler;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// Every JWT issuer of the configuration as one token authenticator (kube puts them in a union): the first success
/// wins; the issuer pre-check makes at most one of them look at a token, so at most one error is reported.
/// </summary>
public sealed class JwtAuthenticators(IReadOnlyList<JwtAuthenticator> members) : ITokenAuthenticator, IDisposable
{
    public string Name => "oidc";

    public IReadOnlyList<JwtAuthenticator> Members => members;

    /// <summary>Starts every issuer's background initialisation (discovery retried every 10 s).</summary>
    public Task StartAsync(CancellationToken lifetime) => Task.WhenAll(members.Select(m => m.StartAsync(lifetime)));

    public async ValueTask<AuthenticationResult> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        (await AuthenticateWithExpiryAsync(token, cancellationToken)).Result;

    public async ValueTask<JwtAuthentication> AuthenticateWithExpiryAsync(string token, CancellationToken cancellationToken)
    {
        List<string>? errors = null;
        foreach (var member in members)
        {
            var r = await member.AuthenticateWithExpiryAsync(token, cancellationToken);
            if (r.Result.Succeeded) return r;
            if (r.Result.Error is { } e) (errors ??= []).Add(e);
        }
        var result = errors is null ? AuthenticationResult.NotMine(Name) : AuthenticationResult.Failure(Name, string.Join("; ", errors));
        return new(result, TokenExpiry.None);
    }

    public void Dispose()
    {
        foreach (var m in members) m.Dispose();
    }
}
