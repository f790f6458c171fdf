/**
 * `spec.hostTraffic` → one GlobalNetworkPolicy `allow-<preset>` per preset, allowing the host
 * paths of lib/calico/presets.ts between the roles they name (every node, the control plane).
 *
 * In the allow-list approach a host endpoint denies all that no policy allows, both directions,
 * failsafe ports aside ("Protect hosts"); these policies allow what a Kubernetes node running
 * Calico needs. They must never widen access to a protected server: a protected server's policy
 * (order 500) only allows its clients and does not deny the others, so a later Allow on the
 * same port would let everyone else in. Every preset therefore leaves out the ports (and
 * protocol) of every protected server, the metrics endpoints included, and says which.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/protect-hosts
 */
import { hostPaths, LOOPBACK_NETS, type HostPath, type HostPeer, type HostRole, type PresetId } from '../calico/presets';
import { printSelector, sel, type Selector } from '../calico/selector';
import type { ApiServerSpec, HostTrafficSpec, Labels, Protocol } from '../spec/types';
import { labelsSelector, NAMESPACE_LABEL } from './labels';

/**
 * After the protecting policies (order 500), whose ports the presets leave out anyway, and
 * before the deny-list approach's default-host (5000), which presets never meet.
 */
export const HOST_TRAFFIC_ORDER = 1000;

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

export interface HostRuleEntity {
  readonly selector?: Selector;
  readonly nets?: readonly string[];
}

/** An Allow rule of a preset's policy. */
export interface HostRulePlan {
  /** `IPIP`: IP protocol 4. */
  readonly protocol: Protocol | 'IPIP';
  readonly source: HostRuleEntity;
  readonly destination: HostRuleEntity;
  /** Destination ports; empty for IP-in-IP, which has none. */
  readonly ports: readonly PortRange[];
}

/** A port a preset leaves out because a protected server listens there. */
export interface ExcludedPort {
  readonly protocol: Protocol;
  readonly port: number;
  /** The server's id: `etcd`, `calico-node-metrics`, … */
  readonly server: string;
}

export interface HostTrafficPolicyPlan {
  readonly preset: PresetId;
  readonly name: string;
  readonly selector: Selector;
  readonly order: number;
  readonly ingress: readonly HostRulePlan[];
  readonly egress: readonly HostRulePlan[];
  readonly excluded: readonly ExcludedPort[];
}

export interface HostTrafficPlan {
  readonly presets: readonly PresetId[];
  /** One per preset that still allows something once the protected ports are left out. */
  readonly policies: readonly HostTrafficPolicyPlan[];
  readonly path: string;
}

/** A protected server's port, which no preset may open. */
export interface ProtectedPort {
  readonly protocol: Protocol;
  readonly port: number;
  readonly server: string;
}

/**
 * The host endpoints of each role: every node, and the control plane by its labels.
 *
 * @param hosts selects every host endpoint of the cluster (`running-calico == "true"`, or the automatic ones)
 */
export function hostRoles(hosts: Selector, controlPlane: Labels): Readonly<Record<HostRole, Selector>> {
  return { nodes: hosts, 'control-plane': sel.and(hosts, labelsSelector(controlPlane)) };
}

/** Plans the presets' policies between the host endpoints of `roles` (hostRoles). */
export function planHostTraffic(spec: HostTrafficSpec, roles: Readonly<Record<HostRole, Selector>>, protectedPorts: readonly ProtectedPort[], apiServer: ApiServerSpec): HostTrafficPlan {
  const policies = spec.presets.flatMap((preset) => {
    const policy = presetPolicy(preset, roles, protectedPorts, apiServer);
    return policy.ingress.length + policy.egress.length > 0 ? [policy] : [];
  });
  return { presets: spec.presets, policies, path: spec.path };
}

function presetPolicy(preset: PresetId, roles: Readonly<Record<HostRole, Selector>>, protectedPorts: readonly ProtectedPort[], apiServer: ApiServerSpec): HostTrafficPolicyPlan {
  const paths = hostPaths(apiServer).filter((p) => p.preset === preset);
  const on = paths.flatMap((p) => [p.inbound?.on, p.outbound?.on, p.local]).filter((r): r is HostRole => r !== undefined);
  // The policy selects the hosts its rules are for; a rule for a narrower role says so on the
  // host's own side (destination of an ingress rule, source of an egress rule), by address.
  const policyRole: HostRole = on.every((r) => r === 'control-plane') ? 'control-plane' : 'nodes';
  const own = (role: HostRole): HostRuleEntity => (role === policyRole ? {} : { selector: roles[role] });
  const ingress: HostRulePlan[] = [];
  const egress: HostRulePlan[] = [];
  const excluded: ExcludedPort[] = [];
  for (const path of paths) {
    const { ranges, left } = openPorts(path, protectedPorts);
    excluded.push(...left);
    if (path.protocol !== 'IPIP' && ranges.length === 0) continue;
    const rule = (source: HostRuleEntity, destination: HostRuleEntity): HostRulePlan => ({ protocol: path.protocol, source, destination, ports: ranges });
    if (path.inbound) for (const peer of peers(path.inbound.from, roles)) ingress.push(rule(peer, own(path.inbound.on)));
    if (path.outbound) for (const peer of peers(path.outbound.to, roles)) egress.push(rule(own(path.outbound.on), peer));
    if (path.local) {
      // One rule per address family: Calico refuses a rule whose nets mix IPv4 and IPv6
      // (libcalico-go/lib/validator/v3/validator.go:1428 validateRule, v3.32.1).
      for (const net of LOOPBACK_NETS) {
        ingress.push(rule({ nets: [net] }, own(path.local)));
        egress.push(rule(own(path.local), { nets: [net] }));
      }
    }
  }
  excluded.sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
  return { preset, name: `allow-${preset}`, selector: roles[policyRole], order: HOST_TRAFFIC_ORDER, ingress: merge(ingress), egress: merge(egress), excluded };
}

/** The other end of a path, as rule entities (a rule's selector and nets must both match, so "or" takes two rules). */
function peers(peer: HostPeer, roles: Readonly<Record<HostRole, Selector>>): HostRuleEntity[] {
  switch (peer) {
    case 'nodes':
    case 'control-plane':
      return [{ selector: roles[peer] }];
    case 'nodes-and-pods':
      return [{ selector: sel.or(roles.nodes, sel.has(NAMESPACE_LABEL)) }];
    case 'pods':
      // Every workload endpoint carries its namespace's name (v3.32.1 libcalico-go
      // updateprocessors/workloadendpointprocessor.go), so this is every pod's address.
      return [{ selector: sel.has(NAMESPACE_LABEL) }];
    case 'anywhere':
      return [{}];
  }
}

/** The path's ports minus every protected server's port of the same protocol. */
function openPorts(path: HostPath, protectedPorts: readonly ProtectedPort[]): { ranges: PortRange[]; left: ExcludedPort[] } {
  if (path.protocol === 'IPIP' || path.port === undefined) return { ranges: [], left: [] };
  const first = path.port;
  const last = path.endPort ?? path.port;
  const left = protectedPorts.filter((p) => p.protocol === path.protocol && p.port >= first && p.port <= last);
  const blocked = [...new Set(left.map((p) => p.port))].sort((a, b) => a - b);
  const ranges: PortRange[] = [];
  let next = first;
  for (const port of blocked) {
    if (port > next) ranges.push({ first: next, last: port - 1 });
    next = port + 1;
  }
  if (next <= last) ranges.push({ first: next, last });
  return { ranges, left: left.map((p) => ({ protocol: p.protocol, port: p.port, server: p.server })) };
}

/** Rules that differ only in their ports become one (WireGuard's 51820 and 51821, say). */
function merge(rules: readonly HostRulePlan[]): HostRulePlan[] {
  const byKey = new Map<string, HostRulePlan>();
  const key = (e: HostRuleEntity): string => `${e.selector ? printSelector(e.selector) : ''}|${(e.nets ?? []).join(',')}`;
  for (const r of rules) {
    const k = `${r.protocol}/${key(r.source)}/${key(r.destination)}`;
    const seen = byKey.get(k);
    byKey.set(k, seen ? { ...seen, ports: [...seen.ports, ...r.ports] } : r);
  }
  return [...byKey.values()];
}
