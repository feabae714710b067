using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MiniApiServer.Admission;
using MiniApiServer.Api;
using MiniApiServer.Api.Discovery;
using MiniApiServer.Api.OpenApi;
using MiniApiServer.Api.Reviews;
using MiniApiServer.Api.Resources;
using MiniApiServer.Api.ServiceAccountIssuer;
using MiniApiServer.Api.TokenRequests;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Bearer;
using MiniApiServer.Authentication.Bootstrap;
using MiniApiServer.Authentication.RequestHeader;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Authorization;
using MiniApiServer.Authorization.Rbac;
using MiniApiServer.Authorization.Reviews;
using MiniApiServer.Controllers;
using MiniApiServer.Demo;
using MiniApiServer.Pki;
using MiniApiServer.Registry;
using MiniApiServer.Runtime.Containers;
using MiniApiServer.Runtime.Files;
using MiniApiServer.Runtime.Network;
using MiniApiServer.Runtime.Streaming;
using MiniApiServer.Storage;

namespace MiniApiServer.Hosting;

/// <summary>Composes the server: PKI, storage, the request road, the API and the controllers.</summary>
public static class ServerHost
{
    public const string ListeningMarker = "listening on";

    /// <summary>
    /// Builds the server from the command line: the PKI, then the demo providers (their addresses feed the
    /// fixture defaults), then the options (fixture defaults + the user's flags), then the host.
    /// </summary>
    public static async Task<WebApplication> BuildAsync(string[] args, FlagSet userFlags)
    {
        var time = TimeProvider.System;
        var certDir = Path.GetFullPath(userFlags.GetString("cert-dir"));
        var pki = ClusterPki.LoadOrCreate(certDir, time);
        var fixtures = TryLocateFixtures();
        DemoProviders? demo = null;
        if (userFlags.GetBool("demo-providers"))
        {
            if (fixtures is null) throw new ConfigurationException("--demo-providers needs the fixtures/ folder (run from the repository root), or --demo-providers=false");
            demo = new DemoProviders(new DemoOptions(userFlags.GetInt("secure-port"), Path.GetFullPath(userFlags.GetString("data-dir")), pki, fixtures), time);
            await demo.StartAsync(CancellationToken.None);
        }
        try
        {
            var effective = FixtureDefaults.Apply(args, userFlags, fixtures, demo, certDir);
            var options = ServerOptions.FromFlags(new FlagSet(ServerOptions.Flags).Parse(effective));
            return Build(options, pki, demo, time);
        }
        catch
        {
            if (demo is not null) await demo.DisposeAsync();
            throw;
        }
    }

    static string? TryLocateFixtures()
    {
        try { return DemoFixtures.Locate(); }
        catch (ConfigurationException) { return null; }
    }

    static WebApplication Build(ServerOptions options, ClusterPki pki, DemoProviders? demo, TimeProvider time)
    {
        Directory.CreateDirectory(options.DataDir);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("MiniApiServer", LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        var servingCert = options.TlsCertFile == pki.PathOf(PkiFileNames.ServingCert) && options.TlsPrivateKeyFile == pki.PathOf(PkiFileNames.ServingKey)
            ? pki.ServingCertificate
            : CertificateFiles.UsableForTls(CertificateFiles.LoadPair(options.TlsCertFile, options.TlsPrivateKeyFile));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.BindAddress, options.SecurePort, listen =>
            {
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = servingCert;
                    ClientCertificateTls.Configure(https);
                });
            });
            k.AddServerHeader = false;
        });

        var s = builder.Services;
        s.AddSingleton(options);
        s.AddSingleton(pki);
        if (demo is not null)
        {
            s.AddSingleton(demo);
            s.AddHostedService(_ => demo); // stops with the host
        }
        s.AddSingleton(time);
        s.AddSingleton<IRandomSource, SystemRandomSource>();
        s.AddSingleton<ServerReadiness>();
        s.AddSingleton<IObjectStore>(_ => options.InMemory
            ? LiteDbObjectStore.InMemory()
            : LiteDbObjectStore.OpenFile(Path.Combine(options.DataDir, "miniapiserver.db")));
        IReadOnlyList<ResourceDefinition> served = [.. ResourceRegistry.Core, .. ReviewResources.All, .. RbacServices.Definitions, Certificates.CertificateSigningRequests.Definition];
        s.AddSingleton(new ResourceRegistry(served));
        foreach (var def in ResourceRegistry.Core.Concat(ReviewResources.All)) s.AddSingleton(def); // AddRbac registers its own
        s.AddSingleton<IAdmissionPlugin, NamespaceLifecycle>();
        s.AddSingleton<IAdmissionPlugin>(sp => new ServiceAccountAdmission(sp.GetRequiredService<IObjectStore>(), options.ServiceAccounts.TokenMode,
            sp.GetRequiredService<IRandomSource>(), sp.GetRequiredService<TimeProvider>()));
        s.AddSingleton<IAdmissionPlugin, PodDefaults>();
        s.AddRbac(options.AuthorizationModes);
        // certificates.k8s.io: CSRs, their admission (requester, subject restriction, approve/sign on signers) and the signer.
        s.AddSingleton(Certificates.CertificateSigningRequests.Definition);
        s.AddSingleton<IAdmissionPlugin, Certificates.CertificateSigningRequestAdmission>();
        s.AddSingleton(new Certificates.ClientCertificateSigner(pki.CertDirectory, time));
        s.AddHostedService<Certificates.CsrSigningController>();
        s.AddSingleton<ResourceRest>();
        s.AddSingleton<WatchStreamer>();
        s.AddSingleton<ResourceEndpoints>();
        s.AddSingleton<EventRecorder>();
        s.AddSingleton<SystemObjects>();
        // The simulated kubelet's runtime: pod volumes, containers, exec and log (Runtime/).
        s.AddSingleton<ApiServerPodNetwork>();
        s.AddSingleton<IPodNetwork>(sp => sp.GetRequiredService<ApiServerPodNetwork>());
        s.AddSingleton<PodVolumes>();
        s.AddSingleton<PodRuntime>();
        s.AddSingleton<ISubresourceConnector, PodExecConnector>();
        s.AddSingleton<ISubresourceConnector, PodLogConnector>();
        s.AddHostedService<PodSimulator>();
        s.AddHostedService<NamespaceController>();
        s.AddHostedService<ServiceAccountsController>();
        // kube-controller-manager's root CA is the cluster CA: what pods verify the API server's serving cert with.
        s.AddHostedService(sp => new TokensController(sp.GetRequiredService<ResourceRest>(), sp.GetRequiredService<IServiceAccountTokenIssuer>(),
            pki.CaPem, options.ServiceAccounts.TokenMode, sp.GetRequiredService<IRandomSource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TokensController>>()));
        s.AddHostedService(sp => new RootCaPublisher(sp.GetRequiredService<ResourceRest>(), pki.CaPem, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RootCaPublisher>>()));

        // Authentication: kube-apiserver's chain, behind one ASP.NET Core handler.
        // Built now, so a bad --client-ca-file stops the start (exit 2) rather than the first request.
        var loggerFactory = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true));
        var requestHeader = options.RequestHeader is { } rh ? RequestHeaderAuthenticator.Create(rh, time, loggerFactory) : null;
        if (requestHeader is not null) s.AddSingleton(requestHeader);
        s.AddSingleton(sp => new ServiceAccountTokens(options.ServiceAccounts, options.ApiAudiences, sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<ResourceRest>, time, sp.GetRequiredService<IRandomSource>(), loggerFactory));
        s.AddSingleton<IServiceAccountTokenIssuer>(sp => sp.GetRequiredService<ServiceAccountTokens>().Issuer);
        s.AddSingleton<TokenRequestObjects>();
        s.AddSingleton<TokenRequestEndpoint>();
        s.AddSingleton(sp => new AuthenticationSetup(options, requestHeader, sp.GetRequiredService<IObjectStore>(), time, loggerFactory,
            sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping, sp.GetRequiredService<ServiceAccountTokens>().Authenticators));
        s.AddSingleton(sp => sp.GetRequiredService<AuthenticationSetup>().Chain);
        s.AddSingleton<ITokenReviewer>(sp => sp.GetRequiredService<AuthenticationSetup>().Reviewer);
        s.AddSingleton(new ApiAudiences(options.ApiAudiences));
        s.AddAuthentication(KubeAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, KubeAuthenticationHandler>(KubeAuthenticationHandler.SchemeName, null);
        s.AddSingleton<IAuthorizer>(sp => RbacServices.BuildAuthorizer(sp, options.AuthorizationModes));
        s.AddRouting();

        var app = builder.Build();
        // Every authenticator is built now, so a bad file or flag stops the start (exit 2), not the first request.
        app.Services.GetRequiredService<AuthenticationSetup>();
        app.UseKubernetesRequestRoad();
        app.UseWebSockets(); // pods/exec upgrades
        app.MapHealthAndVersion();
        app.MapDiscovery();
        app.MapOpenApiV3();
        app.MapReviewApis();
        app.MapAuthorizationReviews();
        app.MapServiceAccountIssuerDiscovery();
        app.MapPost(TokenRequestEndpoint.Route, app.Services.GetRequiredService<TokenRequestEndpoint>().CreateAsync);
        var resources = app.Services.GetRequiredService<ResourceEndpoints>();
        app.Map("/api/v1/{**rest}", resources.HandleAsync);
        app.Map("/apis/{group}/{version}/{**rest}", resources.HandleAsync);
        app.MapFallback(_ => throw Api.Errors.StatusErrors.PathNotFound());
        return app;
    }

    /// <summary>Starts serving, then (once every part is up) writes the kubeconfigs, marks the server ready and
    /// prints the one "listening on" line; returns when the host stops (Ctrl-C, SIGTERM).</summary>
    public static async Task RunAsync(WebApplication app)
    {
        var options = app.Services.GetRequiredService<ServerOptions>();
        app.Services.GetRequiredService<SystemObjects>().EnsureCreated();
        BootstrapPolicy.Ensure(app.Services.GetRequiredService<ResourceRest>());
        await app.StartAsync();
        // In-process test hosts (WebApplicationFactory) have no network address and need no kubeconfigs.
        if (ServerUrl(app, options) is { } url)
        {
            // Pods reach the API server at its real address (KUBERNETES_SERVICE_HOST/PORT, kubernetes.default.svc).
            app.Services.GetRequiredService<ApiServerPodNetwork>().Advertise(new Uri(url));
            var pki = app.Services.GetRequiredService<ClusterPki>();
            var files = KubeconfigWriter.WriteAll(pki, options, url, app.Services.GetRequiredService<TimeProvider>(),
                app.Services.GetRequiredService<AuthenticationSetup>().TokenFile);
            if (app.Services.GetService<DemoProviders>() is { } demo)
            {
                demo.ConnectApiServer(new Uri(url));
                files = [.. files, .. DemoKubeconfigs.WriteAll(demo, pki, url, options.KubeconfigDir, SelfCommand.Current(),
                    oidc: options.Oidc?.AuthenticationConfigFile == demo.AuthenticationConfigPath,
                    proxy: options.RequestHeader is not null,
                    webhook: options.WebhookToken?.ConfigFile == demo.WebhookKubeconfigPath)];
                Console.WriteLine($"demo providers: OIDC issuer {demo.OidcIssuerUrl}, token webhook {demo.TokenWebhookUrl}, authenticating proxy {demo.AuthProxyUrl}");
            }
            app.Services.GetRequiredService<ServerReadiness>().MarkReady();
            Console.WriteLine($"MiniApiServer {HealthEndpoints.GitVersion}: {ListeningMarker} {url}");
            foreach (var f in files) Console.WriteLine($"kubeconfig: {f}");
        }
        else app.Services.GetRequiredService<ServerReadiness>().MarkReady();
        await app.WaitForShutdownAsync();
        app.Services.GetRequiredService<IObjectStore>().Dispose();
    }

    static string? ServerUrl(WebApplication app, ServerOptions options)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null) return null;
        var port = new Uri(address.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost")).Port;
        var host = options.BindAddress.Equals(IPAddress.Any) || options.BindAddress.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
            : options.BindAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.BindAddress}]"
            : options.BindAddress.ToString();
        return $"https://{host}:{port}";
    }
}
