using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.ServiceAccounts.Controllers;

/// <summary>
/// The whole server in one token model (<c>--service-account-token-mode</c>), with tokens that say what they
/// were issued for (<see cref="RecognisableTokenIssuer"/>) so the tests can read them.
/// </summary>
public abstract class ServiceAccountServer : ApiServerFactory
{
    protected ServiceAccountServer(ServiceAccountTokenMode mode)
    {
        Mode = mode;
        Flags["service-account-token-mode"] = mode == ServiceAccountTokenMode.Legacy ? "legacy" : "bound";
    }

    public ServiceAccountTokenMode Mode { get; }

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.RemoveAll<IServiceAccountTokenIssuer>();
        services.AddSingleton<IServiceAccountTokenIssuer>(new RecognisableTokenIssuer());
    }
}

public sealed class LegacyModeServer() : ServiceAccountServer(ServiceAccountTokenMode.Legacy);

public sealed class BoundModeServer() : ServiceAccountServer(ServiceAccountTokenMode.Bound);
