using System.Net;
using System.Net.Sockets;
using MiniApiServer.Demo;
using MiniApiServer.Hosting;

namespace MiniApiServer.Tests.Demo;

public sealed class DemoPortsTests
{
    [Theory]
    [InlineData(6443, 6444, 6445, 6446)]
    [InlineData(8443, 8444, 8445, 8446)]
    [InlineData(0, 0, 0, 0)]
    public void AFixedSecurePortGivesTheNextThreePortsAndZeroGivesFreePorts(int securePort, int issuer, int webhook, int proxy)
    {
        Assert.Equal(new DemoPorts(issuer, webhook, proxy), DemoPorts.For(securePort));
    }

    [Theory]
    [InlineData(65533)]
    [InlineData(-1)]
    public void PortsThatLeaveNoRoomAreAConfigurationError(int securePort)
    {
        Assert.Throws<ConfigurationException>(() => DemoPorts.For(securePort));
    }

    [Fact]
    public async Task TwoServersOnPortZeroGetSixDistinctAddresses()
    {
        var first = new DemoEnvironment();
        var second = new DemoEnvironment();
        await first.InitializeAsync();
        await second.InitializeAsync();
        try
        {
            string[] urls = [first.Demo.OidcIssuerUrl, first.Demo.TokenWebhookUrl, first.Demo.AuthProxyUrl, second.Demo.OidcIssuerUrl, second.Demo.TokenWebhookUrl, second.Demo.AuthProxyUrl];
            Assert.Equal(6, urls.Select(u => new Uri(u).Port).Distinct().Count());
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task AFixedSecurePortGivesTheSameAddressesAfterARestart()
    {
        var env = new DemoEnvironment();
        await env.InitializeAsync();
        try
        {
            var securePort = FreeBlockBase();
            string[] Urls(DemoProviders d) => [d.OidcIssuerUrl, d.TokenWebhookUrl, d.AuthProxyUrl];

            string[] before;
            await using (var demo = new DemoProviders(env.Options(securePort), env.Time))
            {
                await demo.StartAsync(CancellationToken.None);
                before = Urls(demo);
            }
            await using var restarted = new DemoProviders(env.Options(securePort), env.Time);
            await restarted.StartAsync(CancellationToken.None);

            Assert.Equal(before, Urls(restarted));
            Assert.Equal([$"https://127.0.0.1:{securePort + 1}", $"https://127.0.0.1:{securePort + 2}/authenticate", $"https://127.0.0.1:{securePort + 3}"], before);
        }
        finally
        {
            await env.DisposeAsync();
        }
    }

    [Fact]
    public async Task ATakenPortIsAConfigurationErrorNamingTheFlag()
    {
        var env = new DemoEnvironment();
        await env.InitializeAsync();
        try
        {
            var occupied = new Uri(env.Demo.OidcIssuerUrl).Port;
            await using var clash = new DemoProviders(env.Options(occupied - DemoPorts.OidcIssuerOffset, env.DataDir + "-2"), env.Time);

            var error = await Assert.ThrowsAsync<ConfigurationException>(() => clash.StartAsync(CancellationToken.None));
            Assert.Contains("--secure-port", error.Message);
        }
        finally
        {
            await env.DisposeAsync();
        }
    }

    /// <summary>A port P with P+1..P+3 free right now (probed by binding them).</summary>
    private static int FreeBlockBase()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (port + 3 > 65535) continue;
            var listeners = new List<TcpListener>();
            try
            {
                for (var p = port + 1; p <= port + 3; p++)
                {
                    var l = new TcpListener(IPAddress.Loopback, p);
                    l.Start();
                    listeners.Add(l);
                }
                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }
        throw new InvalidOperationException("no block of four free ports found");
    }
}
