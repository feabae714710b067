using System.Collections.Immutable;
using System.Text.Json.Nodes;
using MiniApiServer.Registry.Rbac;
using MiniApiServer.Storage;

namespace MiniApiServer.Authorization.Rbac;

/// <summary>
/// The Roles, ClusterRoles and bindings the authorizer reads, held in memory (kube's RBAC authorizer reads
/// informer caches, never etcd). Each kind is listed once and then followed through a store watch. The
/// store offers a change to its watchers while the write is still being made, so draining the pending
/// changes before every read makes a binding effective for the very next request, as in one process it
/// should be. A watch that broke (it fell too far behind) is replaced by a fresh list.
/// </summary>
public sealed class RbacPolicy(IObjectStore store) : IDisposable
{
    readonly Lock gate = new();
    readonly Feed<IReadOnlyList<PolicyRule>> roles = new(store, RbacDefinitions.Roles.StorageResource, PolicyRule.ListFrom);
    readonly Feed<IReadOnlyList<PolicyRule>> clusterRoles = new(store, RbacDefinitions.ClusterRoles.StorageResource, PolicyRule.ListFrom);
    readonly Feed<Binding> roleBindings = new(store, RbacDefinitions.RoleBindings.StorageResource, Binding.FromJson);
    readonly Feed<Binding> clusterRoleBindings = new(store, RbacDefinitions.ClusterRoleBindings.StorageResource, Binding.FromJson);

    /// <summary>A consistent view of the policy as of now.</summary>
    public PolicySnapshot Current()
    {
        lock (gate)
        {
            return new PolicySnapshot(roles.Sync(), clusterRoles.Sync(), roleBindings.Sync(), clusterRoleBindings.Sync());
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            roles.Dispose();
            clusterRoles.Dispose();
            roleBindings.Dispose();
            clusterRoleBindings.Dispose();
        }
    }

    /// <summary>One kind: namespace → name → parsed object, immutable so readers need no lock.</summary>
    sealed class Feed<T>(IObjectStore store, string resource, Func<JsonObject, T> parse) : IDisposable
    {
        ImmutableDictionary<string, ImmutableSortedDictionary<string, T>> items = ImmutableDictionary<string, ImmutableSortedDictionary<string, T>>.Empty;
        IWatchSubscription? watch;

        public ImmutableDictionary<string, ImmutableSortedDictionary<string, T>> Sync()
        {
            if (watch is null) Relist();
            while (true)
            {
                while (watch!.Events.TryRead(out var change)) Apply(change);
                // A completed reader means the watch ended (too slow, or the store closed): list again.
                if (!watch.Events.Completion.IsCompleted) return items;
                Relist();
                if (watch.Events.Completion.IsCompleted) return items;
            }
        }

        void Relist()
        {
            watch?.Dispose();
            while (true)
            {
                var list = store.List(resource, null);
                var next = ImmutableDictionary<string, ImmutableSortedDictionary<string, T>>.Empty;
                foreach (var group in list.Items.GroupBy(i => i.Key.Namespace))
                    next = next.Add(group.Key, group.ToImmutableSortedDictionary(i => i.Key.Name, i => parse(i.Object), StringComparer.Ordinal));
                try
                {
                    watch = store.Watch(resource, null, list.ResourceVersion);
                    items = next;
                    return;
                }
                catch (ResourceVersionTooOldException) { }
            }
        }

        void Apply(WatchEvent change)
        {
            var key = change.Object.Key;
            var inNamespace = items.TryGetValue(key.Namespace, out var existing) ? existing : ImmutableSortedDictionary.Create<string, T>(StringComparer.Ordinal);
            inNamespace = change.Type == WatchEventType.Deleted ? inNamespace.Remove(key.Name) : inNamespace.SetItem(key.Name, parse(change.Object.Object));
            items = inNamespace.IsEmpty ? items.Remove(key.Namespace) : items.SetItem(key.Namespace, inNamespace);
        }

        public void Dispose() => watch?.Dispose();
    }
}

/// <summary>The policy at one moment: what the rule resolver reads.</summary>
public sealed class PolicySnapshot(
    ImmutableDictionary<string, ImmutableSortedDictionary<string, IReadOnlyList<PolicyRule>>> roles,
    ImmutableDictionary<string, ImmutableSortedDictionary<string, IReadOnlyList<PolicyRule>>> clusterRoles,
    ImmutableDictionary<string, ImmutableSortedDictionary<string, Binding>> roleBindings,
    ImmutableDictionary<string, ImmutableSortedDictionary<string, Binding>> clusterRoleBindings)
{
    public IReadOnlyList<PolicyRule>? Role(string ns, string name) =>
        roles.TryGetValue(ns, out var inNs) && inNs.TryGetValue(name, out var rules) ? rules : null;

    public IReadOnlyList<PolicyRule>? ClusterRole(string name) =>
        clusterRoles.TryGetValue("", out var all) && all.TryGetValue(name, out var rules) ? rules : null;

    public IEnumerable<Binding> RoleBindings(string ns) =>
        roleBindings.TryGetValue(ns, out var inNs) ? inNs.Values : [];

    public IEnumerable<Binding> ClusterRoleBindings() =>
        clusterRoleBindings.TryGetValue("", out var all) ? all.Values : [];
}
