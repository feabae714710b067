using System.Diagnostics;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Impersonation;
using MiniApiServer.Authorization;

namespace MiniApiServer.Hosting;

/// <summary>
/// The request road in one place, in kube-apiserver's filter order (<c>DefaultBuildHandlerChain</c>):
/// request log and panic recovery → RequestInfo → authentication → authorization → the handlers.
/// </summary>
public static class RequestPipeline
{
    public static WebApplication UseKubernetesRequestRoad(this WebApplication app)
    {
        app.Use(LogAndRecover);
        app.Use((context, next) =>
        {
            context.GetRequestInfo();
            // kube's CacheControl filter.
            context.Response.OnStarting(() =>
            {
                if (!context.Response.Headers.ContainsKey("Cache-Control")) context.Response.Headers.CacheControl = "no-cache, private";
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseAuthentication();
        app.Use(RequireAuthenticated);
        app.Use(Impersonation.InvokeAsync);
        app.Use(Authorize);
        return app;
    }

    static async Task LogAndRecover(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MiniApiServer.Requests");
        try
        {
            await next(context);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await Negotiation.WriteStatusAsync(context, e.Status);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError(e, "Unhandled error serving {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await Negotiation.WriteStatusAsync(context, StatusErrors.Internal($"\"{context.Request.Path}\": {e.Message}").Status);
        }
        finally
        {
            var user = context.GetUser();
            var via = context.Items.TryGetValue(KubeAuthenticationHandler.AuthenticatorClaim, out var a) ? a as string : null;
            logger.LogInformation("{Method} {Path}{Query} {Status} {Elapsed:F1}ms user={User} authenticator={Authenticator} agent={Agent}",
                context.Request.Method, context.Request.Path, context.Request.QueryString, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, user?.Name ?? "-", via ?? "-", context.Request.Headers.UserAgent.ToString());
        }
    }

    static async Task RequireAuthenticated(HttpContext context, RequestDelegate next)
    {
        var result = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
        if (result is not { Succeeded: true })
        {
            await context.ChallengeAsync(KubeAuthenticationHandler.SchemeName);
            return;
        }
        await next(context);
    }

    static async Task Authorize(HttpContext context, RequestDelegate next)
    {
        var user = context.GetUser() ?? throw new InvalidOperationException("authorization before authentication");
        var authorizer = context.RequestServices.GetRequiredService<IAuthorizer>();
        var attributes = new AuthorizationAttributes(user, context.GetRequestInfo());
        var decision = await authorizer.AuthorizeAsync(attributes, context.RequestAborted);
        if (decision.Decision != Decision.Allow) throw Forbidden.For(attributes, decision.Reason);
        await next(context);
    }
}
