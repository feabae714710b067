using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Rbac;

/// <summary>The whole server in process (see <see cref="ApiServerFactory"/>) in the authorization mode(s) a test names.</summary>
public class RbacServerFactory : ApiServerFactory
{
    public IReadOnlyList<string> Modes
    {
        get => Flags["authorization-mode"].Split(',');
        init => Flags["authorization-mode"] = string.Join(",", value);
    }

    public RbacServerFactory() => Flags["authorization-mode"] = "RBAC";
}
