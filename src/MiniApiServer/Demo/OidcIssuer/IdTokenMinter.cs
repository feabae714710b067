using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MiniApiServer.Demo.OidcIssuer;

/// <summary>An ID token and when it stops being valid.</summary>
public sealed record IssuedIdToken(string Token, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Signs RS256 ID tokens for demo users. The claims are what kube-apiserver's JWT authenticator reads:
/// <c>iss</c> and <c>aud</c> (checked), <c>exp</c> (required, no leeway), <c>nbf</c> (up to 5 min of leeway),
/// <c>sub</c>/<c>email</c>/<c>groups</c> (claim mappings), <c>email_verified</c> (must be true when the
/// username claim is <c>email</c>), and <c>jti</c> (becomes the credential-id extra <c>JTI=…</c>).
/// </summary>
public sealed class IdTokenMinter(SigningKeyStore keys, TimeProvider time, TimeSpan lifetime)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>An ID token for <paramref name="user"/>, from <paramref name="issuer"/> (the exact issuer URL), for <paramref name="audience"/> (the client id).</summary>
    public IssuedIdToken Mint(string issuer, DemoUser user, string audience)
    {
        // JWT NumericDate has whole seconds; truncate so exp is exactly what the token says.
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + lifetime;
        var key = keys.Current;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = user.Uid,
            ["name"] = user.Name,
            ["groups"] = user.Groups.ToList(),
            ["jti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        };
        if (user.Email.Length > 0)
        {
            claims["email"] = user.Email;
            claims["email_verified"] = true;
        }
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.RsaSha256),
        });
        return new IssuedIdToken(token, now, expires);
    }
}
