using System.Runtime.InteropServices;
using k8s.Models;
using MiniApiServer.Api.Http;
using MiniApiServer.Hosting;

namespace MiniApiServer.Api;

/// <summary>/healthz, /livez, /readyz and /version, readable by anyone under kube's default policy.</summary>
public static class HealthEndpoints
{
    /// <summary>The Kubernetes release the server reports (and behaves as): kubectl's dispatcher picks its build by this minor.</summary>
    public const string Major = "1";
    public const string Minor = "32";
    public const string GitVersion = "v1.32.0";

    public static IEndpointRouteBuilder MapHealthAndVersion(this IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/healthz", "/livez" })
            app.MapGet(path, (HttpContext c) => Check(c, ok: true, path));
        app.MapGet("/readyz", (HttpContext c, ServerReadiness r) => Check(c, r.IsReady, "/readyz"));
        app.MapGet("/version", (HttpContext c) => Negotiation.WriteValueAsync(c, 200, new VersionInfo
        {
            Major = Major,
            Minor = Minor,
            GitVersion = GitVersion,
            GitCommit = "miniapiserver",
            GitTreeState = "clean",
            BuildDate = "2024-12-11T00:00:00Z",
            GoVersion = $"dotnet{Environment.Version}",
            Compiler = "dotnet",
            Platform = $"linux/{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant().Replace("x64", "amd64")}",
        }));
        return app;
    }

    static Task Check(HttpContext c, bool ok, string path)
    {
        c.Response.StatusCode = ok ? 200 : 500;
        c.Response.ContentType = "text/plain; charset=utf-8";
        c.Response.Headers["X-Content-Type-Options"] = "nosniff";
        if (c.Request.Query.ContainsKey("verbose"))
            return c.Response.WriteAsync($"[{(ok ? "+" : "-")}]ping ok\n[{(ok ? "+" : "-")}]storage-ready {(ok ? "ok" : "failed")}\n{path[1..]} check {(ok ? "passed" : "failed")}\n");
        return c.Response.WriteAsync(ok ? "ok" : $"[-]storage-ready failed: reason withheld\n{path[1..]} check failed");
    }
}
