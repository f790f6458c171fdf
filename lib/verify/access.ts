/**
 * The access matrix: for every protected server (the metrics endpoints included), which
 * classes of clients reach its port through the emitted objects, and what decides it.
 *
 * Intent comes from the plan (where each server runs, who its allowed clients are); reality
 * from the {@link Model} of the emitted objects, through {@link evaluate}. A cell is the
 * verdict of one or more probes: connection attempts from a representative of the client
 * class to a representative of the server's endpoints.
 *
 * Scale: a cluster may have 10,000 nodes and 20 servers, so nothing is evaluated per node.
 * Host endpoints fall into classes that Felix treats alike (same labels, interface kind,
 * profiles, address families, network-set membership and Felix settings). For one server's
 * protocol and port, classes merge further into groups: classes selected by the same
 * policies that hold a rule able to match that port, with the same membership in the IP sets
 * of those rules' selectors, decide every probe alike, because the evaluator reads an
 * endpoint's labels only through the policies selecting it and those IP sets, and a rule
 * that cannot match the protocol or port never decides. Each group is probed once, through
 * its first host endpoint by name; a cell says how many nodes each probe stands for.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/protect-hosts
 */
import { essentialHostPaths, type EssentialDirection, type EssentialHostPath } from '../calico/essentials';
import { neededPaths, type NeededPath } from '../calico/needs';
import { cidrContains, parseCidr, type IpFamily, type ParsedCidr, type ParsedIp } from '../calico/net';
import type { HostPeer as HostPeerRole, HostRole } from '../calico/presets';
import { matchesSelector, type Labels, type Selector } from '../calico/selector';
import { compareText, memoize } from '../calico/strings';
import { allowedClientLabel, type ProtectionPlan, type ServerPlan } from '../plan/plan';
import type { Protocol as SpecProtocol } from '../spec/types';
import { evaluate, workloadLabels, type DecidedBy, type HostPeer, type Peer, type Rewrite, type Stage, type WorkloadPeer } from './evaluator';
import { ipSetContains, protocolNumber, type AppliedPolicies, type FelixSettings, type HostEndpoint, type Model, type Policy, type PortRange, type Rule, type SelectorRef } from './model';
import { firstHost, ProbeAddresses, type AddressRole } from './probe-addresses';

/** Who tries to connect. */
export type ClientClass = 'allowed-workload' | 'unlabelled-pod' | 'allowed-network' | 'allowed-host' | 'other-host' | 'external' | 'pod-same-node';

export interface ClientClassInfo {
  readonly id: ClientClass;
  readonly title: string;
  /** What the spec wants for this class. */
  readonly intent: 'allowed' | 'denied';
  readonly description: string;
}

/** The columns of the matrix, in order. */
export const CLIENT_CLASSES: readonly ClientClassInfo[] = [
  { id: 'allowed-workload', title: 'Allowed workload', intent: 'allowed', description: 'a pod carrying the client label (or matching a workload client of the spec), in another namespace than the server, on another node' },
  { id: 'unlabelled-pod', title: 'Unlabelled pod', intent: 'denied', description: 'a pod without the client labels, on another node' },
  { id: 'allowed-network', title: 'Allowed network', intent: 'allowed', description: 'an address inside each allowed network (GlobalNetworkSet)' },
  { id: 'allowed-host', title: 'Allowed host', intent: 'allowed', description: 'a host-networked process on a node whose host endpoint carries allowed-<server>-client, from its expected IP' },
  { id: 'other-host', title: 'Other host', intent: 'denied', description: "a host-networked process on a node that is not an allowed client, from its expected IP (as the server sees it: the node's own egress policy left out)" },
  { id: 'external', title: 'External address', intent: 'denied', description: 'an address unknown to Calico, outside every network the objects name' },
  { id: 'pod-same-node', title: 'Pod on the same node', intent: 'denied', description: "an unlabelled pod on the server's own node" },
];

/** One connection attempt and its verdict. */
export interface Probe {
  readonly source: Peer;
  readonly destination: Peer;
  readonly protocol: SpecProtocol;
  readonly port: number;
  /** Nodes the source stands for (host sources), 1 otherwise. */
  readonly sourceNodes: number;
  /** Nodes the destination stands for (host-networked servers), 1 for a pod. */
  readonly targetNodes: number;
  readonly allowed: boolean;
  readonly decidedBy: DecidedBy;
  /** The stage that denied the attempt, or for an allowed one the last stage that policed it. */
  readonly stage?: Stage;
  /** Masquerade and tunnels that changed the source on the way. */
  readonly rewrites: readonly Rewrite[];
  /** Allowed by a policy and by a Felix failsafe port too (which Felix checks first). @default false */
  readonly alsoFailsafe?: boolean;
}

/** `failsafe`: every probe allowed, at least one only through a Felix failsafe port. */
export type CellStatus = 'allowed' | 'failsafe' | 'denied' | 'mixed' | 'none';

export interface AccessCell {
  readonly client: ClientClass;
  readonly status: CellStatus;
  readonly probes: readonly Probe[];
  /** Why there is no probe, when the status is `none`. */
  readonly note?: string;
}

/** Some node names and how many there are in all. */
export interface NodeSample {
  readonly count: number;
  /** The first few, sorted. */
  readonly names: readonly string[];
}

export interface ServerAccess {
  readonly server: ServerPlan;
  /** Where the server runs, in words. */
  readonly runsOn: string;
  /** The cells, in the order of {@link CLIENT_CLASSES}. */
  readonly cells: readonly AccessCell[];
  /** Nodes where the server runs host-networked and no host endpoint polices any interface. */
  readonly uncoveredNodes: NodeSample;
  /** Nodes where the server runs host-networked and only named interfaces have host endpoints (no `*`). */
  readonly partialNodes: NodeSample;
  /** The endpoints probed as the server: one host endpoint per group of the nodes it runs on, and its pods. */
  readonly targets: readonly ServerTarget[];
  /** For servers on pods: an unlabelled pod connecting to another port of the server's pods. */
  readonly otherPort?: Probe;
}

/** Where a server is probed: a host endpoint standing for `nodes` nodes, or one of its pods. */
export interface ServerTarget {
  readonly peer: HostPeer | WorkloadPeer;
  /** The host endpoint a host target stands for. @default - a pod */
  readonly hostEndpoint?: HostEndpoint;
  readonly nodes: number;
  readonly family: IpFamily;
}

/** A class of host endpoints Felix treats alike. */
export interface HostClass {
  /** The endpoint probes use for the class: its first by name. */
  readonly hostEndpoint: HostEndpoint;
  readonly members: readonly HostEndpoint[];
  readonly kind: 'interface' | 'all-interfaces' | 'address';
  /** The first expected IP of each family. */
  readonly ips: Readonly<Partial<Record<IpFamily, ParsedIp>>>;
  /** Everything but the labels that makes Felix treat the class's endpoints alike. */
  readonly shape: string;
}

/** One well-known host path in one direction, probed on every group of host endpoints. */
export interface EssentialAccess {
  readonly path: EssentialHostPath;
  readonly direction: EssentialDirection;
  readonly port: number;
  readonly status: CellStatus;
  readonly probes: readonly Probe[];
}

export interface AccessMatrix {
  readonly servers: readonly ServerAccess[];
  /** The classes of the host endpoints that police an interface (others are shadowed by an endpoint of the same interface). */
  readonly hostClasses: readonly HostClass[];
  /** Allow-list only: the host paths of lib/calico/presets.ts (probed as lib/calico/essentials.ts lists them). */
  readonly essentials: readonly EssentialAccess[];
  /** Paths the cluster needs (lib/calico/needs.ts) that a protected port sits on, probed from those who need them. */
  readonly needs: readonly NeedAccess[];
}

/** A protected port on a path the cluster needs, and whether those who need the path still get through. */
export interface NeedAccess {
  readonly server: ServerPlan;
  readonly need: NeededPath;
  /** Empty when no host endpoint of the server has the path's role, or no one who needs the path is described. */
  readonly probes: readonly Probe[];
}

const FAMILIES: readonly IpFamily[] = [4, 6];
/** Names shown in samples of nodes. */
const SAMPLE_SIZE = 5;
/** Name of a made-up node without host endpoints, when a pod needs a node and the spec has none to spare. */
const NODE_WITHOUT_HOST_ENDPOINT = 'node-without-host-endpoint';
/** The interface a probe names for an endpoint that gives its interface by address only. */
const BY_ADDRESS = '(address)';

/** Computes the matrix of every server of the plan against the model of the emitted objects. */
export function computeAccess(plan: ProtectionPlan, model: Model): AccessMatrix {
  const ctx = new AccessContext(plan, model);
  return {
    servers: plan.servers.map((s) => ctx.server(s)),
    hostClasses: ctx.classes,
    essentials: plan.approach === 'allow-list' ? ctx.essentials() : [],
    needs: ctx.needs(),
  };
}

/** Aggregates probes into a cell status. */
function cellStatus(probes: readonly Probe[]): CellStatus {
  if (probes.length === 0) return 'none';
  const denied = probes.filter((p) => !p.allowed).length;
  if (denied === probes.length) return 'denied';
  if (denied > 0) return 'mixed';
  return probes.some((p) => p.decidedBy.kind === 'failsafe') ? 'failsafe' : 'allowed';
}

interface Member {
  readonly hep: HostEndpoint;
  readonly cls: HostClass;
}

/** Classes of one server's port merged by what decides probes on that port. */
interface Grouping {
  readonly groupOf: ReadonlyMap<HostClass, number>;
  /** Per group: how many nodes have a member. */
  readonly nodes: readonly number[];
  /** Per group: members on the first few nodes, one per node, in node order. */
  readonly candidates: readonly (readonly Member[])[];
}

/** A host endpoint standing for a group, and how many nodes it stands for. */
interface HostRep {
  readonly hep: HostEndpoint;
  readonly cls: HostClass;
  readonly nodes: number;
}

/** Nodes whose host endpoints fall in the same classes. */
interface NodeKind {
  readonly classes: readonly HostClass[];
  count: number;
  /** The members of the first few such nodes. */
  readonly first: (readonly Member[])[];
}

/** Members kept per group to pick a representative on a node that is not excluded. */
const CANDIDATES = 8;

class AccessContext {
  readonly classes: HostClass[];
  private readonly byNode = new Map<string, Member[]>();
  private readonly specNodes: readonly string[];
  private readonly addresses: ProbeAddresses;
  private readonly groupings = new Map<string, Grouping>();
  private readonly classNodes = new Map<HostClass, number>();
  private readonly coverages = new Map<readonly string[], { readonly uncovered: NodeSample; readonly partial: NodeSample }>();
  /**
   * The labels of the pods the probes make up without any: one object per matrix, so that
   * workloadLabels gives one label set for each of their namespaces; frozen, as it is shared
   * by the probes of the result.
   */
  private readonly noLabels: Labels = Object.freeze({});
  /** Nodes by the classes of their host endpoints (set by buildClasses). */
  private nodeKinds: readonly NodeKind[] = [];

  constructor(
    private readonly plan: ProtectionPlan,
    private readonly model: Model,
  ) {
    this.addresses = ProbeAddresses.forModel(model);
    // By name, so that no verdict depends on the order of spec.nodes.
    this.specNodes = plan.spec.nodes.map((n) => n.name).sort(compareText);
    this.classes = this.buildClasses();
  }

  private buildClasses(): HostClass[] {
    const nets = significantNets(this.model);
    const byKey = new Map<string, { shape: string; members: HostEndpoint[]; kind: HostClass['kind'] }>();
    const memberKeys: [HostEndpoint, string][] = [];
    const id = numbering();
    const felixIds = new Map<FelixSettings, number>();
    // Which networks hold an endpoint's first address of a family: '-' without one.
    const signature = (ip: ParsedIp | undefined, family: IpFamily): string => (ip === undefined ? '-' : nets[family].size === 0 ? '' : nets[family].indexesOf(ip));
    const heps = this.model.hostEndpoints;
    const sorted = heps.map((_, i) => i).sort((a, b) => compareText((heps[a] as HostEndpoint).name, (heps[b] as HostEndpoint).name));
    for (const i of sorted) {
      const hep = heps[i] as HostEndpoint;
      // An endpoint another one shadows (same interface, earlier name) polices nothing.
      if (this.model.hostEndpointFor(hep.node, probeInterface(hep), hep.expectedIPs[0]) !== hep) continue;
      const felix = this.model.felix(hep.node);
      const kind: HostClass['kind'] = hep.interfaceName === undefined ? 'address' : hep.interfaceName === '*' ? 'all-interfaces' : 'interface';
      // Short keys from numbered parts (equal numbers for equal texts): 10,000 keys of the full
      // texts took longer to build and hash than the rest of the loop.
      let settings = felixIds.get(felix);
      if (settings === undefined) {
        settings = id(JSON.stringify([felix.failsafeInbound.configuredBy, felix.failsafeOutbound.configuredBy, felix.defaultEndpointToHostAction.configuredBy]));
        felixIds.set(felix, settings);
      }
      const profiles = hep.profiles.length === 0 ? '' : id(JSON.stringify(hep.profiles));
      // Digits, commas, dashes and bars only, each part of a fixed place: equal strings, equal
      // parts. Only the first address of each family is probed (as the model parsed it).
      const shape = `${kind}|${settings}|${profiles}|${signature(firstIp(hep, 4), 4)}|${signature(firstIp(hep, 6), 6)}`;
      // The model numbers the endpoints' label sets (for its IP sets) without this loop's help.
      const key = `${this.model.labelSetOf(i)}|${shape}`;
      const entry = byKey.get(key) ?? { shape, members: [], kind };
      entry.members.push(hep);
      byKey.set(key, entry);
      memberKeys.push([hep, key]);
    }
    const classOf = new Map<string, HostClass>();
    for (const [key, e] of byKey) {
      const rep = e.members[0] as HostEndpoint;
      classOf.set(key, { hostEndpoint: rep, members: e.members, kind: e.kind, ips: firstIps(rep), shape: e.shape });
    }
    for (const [hep, key] of memberKeys) {
      const cls = classOf.get(key) as HostClass;
      const list = this.byNode.get(hep.node) ?? [];
      list.push({ hep, cls });
      this.byNode.set(hep.node, list);
    }
    const classes = [...classOf.values()].sort((a, b) => compareText(a.hostEndpoint.name, b.hostEndpoint.name));
    // Nodes whose endpoints fall in the same classes count alike for every grouping.
    const index = new Map(classes.map((c, i) => [c, i]));
    const kinds = new Map<string, NodeKind>();
    for (const members of this.byNode.values()) {
      const key = members.map((m) => index.get(m.cls)).join(',');
      const kind = kinds.get(key);
      if (kind === undefined) kinds.set(key, { classes: members.map((m) => m.cls), count: 1, first: [members] });
      else {
        kind.count++;
        if (kind.first.length < CANDIDATES) kind.first.push(members);
      }
    }
    this.nodeKinds = [...kinds.values()];
    return classes;
  }

  /**
   * Merges the classes for one protocol and port: same shape, same policies per direction
   * (and, of those, the ones with a rule that can match), same membership in the IP sets of
   * the selectors of rules that can match.
   */
  private grouping(protocol: SpecProtocol, port: number): Grouping {
    const cacheKey = `${protocol}/${port}`;
    const cached = this.groupings.get(cacheKey);
    if (cached) return cached;
    const proto = protocolNumber(protocol) as number;
    const relevant = new Set<Policy>();
    const selectors = new Map<string, SelectorRef>();
    // Without a new list of each policy's rules and of each rule's selectors: once per protocol
    // and port, for every policy.
    const take = (s: SelectorRef | undefined): void => {
      if (s) selectors.set(s.key, s);
    };
    for (const p of this.model.policies) {
      for (const rules of [p.ingress, p.egress]) {
        for (let i = 0; i < rules.length; i++) {
          const rule = rules[i] as Rule;
          if (!ruleCanMatch(rule, proto, port)) continue;
          relevant.add(p);
          take(rule.source.selector);
          take(rule.source.notSelector);
          take(rule.destination.selector);
          take(rule.destination.notSelector);
        }
      }
    }
    const refs = [...selectors.values()];
    const sets = refs.map((s) => this.model.ipSet(s));
    const signatures = new Map<string, number>();
    const groupOf = new Map<HostClass, number>();
    // The parts of a signature as numbers (equal numbers for equal shapes and policy sort
    // keys), and once per set of applied policies: classes share a few of each.
    const id = numbering();
    const names = (list: readonly Policy[]): string => list.filter((p) => relevant.has(p)).map((p) => id(`policy ${p.sortKey}`)).join(',');
    const appliedSignatures = new Map<AppliedPolicies, string>();
    for (const cls of this.classes) {
      const applied = this.model.policiesFor(cls.hostEndpoint.labels);
      let policies = appliedSignatures.get(applied);
      if (policies === undefined) {
        policies = `${applied.ingress.length > 0 ? 1 : 0}${applied.egress.length > 0 ? 1 : 0}|${names(applied.ingress)}|${names(applied.egress)}`;
        appliedSignatures.set(applied, policies);
      }
      let bits = '';
      for (const set of sets) for (const f of FAMILIES) bits += cls.ips[f] !== undefined && ipSetContains(set, cls.ips[f] as ParsedIp) ? '1' : '0';
      // Digits, commas and bars only, each part of a fixed form: equal strings, equal parts.
      const signature = `${id(`shape ${cls.shape}`)}|${policies}|${bits}`;
      let group = signatures.get(signature);
      if (group === undefined) {
        group = signatures.size;
        signatures.set(signature, group);
      }
      groupOf.set(cls, group);
    }
    const nodes = new Array<number>(signatures.size).fill(0);
    const candidates: Member[][] = Array.from({ length: signatures.size }, () => []);
    for (const kind of this.nodeKinds) {
      for (const g of new Set(kind.classes.map((c) => groupOf.get(c) as number))) {
        nodes[g] += kind.count;
        const list = candidates[g] as Member[];
        for (const members of kind.first) {
          if (list.length < CANDIDATES) list.push(members.find((m) => groupOf.get(m.cls) === g) as Member);
        }
      }
    }
    const result: Grouping = { groupOf, nodes, candidates };
    this.groupings.set(cacheKey, result);
    return result;
  }

  /** The distinct groups of one node's members. */
  private groupsOf(groupOf: ReadonlyMap<HostClass, number>, members: readonly Member[]): Set<number> {
    return new Set(members.map((m) => groupOf.get(m.cls) as number));
  }

  /** One representative per group among the members of `nodes` (a few), in node order. */
  private representatives(grouping: Grouping, nodes: Iterable<string>): HostRep[] {
    const reps = new Map<number, { hep: HostEndpoint; cls: HostClass; nodes: number }>();
    for (const node of nodes) {
      const members = this.byNode.get(node) ?? [];
      for (const g of this.groupsOf(grouping.groupOf, members)) {
        const rep = reps.get(g);
        if (rep) rep.nodes++;
        else reps.set(g, { ...(members.find((m) => grouping.groupOf.get(m.cls) === g) as Member), nodes: 1 });
      }
    }
    return [...reps.values()];
  }

  /** One representative per group among all nodes but `excluded` (a few), without a pass over the nodes. */
  private representativesExcept(grouping: Grouping, excluded: ReadonlySet<string>): HostRep[] {
    const nodes = [...grouping.nodes];
    for (const node of excluded) for (const g of this.groupsOf(grouping.groupOf, this.byNode.get(node) ?? [])) nodes[g]--;
    const reps: HostRep[] = [];
    nodes.forEach((count, g) => {
      if (count <= 0) return;
      const pick = (list: Iterable<readonly Member[]>): Member | undefined => {
        for (const members of list) {
          const m = members.find((x) => grouping.groupOf.get(x.cls) === g && !excluded.has(x.hep.node));
          if (m) return m;
        }
        return undefined;
      };
      const member = pick((grouping.candidates[g] as Member[]).map((m) => [m])) ?? pick(this.byNode.values());
      if (member) reps.push({ hep: member.hep, cls: member.cls, nodes: count });
    });
    return reps;
  }

  server(s: ServerPlan): ServerAccess {
    const { uncovered, partial } = this.coverage(s.runsOnAllNodes ? this.specNodes : s.hostNodes);
    const grouping = this.grouping(s.protocol, s.port);
    const targets: ServerTarget[] = [...this.hostTargets(s, grouping)];
    for (const pod of this.serverPods(s)) targets.push({ peer: pod, nodes: 1, family: 4 });

    const probes = new Map<ClientClass, Probe[]>(CLIENT_CLASSES.map((c) => [c.id, []]));
    const notes = new Map<ClientClass, string>();
    const add = (client: ClientClass, probe: Probe | string): void => {
      if (typeof probe === 'string') notes.set(client, probe);
      else (probes.get(client) as Probe[]).push(probe);
    };
    const clients = this.clientSpec(s);
    const hostClientNodes = new Set(clients.nodes);
    // The flows probed for this server (firstFlow): a node's two groups put the same pod on it,
    // and two of its targets standing for as many nodes share its loopback.
    const flows = new Set<string>();
    for (const target of targets) {
      const node = target.peer.node;
      const podNode = this.otherNode(node);
      for (const pod of clients.pods) add('allowed-workload', this.attempt(s, this.pod(pod, 'client-pod', target.family, podNode), target));
      const unlabelled = this.unlabelledPod(s);
      // From a node of every group: where pod traffic is masqueraded, a pod counts as its node,
      // so an unlabelled pod on an allowed client's node must be probed too.
      const podNodes = this.representativesExcept(grouping, new Set([node])).map((rep) => ({ node: rep.hep.node, ...this.interfaceFor(rep.hep.node) }));
      for (const placement of podNodes.length > 0 ? podNodes : [podNode]) {
        const pod = this.pod(unlabelled, 'client-pod', target.family, placement);
        if (pod === undefined || firstFlow(flows, pod, target)) add('unlabelled-pod', this.attempt(s, pod, target));
      }
      for (const net of clients.nets) {
        const parsed = parseCidrText(net);
        add('allowed-network', this.probe(s, { kind: 'external', ip: firstHost(parsed).text }, this.retarget(target, parsed.family)));
      }
      if (clients.nets.length === 0) notes.set('allowed-network', 'the spec allows no network');
      this.allowedHostProbes(s, target, grouping, clients.nodes.filter((n) => n !== node), add);
      this.loopbackProbe(s, target, flows, add);
      if (clients.nodes.length === 0) notes.set('allowed-host', s.role === 'protected-server' ? 'the spec allows no host' : 'metrics have no host clients');
      this.otherHostProbes(s, target, grouping, new Set([...hostClientNodes, node]), add);
      const external = this.addresses.get('external', target.family);
      add('external', this.attempt(s, external && { kind: 'external', ip: external.text }, target));
      add('pod-same-node', this.attempt(s, this.pod(unlabelled, 'local-pod', target.family, { node, ...(target.peer.kind === 'workload' ? hostInterfaceOf(target.peer) : this.interfaceFor(node)) }), target));
    }
    if (targets.length === 0) {
      for (const c of CLIENT_CLASSES) notes.set(c.id, uncovered.count > 0 ? 'no host endpoint covers the nodes the server runs on' : 'the spec places the server nowhere');
    }
    const cells = CLIENT_CLASSES.map((c): AccessCell => {
      const list = probes.get(c.id) as Probe[];
      const note = notes.get(c.id);
      return { client: c.id, status: cellStatus(list), probes: list, ...(list.length === 0 && note !== undefined && { note }) };
    });
    const pod = targets.find((t) => t.peer.kind === 'workload');
    const otherPortSource = pod && this.pod(this.unlabelledPod(s), 'client-pod', 4, this.otherNode(pod.peer.node));
    const otherPort = pod && otherPortSource && this.probe({ ...s, port: otherPortThan(s.port) }, otherPortSource, pod);
    return {
      server: s,
      runsOn: this.runsOn(s),
      cells,
      uncoveredNodes: uncovered,
      partialNodes: partial,
      targets,
      ...(otherPort && { otherPort }),
    };
  }

  /**
   * Of these nodes, those without host endpoints and those without an all-interfaces one; once
   * for every node (the servers that run on all of them), once per server otherwise.
   */
  private coverage(nodes: readonly string[]): { readonly uncovered: NodeSample; readonly partial: NodeSample } {
    const cached = this.coverages.get(nodes);
    if (cached) return cached;
    const uncovered = nodes.filter((n) => !this.byNode.has(n));
    const partial = nodes.filter((n) => this.byNode.has(n) && !(this.byNode.get(n) as Member[]).some((m) => m.cls.kind === 'all-interfaces'));
    const result = { uncovered: nodeSample(uncovered), partial: nodeSample(partial) };
    this.coverages.set(nodes, result);
    return result;
  }

  /** One host endpoint per group of the nodes a server runs host-networked on. */
  private hostTargets(s: ServerPlan, grouping: Grouping): ServerTarget[] {
    const reps = s.runsOnAllNodes ? this.representativesExcept(grouping, new Set()) : this.representatives(grouping, s.hostNodes);
    return reps.map((rep) => {
      const family: IpFamily = rep.cls.ips[4] !== undefined || rep.cls.ips[6] === undefined ? 4 : 6;
      return { peer: this.hostPeer(rep.hep, rep.cls, family), hostEndpoint: rep.hep, nodes: rep.nodes, family };
    });
  }

  /**
   * The paths the cluster needs that a protected server's port sits on (the API server's port
   * made a metrics port, SSH made a protected server, etcd's client port protected from the
   * control plane...), probed from those who need them: the hosts of the path's role, with their
   * own egress (a host of the server's own node over loopback), pods, an address outside.
   */
  needs(): NeedAccess[] {
    const spec = this.plan.spec;
    const roles = this.plan.hostRoles;
    const needed = neededPaths(spec.environment.apiServer, this.plan.hostTraffic?.presets ?? []);
    const out: NeedAccess[] = [];
    for (const s of this.plan.servers) {
      const on = needed.filter((need) => need.protocol === s.protocol && s.port >= need.port && s.port <= (need.endPort ?? need.port));
      if (on.length === 0) continue;
      // Both depend on the server only: computed once for all the paths its port sits on.
      const grouping = this.grouping(s.protocol, s.port);
      const hostTargets = this.hostTargets(s, grouping);
      for (const need of on) {
        const targets = hostTargets.filter((t) => t.hostEndpoint !== undefined && matchesSelector(roles[need.on], t.hostEndpoint.labels, { global: true }));
        const probes: Probe[] = [];
        // The host endpoints of two groups on the server's node are both its `lo`, for each target.
        const flows = new Set<string>();
        for (const target of targets) {
          for (const source of this.needers(need, grouping, roles, target)) if (firstFlow(flows, source.peer, source.target)) probes.push(this.probe(s, source.peer, source.target));
        }
        // Nothing to probe (no host of the path's role runs the server, or no one who needs it is described) is kept: a warning says so.
        out.push({ server: s, need, probes });
      }
    }
    return out;
  }

  /** Who needs a path into `target`, each with the target as it sees it (its own node's over loopback). */
  private needers(need: NeededPath, grouping: Grouping, roles: Readonly<Record<HostRole, Selector>>, target: ServerTarget): { peer: Peer; target: Target }[] {
    const node = target.peer.node;
    const hosts = (role: HostRole): { peer: Peer; target: Target }[] =>
      this.roleRepresentatives(grouping, roles[role]).flatMap((rep) => {
        if (rep.hep.node === node) {
          const lo: HostPeer = { kind: 'host', node, interface: LOOPBACK_INTERFACE, ip: LOOPBACK_IP };
          return [{ peer: lo, target: { peer: lo, nodes: target.nodes, family: 4 } }];
        }
        const ip = rep.cls.ips[target.family];
        return ip === undefined ? [] : [{ peer: this.hostPeer(rep.hep, rep.cls, target.family), target }];
      });
    const pod = (): { peer: Peer; target: Target }[] => {
      const p = this.pod({ name: 'unlabelled', namespace: 'default', labels: this.noLabels }, 'client-pod', target.family, this.otherNode(node));
      return p ? [{ peer: p, target }] : [];
    };
    switch (need.from) {
      case 'nodes':
      case 'control-plane':
        return hosts(need.from);
      case 'nodes-and-pods':
        return [...hosts('nodes'), ...pod()];
      case 'pods':
        return pod();
      case 'anywhere': {
        const external = this.addresses.get('external', target.family);
        return external ? [{ peer: { kind: 'external', ip: external.text }, target }] : [];
      }
    }
  }

  /** Probes from host-networked processes on the allowed client nodes, one per group. */
  private allowedHostProbes(s: ServerPlan, target: ServerTarget, grouping: Grouping, nodes: readonly string[], add: (client: ClientClass, probe: Probe | string) => void): void {
    for (const rep of this.representatives(grouping, nodes)) {
      const family = rep.cls.ips[target.family] !== undefined ? target.family : rep.cls.ips[4] !== undefined ? 4 : 6;
      add('allowed-host', { ...this.probe(s, this.hostPeer(rep.hep, rep.cls, family), this.retarget(target, family)), sourceNodes: rep.nodes });
    }
    // An allowed client node without host endpoint: Calico does not know its address.
    for (const node of nodes) {
      const ip = this.byNode.has(node) ? undefined : this.addresses.get('node', target.family);
      if (ip) add('allowed-host', this.probe(s, { kind: 'host', node, interface: '*', ip: ip.text }, target));
    }
    if (nodes.length === 0) add('allowed-host', 'the only allowed hosts are the nodes the server runs on');
  }

  /**
   * A client on the server's own node, over loopback (the API server calling a stacked etcd on
   * 127.0.0.1:2379): when the server's host is an allowed client too, its processes reach the
   * server through `lo`, which a `*` host endpoint polices in both directions (v3.32.1
   * felix/rules/dispatch.go:189-229: every non-workload interface without an endpoint of its
   * own, `lo` included, gets the `*` endpoint's chains).
   */
  private loopbackProbe(s: ServerPlan, target: ServerTarget, flows: Set<string>, add: (client: ClientClass, probe: Probe | string) => void): void {
    const hep = target.hostEndpoint;
    if (hep === undefined || s.role !== 'protected-server' || !matchesSelector(s.clientSelector, hep.labels, { global: true })) return;
    const lo: HostPeer = { kind: 'host', node: hep.node, interface: LOOPBACK_INTERFACE, ip: LOOPBACK_IP };
    const loopback: Target = { peer: lo, nodes: target.nodes, family: 4 };
    if (firstFlow(flows, lo, loopback)) add('allowed-host', this.probe(s, lo, loopback));
  }

  /**
   * Probes from host-networked processes on every other node, one per group. Whoever controls
   * a node controls its Felix and iptables rules: such a host is probed as the server sees
   * it, from its address, without the help of its own egress policy.
   */
  private otherHostProbes(s: ServerPlan, target: ServerTarget, grouping: Grouping, excluded: ReadonlySet<string>, add: (client: ClientClass, probe: Probe | string) => void): void {
    const reps = this.representativesExcept(grouping, excluded);
    for (const rep of reps) {
      const family = rep.cls.ips[target.family] !== undefined ? target.family : rep.cls.ips[4] !== undefined ? 4 : 6;
      const host = this.hostPeer(rep.hep, rep.cls, family);
      add('other-host', { ...this.probe(s, { kind: 'external', name: `node ${host.node}`, ip: host.ip }, this.retarget(target, family)), sourceNodes: rep.nodes });
    }
    if (reps.length === 0) add('other-host', 'no other node has a host endpoint');
  }

  private probe(s: Pick<ServerPlan, 'protocol' | 'port'>, source: Peer, target: Target): Probe {
    const flow = { source, destination: target.peer, protocol: s.protocol, port: s.port };
    // The matrix reads verdicts, never their steps: `explain` gives those.
    const withFailsafe = evaluate(this.model, flow, { steps: false });
    // Felix checks failsafe ports first; whether a policy allows the path as well decides if
    // pruning the port would close it (⚠️ only for what hangs on the failsafe port alone).
    const withoutFailsafe = withFailsafe.allowed && withFailsafe.stages.some((st) => st.decidedBy.kind === 'failsafe') ? evaluate(this.model, flow, { failsafe: false, steps: false }) : undefined;
    const alsoFailsafe = withoutFailsafe?.allowed === true;
    const verdict = alsoFailsafe ? withoutFailsafe : withFailsafe;
    const stage = verdict.stages.find((st) => !st.allowed) ?? [...verdict.stages].reverse().find((st) => st.decidedBy.kind !== 'not-policed');
    return {
      source,
      destination: target.peer,
      protocol: s.protocol,
      port: s.port,
      sourceNodes: 1,
      targetNodes: target.nodes,
      allowed: verdict.allowed,
      decidedBy: verdict.decidedBy,
      ...(stage && { stage }),
      rewrites: verdict.rewrites,
      ...(alsoFailsafe && { alsoFailsafe }),
    };
  }

  /** A probe, or why there is none: no address is left outside the networks the objects name. */
  private attempt(s: ServerPlan, source: Peer | undefined, target: ServerTarget): Probe | string {
    return source === undefined ? 'every address calico-shield would use is in a network the objects name' : this.probe(s, source, target);
  }

  private hostPeer(hep: HostEndpoint, cls: HostClass, family: IpFamily): HostPeer {
    const own = firstIp(hep, family) ?? this.addresses.target('node', family);
    return { kind: 'host', node: hep.node, interface: cls.kind === 'address' ? BY_ADDRESS : (hep.interfaceName as string), ip: own.text };
  }

  /** The same target, addressed in another family (for networks and hosts of that family). */
  private retarget(target: ServerTarget, family: IpFamily): ServerTarget {
    if (family === target.family) return target;
    const peer = target.peer;
    if (peer.kind === 'workload') return { ...target, family, peer: { ...peer, ip: this.addresses.target('server-pod', family).text } };
    const own = (this.byNode.get(peer.node) ?? []).find((m) => probeInterface(m.hep) === peer.interface);
    const ip = (own && firstIp(own.hep, family)) ?? this.addresses.target('node', family);
    return { ...target, family, peer: { ...peer, ip: ip.text } };
  }

  /** A client pod; none when every address of the family is in a network the objects name. */
  private pod(p: PodSpec, role: Exclude<AddressRole, 'server-pod' | 'node' | 'external'>, family: IpFamily, placement: Placement): WorkloadPeer | undefined {
    const ip = this.addresses.get(role, family);
    return ip && { kind: 'workload', name: p.name, namespace: p.namespace, labels: p.labels, ip: ip.text, ...placement };
  }

  /** A node other than `node` for a client pod, with the interface its traffic leaves by. */
  private otherNode(node: string): Placement {
    const other = this.specNodes.find((n) => n !== node && this.byNode.has(n));
    if (other !== undefined) return { node: other, ...this.interfaceFor(other) };
    return { node: node === NODE_WITHOUT_HOST_ENDPOINT ? `${NODE_WITHOUT_HOST_ENDPOINT}-2` : NODE_WITHOUT_HOST_ENDPOINT };
  }

  /** The interface of a node's first host endpoint; none for `*` (only the `*` endpoint applies then). */
  private interfaceFor(node: string): { hostInterface?: string } {
    const first = this.byNode.get(node)?.[0];
    return first?.cls.kind === 'interface' ? { hostInterface: first.hep.interfaceName as string } : {};
  }

  private serverPods(s: ServerPlan): WorkloadPeer[] {
    if (!s.runsOnWorkloads) return [];
    // On a node of its own: pods are scheduled anywhere, so every node with a host endpoint is
    // probed as another node's host, whatever the order of spec.nodes (a host always reaches
    // the pods of its own node, which says nothing about the others).
    const node: Placement = { node: NODE_WITHOUT_HOST_ENDPOINT };
    const spec = this.plan.spec;
    const pods: PodSpec[] =
      s.role === 'kube-controllers-metrics'
        ? [{ name: 'calico-kube-controllers', namespace: spec.calicoNamespace, labels: spec.metrics.kubeControllers?.podLabels ?? {} }]
        : (spec.protectedServers.find((p) => p.name === s.id)?.workloads ?? []).map((w, i) => ({
            name: `${s.id}-${i + 1}`,
            namespace: w.namespace ?? 'default',
            labels: w.labels,
          }));
    return pods.map((p): WorkloadPeer => ({ kind: 'workload', name: p.name, namespace: p.namespace, labels: p.labels, ip: this.addresses.target('server-pod', 4).text, ...node }));
  }

  /** Who the spec allows: pods, networks and host nodes. */
  private clientSpec(s: ServerPlan): { pods: PodSpec[]; nets: readonly string[]; nodes: readonly string[] } {
    const spec = this.plan.spec;
    const serverNamespaces = this.serverPods(s).map((p) => p.namespace);
    if (s.role !== 'protected-server') {
      const namespace = pickNamespace(['monitoring', 'prometheus', 'metrics'], serverNamespaces);
      return { pods: [{ name: 'prometheus', namespace, labels: { [spec.metrics.accessLabel]: 'true' } }], nets: spec.metrics.allowedNets, nodes: [] };
    }
    const server = spec.protectedServers.find((p) => p.name === s.id);
    const pods: PodSpec[] = [
      { name: `${s.id}-client`, namespace: pickNamespace(['clients', 'client-apps', 'probes'], serverNamespaces), labels: { [allowedClientLabel(s.id)]: 'true' } },
      ...(server?.allowedClients.workloads ?? []).map((w, i) => ({
        name: `client-${i + 1}`,
        namespace: w.namespace ?? pickNamespace(['clients', 'client-apps', 'probes'], serverNamespaces),
        labels: w.labels,
      })),
    ];
    return { pods, nets: server?.allowedClients.nets ?? [], nodes: server?.allowedClients.nodes ?? [] };
  }

  /** A pod the spec does not allow: no labels, in a namespace no workload client names. */
  private unlabelledPod(s: ServerPlan): PodSpec {
    // Only workload clients that name a namespace and no label match a pod without labels: one more candidate than those is enough.
    const extra = this.plan.spec.protectedServers.reduce((n, p) => n + p.allowedClients.workloads.length, 0);
    for (const namespace of ['default', 'unlabelled', ...Array.from({ length: extra + 1 }, (_, i) => `probes-${i + 1}`)]) {
      const labels = workloadLabels({ kind: 'workload', namespace, labels: this.noLabels, ip: '0.0.0.0', node: '' });
      if (!matchesSelector(s.clientSelector, labels, { global: false })) return { name: 'unlabelled', namespace, labels: this.noLabels };
    }
    throw new Error(`every namespace tried is an allowed client namespace of ${s.id}`);
  }

  private runsOn(s: ServerPlan): string {
    const parts: string[] = [];
    // No node count: ACCESS.md changes when access does, not when a node joins.
    if (s.runsOnAllNodes) parts.push('host-networked on every node');
    else if (s.hostNodes.length > 0) parts.push(`host-networked on ${nodeList(s.hostNodes)}`);
    for (const pod of this.serverPods(s)) {
      const labels = Object.entries(pod.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      parts.push(`pods ${labels} in ${pod.namespace}`);
    }
    return parts.join('; ');
  }

  /**
   * The host paths of lib/calico/presets.ts, probed on the emitted objects. With presets
   * (`spec.hostTraffic`), each path between the roles it names: a host of the path's role
   * (every node, the control plane) and its peer, seen by address (a node's own policy is its
   * own business), or a pod, or an address outside the cluster. Without, from and to an address
   * outside the cluster, on every group of host endpoints. Local paths: a host to itself over
   * loopback, which only all-interfaces host endpoints police.
   *
   * @see https://github.com/projectcalico/calico/issues/4478
   */
  essentials(): EssentialAccess[] {
    // The roles only where the spec names host traffic: otherwise every path is probed from and to outside.
    const roles = this.plan.hostTraffic && this.plan.hostRoles;
    const out: EssentialAccess[] = [];
    for (const path of essentialHostPaths(this.plan.spec.environment.apiServer)) {
      const ports = path.probePorts ?? (path.endPort === undefined ? [path.port] : [path.port, path.endPort]);
      // A protected server's port is the spec's to allow: its own cell says who reaches it.
      const probed = ports.filter((port) => !this.plan.servers.some((s) => s.protocol === path.protocol && s.port === port));
      for (const direction of path.directions) {
        for (const port of probed) {
          const probes = roles === undefined ? this.outsideProbes(path, port, direction) : this.legProbes(path, direction, port, roles);
          out.push({ path, direction, port, status: cellStatus(probes), probes });
        }
      }
    }
    return out;
  }

  /**
   * A path probed from and to an address outside the cluster (or, local, a host to itself), on
   * every group of host endpoints; a path between nodes (BGP, VXLAN, IP-in-IP...) from and to
   * another node instead, since Felix treats a Calico host's address apart (it accepts
   * encapsulation from Calico hosts only).
   */
  private outsideProbes(path: EssentialHostPath, port: number, direction: EssentialDirection): Probe[] {
    const probes: Probe[] = [];
    const grouping = this.grouping(path.protocol, port);
    const leg = direction === 'inbound' ? path.inbound : direction === 'outbound' ? path.outbound : undefined;
    const peerRole = leg === undefined ? undefined : 'from' in leg ? leg.from : leg.to;
    for (const rep of this.representativesExcept(grouping, new Set())) {
      if (direction === 'local') {
        probes.push(this.localProbe(path.protocol, port, rep));
        continue;
      }
      const family = familyOfRep(rep);
      const betweenNodes = peerRole === 'nodes' || peerRole === 'control-plane';
      const other = betweenNodes ? this.representativesExcept(grouping, new Set([rep.hep.node])).map((o) => ({ node: o.hep.node, ip: o.cls.ips[family] })).find((o) => o.ip !== undefined) : undefined;
      const external = this.addresses.get('external', family);
      const peer: Peer | undefined = other?.ip !== undefined ? { kind: 'external', name: `node ${other.node}`, ip: other.ip.text } : external && { kind: 'external', ip: external.text };
      if (peer !== undefined) probes.push(this.hostPathProbe(path.protocol, port, direction, this.hostPeer(rep.hep, rep.cls, family), peer, rep.nodes, family));
    }
    return probes;
  }

  /** A path probed between the hosts of its role and its peers. */
  private legProbes(path: EssentialHostPath, direction: EssentialDirection, port: number, roles: Readonly<Record<HostRole, Selector>>): Probe[] {
    const grouping = this.grouping(path.protocol, port);
    if (direction === 'local') return this.roleRepresentatives(grouping, roles[path.local ?? 'nodes']).map((rep) => this.localProbe(path.protocol, port, rep));
    const leg = direction === 'inbound' ? path.inbound : path.outbound;
    if (leg === undefined) return [];
    const peer: HostPeerRole = 'from' in leg ? leg.from : leg.to;
    const probes: Probe[] = [];
    for (const rep of this.roleRepresentatives(grouping, roles[leg.on])) {
      const family = familyOfRep(rep);
      const host = this.hostPeer(rep.hep, rep.cls, family);
      for (const other of this.pathPeers(peer, grouping, roles, family, rep.hep.node)) probes.push(this.hostPathProbe(path.protocol, port, direction, host, other, rep.nodes, family));
    }
    return probes;
  }

  /** The other end of a host path: hosts by address, a pod, or an address outside the cluster. */
  private pathPeers(peer: HostPeerRole, grouping: Grouping, roles: Readonly<Record<HostRole, Selector>>, family: IpFamily, node: string): Peer[] {
    const hosts = (role: HostRole): Peer[] =>
      this.roleRepresentatives(grouping, roles[role]).flatMap((rep): Peer[] => {
        const ip = rep.cls.ips[family];
        return ip === undefined ? [] : [{ kind: 'external', name: `node ${rep.hep.node}`, ip: ip.text }];
      });
    switch (peer) {
      case 'anywhere': {
        const external = this.addresses.get('external', family);
        return external === undefined ? [] : [{ kind: 'external', ip: external.text }];
      }
      case 'nodes-and-pods': {
        const pod = this.pod({ name: 'unlabelled', namespace: 'default', labels: this.noLabels }, 'client-pod', family, this.otherNode(node));
        return [...hosts('nodes'), ...(pod ? [pod] : [])];
      }
      case 'pods': {
        const pod = this.pod({ name: 'webhook', namespace: 'default', labels: this.noLabels }, 'client-pod', family, this.otherNode(node));
        return pod ? [pod] : [];
      }
      case 'nodes':
      case 'control-plane':
        return hosts(peer);
    }
  }

  private hostPathProbe(protocol: SpecProtocol, port: number, direction: 'inbound' | 'outbound', host: HostPeer, other: Peer, nodes: number, family: IpFamily): Probe {
    const evaluated = this.probe({ protocol, port }, direction === 'inbound' ? other : host, { peer: direction === 'inbound' ? host : other, nodes, family });
    return direction === 'inbound' ? evaluated : { ...evaluated, sourceNodes: nodes, targetNodes: 1 };
  }

  /** A host process connecting to another on its own node over loopback. */
  private localProbe(protocol: SpecProtocol, port: number, rep: HostRep): Probe {
    const lo: HostPeer = { kind: 'host', node: rep.hep.node, interface: LOOPBACK_INTERFACE, ip: LOOPBACK_IP };
    return this.probe({ protocol, port }, lo, { peer: lo, nodes: rep.nodes, family: 4 });
  }

  /** One representative per group among the classes a role selects, with how many nodes each stands for. */
  private roleRepresentatives(grouping: Grouping, role: Selector): HostRep[] {
    const reps = new Map<number, HostRep>();
    for (const cls of this.classes) {
      if (!matchesSelector(role, cls.hostEndpoint.labels, { global: true })) continue;
      const group = grouping.groupOf.get(cls) as number;
      const nodes = this.nodesOf(cls);
      const rep = reps.get(group);
      reps.set(group, rep ? { ...rep, nodes: rep.nodes + nodes } : { hep: cls.hostEndpoint, cls, nodes });
    }
    return [...reps.values()];
  }

  /** How many nodes have a member of the class. */
  private nodesOf(cls: HostClass): number {
    let count = this.classNodes.get(cls);
    if (count === undefined) {
      count = new Set(cls.members.map((m) => m.node)).size;
      this.classNodes.set(cls, count);
    }
    return count;
  }
}

/** A number per distinct text, in order of first sight: short parts for long keys. */
function numbering(): (text: string) => number {
  const ids = new Map<string, number>();
  return (text) => {
    let n = ids.get(text);
    if (n === undefined) ids.set(text, (n = ids.size));
    return n;
  };
}

/** The interface and address of a host's traffic to itself. */
const LOOPBACK_INTERFACE = 'lo';
const LOOPBACK_IP = '127.0.0.1';

function familyOfRep(rep: HostRep): IpFamily {
  return rep.cls.ips[4] !== undefined || rep.cls.ips[6] === undefined ? 4 : 6;
}

interface PodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
}

interface Placement {
  readonly node: string;
  readonly hostInterface?: string;
}

interface Target {
  readonly peer: Peer;
  /** Nodes the peer stands for. */
  readonly nodes: number;
  readonly family: IpFamily;
}

/**
 * Whether the flow from `source` to `target` is not in `flows` yet (and now is). A probe is a
 * function of its source, its target's peer and the nodes the target stands for (the family is
 * the peers' addresses'), so a flow met again would only repeat a probe, its line in ACCESS.md
 * and its count in "N of M allowed".
 */
function firstFlow(flows: Set<string>, source: Peer, target: Target): boolean {
  const flow = JSON.stringify([source, target.peer, target.nodes]);
  if (flows.has(flow)) return false;
  flows.add(flow);
  return true;
}

function hostInterfaceOf(p: WorkloadPeer): { hostInterface?: string } {
  return p.hostInterface === undefined ? {} : { hostInterface: p.hostInterface };
}

function probeInterface(hep: HostEndpoint): string {
  return hep.interfaceName ?? BY_ADDRESS;
}

/** The first address of each family of an endpoint. */
function firstIps(hep: HostEndpoint): Partial<Record<IpFamily, ParsedIp>> {
  const v4 = firstIp(hep, 4);
  const v6 = firstIp(hep, 6);
  return { ...(v4 && { 4: v4 }), ...(v6 && { 6: v6 }) };
}

/**
 * An endpoint's first address of a family, without firstIps's object: asked of each of
 * 10,000 host endpoints and by every probe of a host.
 */
function firstIp(hep: HostEndpoint, family: IpFamily): ParsedIp | undefined {
  for (let i = 0; i < hep.addresses.length; i++) {
    const ip = hep.addresses[i] as ParsedIp;
    if (ip.family === family) return ip;
  }
  return undefined;
}

/**
 * An allowed network of the plan, parsed once: every server probes from each of its networks
 * for each of its targets (20 servers of 10 networks each, and a few targets each, at 5,000
 * nodes in the benchmark's fleet).
 */
const parseCidrText = memoize((text: string): ParsedCidr => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`allowed network ${text} of the plan is not a CIDR: ${parsed.problem.message}`);
  return parsed.cidr;
}, 1 << 12);

/** A network with a fast membership test (10,000 nodes × 50 networks add up). */
interface Net {
  contains(ip: ParsedIp): boolean;
}

function net(cidr: ParsedCidr): Net {
  if (cidr.family === 6) return { contains: (ip) => cidrContains(cidr, ip) };
  const value = (b: Uint8Array): number => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const mask = cidr.prefixLength === 0 ? 0 : (0xffffffff << (32 - cidr.prefixLength)) >>> 0;
  const network = value(cidr.address.bytes);
  return { contains: (ip) => ip.family === 4 && ((value(ip.bytes) & mask) >>> 0) === network };
}

/**
 * Networks of one family, each address tested only against those that may hold it: a network
 * of 8 bits or more holds only addresses of its own first byte (the fleet's 10,000 host
 * endpoints meet none of its 50 client networks, but were each tested against all of them).
 */
export class NetIndex {
  private readonly nets: readonly Net[];
  /** By first byte: the networks that may hold an address starting with it, ascending. */
  private readonly byFirstByte = new Map<number, readonly number[]>();
  /** Networks shorter than 8 bits: they may hold any address. */
  private readonly short: readonly number[];

  constructor(cidrs: readonly ParsedCidr[]) {
    this.nets = cidrs.map(net);
    const short: number[] = [];
    const byFirstByte = new Map<number, number[]>();
    cidrs.forEach((cidr, i) => {
      if (cidr.prefixLength < 8) short.push(i);
      else {
        const first = cidr.address.bytes[0] as number;
        byFirstByte.set(first, [...(byFirstByte.get(first) ?? []), i]);
      }
    });
    this.short = short;
    for (const [first, list] of byFirstByte) this.byFirstByte.set(first, [...list, ...short].sort((a, b) => a - b));
  }

  get size(): number {
    return this.nets.length;
  }

  /** The indexes of the networks that hold `ip`, ascending and comma-separated. */
  indexesOf(ip: ParsedIp): string {
    let indexes = '';
    for (const i of this.byFirstByte.get(ip.bytes[0] as number) ?? this.short) if ((this.nets[i] as Net).contains(ip)) indexes += indexes === '' ? String(i) : `,${i}`;
    return indexes;
  }
}

/** Networks that can tell two host endpoints apart, by family: those of network sets and rules. */
function significantNets(model: Model): Record<IpFamily, NetIndex> {
  const seen = new Map<string, ParsedCidr>();
  for (const set of model.networkSets) for (const n of set.nets) seen.set(n.cidr.text, n.cidr);
  for (const p of model.policies) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const e of [r.source, r.destination]) for (const n of [...(e.nets ?? []), ...(e.notNets ?? [])]) seen.set(n.text, n);
    }
  }
  const all = [...seen.values()];
  return { 4: new NetIndex(all.filter((n) => n.family === 4)), 6: new NetIndex(all.filter((n) => n.family === 6)) };
}

const inRanges = (ranges: readonly PortRange[], port: number): boolean => ranges.some((r) => r.first <= port && port <= r.last);

/** Whether a rule can match a connection to `port` (source port unknown), whatever its peers. */
function ruleCanMatch(rule: Rule, protocol: number, port: number): boolean {
  if (rule.protocol !== undefined && rule.protocol !== protocol) return false;
  if (rule.notProtocol === protocol || rule.icmp) return false;
  const { source: src, destination: dst } = rule;
  if (src.services || dst.services || src.ports !== undefined || src.notPorts !== undefined) return false;
  if (dst.ports !== undefined && !inRanges(dst.ports, port)) return false;
  return !(dst.notPorts !== undefined && inRanges(dst.notPorts, port));
}

function pickNamespace(candidates: readonly string[], avoid: readonly string[]): string {
  const found = candidates.find((c) => !avoid.includes(c));
  return found ?? `${candidates[0]}-${avoid.length + 1}`;
}

/** A port the server does not listen on, to probe the rest of its pods' ingress. */
function otherPortThan(port: number): number {
  return port === 8080 ? 8081 : 8080;
}

function nodeSample(nodes: readonly string[]): NodeSample {
  return { count: nodes.length, names: [...nodes].sort(compareText).slice(0, SAMPLE_SIZE) };
}

function nodeList(nodes: readonly string[]): string {
  const sorted = [...nodes].sort(compareText);
  if (sorted.length <= SAMPLE_SIZE) return sorted.join(', ');
  return `${sorted.length} nodes (${sorted.slice(0, SAMPLE_SIZE).join(', ')}, …)`;
}

