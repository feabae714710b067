namespace MiniApiServer.Pki;

/// <summary>kubeadm's file names under <c>/etc/kubernetes/pki</c>, which <c>--cert-dir</c> mirrors.</summary>
public static class PkiFileNames
{
    public const string CaCert = "ca.crt";
    public const string CaKey = "ca.key";
    public const string ServingCert = "apiserver.crt";
    public const string ServingKey = "apiserver.key";
    public const string FrontProxyCaCert = "front-proxy-ca.crt";
    public const string FrontProxyCaKey = "front-proxy-ca.key";
    public const string FrontProxyClientCert = "front-proxy-client.crt";
    public const string FrontProxyClientKey = "front-proxy-client.key";
    public const string ServiceAccountPrivateKey = "sa.key";
    public const string ServiceAccountPublicKey = "sa.pub";

    /// <summary>
    /// The simulator's client CA: the default <c>--client-ca-file</c> bundle. Created as a copy of <c>ca.crt</c>
    /// (kubeadm's <c>--client-ca-file</c>), so until a client-CA rotation user certificates are the cluster CA's.
    /// </summary>
    public const string ClientCaCert = "client-ca.crt";

    /// <summary>The client CA's own key, present only after a rotation; until then <c>ca.key</c> signs user certificates.</summary>
    public const string ClientCaKey = "client-ca.key";

    /// <summary>Taken (FileShare.None) while missing files are generated, so concurrent starts agree.</summary>
    public const string Lock = ".pki.lock";
}
