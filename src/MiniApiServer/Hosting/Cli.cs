namespace MiniApiServer.Hosting;

/// <summary>The command line: subcommands, --help, and the exit codes of the contract
/// (0 clean stop, 2 bad flags or configuration with one line on stderr, 1 anything else).</summary>
public static class Cli
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args.Length > 0 && !args[0].StartsWith('-'))
                return args[0] switch
                {
                    KubeconfigCommand.Name => KubeconfigCommand.Run(args[1..], TimeProvider.System),
                    Certificates.CertsCommand.Name => Certificates.CertsCommand.Run(args[1..], TimeProvider.System),
                    Demo.OidcIssuer.CredentialPlugin.Name => await Demo.OidcIssuer.CredentialPlugin.RunAsync(args[1..]),
                    _ => throw new ConfigurationException($"unknown subcommand \"{args[0]}\" (see --help)"),
                };
            var flags = new FlagSet(ServerOptions.Flags).Parse(args);
            if (flags.GetBool("help"))
            {
                Console.WriteLine(Help(flags));
                return 0;
            }
            await using var app = await ServerHost.BuildAsync(args, flags);
            await ServerHost.RunAsync(app);
            return 0;
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Pki.PkiException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is not HostAbortedException)
        {
            Console.Error.WriteLine($"error: {e}");
            return 1;
        }
    }

    static string Help(FlagSet flags) => $"""
        MiniApiServer: a Kubernetes-style API server for learning, demos and tests of Kubernetes authentication.

        Usage:
          run.sh [flags]              serve (HTTPS, kube-apiserver flag names)
          run.sh kubeconfig [--mechanism x509|token|oidc|webhook|proxy|anonymous] --user NAME [--group G]...
                                      print a kubeconfig for an identity: x509 (default) issues a client
                                      certificate for any user and groups; the others use the user's
                                      credential of that mechanism (run.sh kubeconfig --help for its flags)
          run.sh certs issue --user NAME [--group G]... [--days N | --expired | --not-yet-valid]
                                      a key, a client certificate and a kubeconfig in <data-dir>/issued
          run.sh certs rotate-client-ca
                                      replace the client CA (client-ca.crt), re-issue the demo client
                                      certificates; every old client certificate then gets 401
          run.sh certs deny --deny-list FILE --kubeconfig FILE
                                      list a certificate in the simulator's deny list (an extension;
                                      the server reads it with --client-cert-deny-list)
          run.sh oidc-login get-token --oidc-issuer-url=URL --username=U --password=P [...]
                                      an exec credential plugin for kubeconfigs: fetches (and caches) an
                                      ID token from an OIDC issuer with the password grant, as kubelogin

        Flags:
        {flags.Usage()}
        """;
}
