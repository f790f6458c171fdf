/**
 * ClusterSpec → ProtectionPlan, in the vocabulary of Calico's documents "Secure Calico
 * Prometheus endpoints" and "Securing Calico's own communications": protected servers (the
 * metrics endpoints are protected servers too), their allowed clients, host endpoints and
 * the failsafe lists. No cdk8s here: lib/charts turns the plan into objects.
 */
import { createHash } from 'node:crypto';
import { FailsafeEntry, failsafeKey } from '../calico/felix';
import { CONTROL_PLANE_LABELS, CREATED_BY_LABEL, KUBE_CONTROLLERS, LOOPBACK_NETS, type HostRole } from '../calico/presets';
import { sel, Selector } from '../calico/selector';
import { compareByName, compareText, sortSmall } from '../calico/strings';
import { shortenName } from '../calico/validate';
import type { CalicoMinor } from '../calico/versions';
import { Approach, ClusterSpec, HostEndpointsMode, Labels, ProtectedServerSpec, Protocol, WorkloadSelectorSpec } from '../spec/types';
import { hostRoles, HostTrafficPlan, planHostTraffic } from './host-traffic';
import { labelsSelector, NAMESPACE_LABEL } from './labels';

export { NAMESPACE_LABEL } from './labels';

/** Label every generated HostEndpoint carries; the documents' policies select it. */
export const RUNNING_CALICO_LABEL = 'running-calico';
/** Order of the documents' protecting policies. */
export const PROTECT_ORDER = 500;
/** Order of the loopback policies of protected servers: before their protecting policies. */
export const LOOPBACK_ORDER = PROTECT_ORDER - 10;
/** Order of the documents' default-allow host policy: after everything else. */
export const DEFAULT_ALLOW_ORDER = 5000;

export const protectedServerLabel = (server: string): string => `protected-${server}-server`;
export const allowedClientLabel = (server: string): string => `allowed-${server}-client`;

export interface HostEndpointPlan {
  readonly name: string;
  readonly node: string;
  readonly interfaceName: string;
  readonly expectedIPs: readonly string[];
  readonly labels: Labels;
  /** Spec path of the interface, for findings. */
  readonly path: string;
}

/** Which chart a protected server belongs to. */
export type ServerRole = 'calico-node-metrics' | 'typha-metrics' | 'kube-controllers-metrics' | 'protected-server';

export interface ServerPlan {
  /** Short id: `calico-node-metrics`, `typha-metrics`, `kube-controllers-metrics` or the server's name. */
  readonly id: string;
  readonly role: ServerRole;
  readonly protocol: Protocol;
  readonly port: number;
  readonly policy: PolicyPlan;
  /** Which endpoints run the server (its policy's selector). */
  readonly serverSelector: Selector;
  /** Which sources are allowed clients. */
  readonly clientSelector: Selector;
  /** Nodes where the server runs host-networked (empty: on every node labelled running-calico, or on workloads only). */
  readonly hostNodes: readonly string[];
  readonly runsOnAllNodes: boolean;
  readonly runsOnWorkloads: boolean;
  readonly path: string;
  /**
   * Allow-list only: lets the server's host-networked clients send to it. Their host
   * endpoints deny all egress no policy allows, and the server's port is no longer an
   * outbound failsafe port.
   */
  readonly clientEgressPolicy?: PolicyPlan;
  /**
   * Lets the processes of a host that both runs the server and is an allowed client reach it
   * over loopback (the API server and a stacked etcd on 127.0.0.1:2379): a `*` host endpoint
   * polices `lo` too, where no address of the host endpoint is the source or destination.
   */
  readonly loopbackPolicy?: PolicyPlan;
}

export interface EntityPlan {
  readonly selector?: Selector;
  readonly notSelector?: Selector;
  readonly namespaceSelector?: Selector;
  /** Networks of one address family (Calico refuses a rule that mixes them). */
  readonly nets?: readonly string[];
}

export interface RulePlan {
  readonly action: 'Allow' | 'Deny';
  readonly protocol: Protocol;
  readonly source: EntityPlan;
  readonly destination: EntityPlan;
  readonly destinationPorts: readonly number[];
}

export interface PolicyPlan {
  readonly kind: 'GlobalNetworkPolicy' | 'NetworkPolicy';
  readonly name: string;
  readonly namespace?: string;
  readonly selector: Selector;
  readonly order: number;
  readonly ingress: readonly RulePlan[];
  readonly egress: readonly RulePlan[];
}

export interface NetworkSetPlan {
  readonly name: string;
  readonly labels: Labels;
  readonly nets: readonly string[];
  readonly path: string;
}

export interface FailsafePlan {
  readonly inbound: readonly FailsafeEntry[];
  readonly outbound: readonly FailsafeEntry[];
  /** Entries taken out because a protected server listens there. */
  readonly removedInbound: readonly FailsafeEntry[];
  readonly removedOutbound: readonly FailsafeEntry[];
}

/** A node of the inventory, as kube-controllers sees it: its labels and addresses. */
export interface InventoryNode {
  readonly name: string;
  readonly labels: Labels;
  readonly ips: readonly string[];
}

/**
 * One of KubeControllersConfiguration `templates`: more host endpoints per node.
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/kubecontrollersconfig
 */
export interface HostEndpointTemplatePlan {
  readonly generateName: string;
  /** Over the node's labels; `all()` for every node. */
  readonly nodeSelector: Selector;
  readonly interfaceCIDRs: readonly string[];
  readonly interfacePattern?: string;
  readonly labels: Labels;
}

/** Auto mode: kube-controllers creates the host endpoints, calico-shield enables it. */
export interface AutoHostEndpointsPlan {
  /** spec.nodes: the nodes the verify stage models an automatic host endpoint for. */
  readonly nodes: readonly InventoryNode[];
  readonly templates: readonly HostEndpointTemplatePlan[];
}

export interface ProtectionPlan {
  readonly cluster: string;
  readonly approach: Approach;
  readonly hostEndpointsMode: HostEndpointsMode;
  /**
   * Selects every host endpoint of the cluster: `running-calico == "true"` in static mode,
   * `projectcalico.org/created-by == "calico-kube-controllers"` in auto mode.
   */
  readonly hostSelector: Selector;
  /**
   * The host endpoints of each role: every node, and the control plane (the labels of
   * `spec.hostTraffic.controlPlane`, kubeadm's by default).
   */
  readonly hostRoles: Readonly<Record<HostRole, Selector>>;
  readonly calicoNamespace: string;
  readonly calicoVersion: CalicoMinor;
  /** The deny-list approach's default-allow host policy. */
  readonly defaultAllow?: { readonly name: string; readonly selector: Selector; readonly order: number };
  /** Static mode: the HostEndpoints calico-shield writes. */
  readonly hostEndpoints: readonly HostEndpointPlan[];
  /** Auto mode: the KubeControllersConfiguration that makes kube-controllers create them. */
  readonly autoHostEndpoints?: AutoHostEndpointsPlan;
  readonly servers: readonly ServerPlan[];
  readonly networkSets: readonly NetworkSetPlan[];
  /** Allow-list: the presets' policies. */
  readonly hostTraffic?: HostTrafficPlan;
  /** Present when the failsafe lists must change. */
  readonly failsafe?: FailsafePlan;
  /** Present when FelixConfiguration `default` must set natOutgoingExclusions (the spec's environment says so). */
  readonly natOutgoingExclusions?: 'IPPoolsAndHostIPs';
  readonly spec: ClusterSpec;
}

const TRUE = 'true';

/** Two [key, value] entries by key, in code-unit order. */
function compareEntryKeys(a: readonly [string, string], b: readonly [string, string]): number {
  return compareText(a[0], b[0]);
}

/** Builds the plan. The spec has been validated: failures here are bugs and throw. */
export function planCluster(spec: ClusterSpec): ProtectionPlan {
  const auto = spec.hostEndpoints.mode === 'auto';
  // Kube-controllers' host endpoints carry the node's labels and created-by, never the labels
  // of the documents (running-calico, protected-<s>-server, allowed-<s>-client): in auto mode
  // policies find hosts by created-by and node labels (deviation D13).
  const hosts = auto ? sel.eq(CREATED_BY_LABEL, KUBE_CONTROLLERS) : sel.eq(RUNNING_CALICO_LABEL, TRUE);
  const nodesSelector = (labels: Labels): Selector => sel.and(hosts, labelsSelector(labels));
  const servers: ServerPlan[] = [];
  const networkSets: NetworkSetPlan[] = [];
  const m = spec.metrics;
  const metricsClients = sel.eq(m.accessLabel, TRUE);

  const metricsServer = (id: 'calico-node-metrics' | 'typha-metrics', policyName: string, port: number, path: string): ServerPlan => ({
    id,
    role: id,
    protocol: 'TCP',
    port,
    serverSelector: hosts,
    clientSelector: metricsClients,
    hostNodes: [],
    runsOnAllNodes: true,
    runsOnWorkloads: false,
    path,
    policy: {
      kind: 'GlobalNetworkPolicy',
      name: policyName,
      selector: hosts,
      order: PROTECT_ORDER,
      ingress: [protectRule(spec.approach, 'TCP', port, metricsClients)],
      egress: [],
    },
  });
  if (m.calicoNode) servers.push(metricsServer('calico-node-metrics', 'restrict-calico-node-prometheus', m.calicoNode.port, m.calicoNode.path));
  if (m.typha) servers.push(metricsServer('typha-metrics', 'restrict-typha-prometheus', m.typha.port, m.typha.path));
  if (m.kubeControllers) {
    const kc = m.kubeControllers;
    const podSelector = labelsSelector(kc.podLabels);
    // In a namespaced NetworkPolicy a rule selector without namespaceSelector only matches
    // endpoints of the policy's own namespace; all() reaches pods in every namespace and
    // global() the GlobalNetworkSets and HostEndpoints.
    // See https://docs.tigera.io/calico/latest/network-policy/get-started/calico-policy/calico-labels
    const allowRules: RulePlan[] = [sel.all(), sel.global()].map((namespaceSelector) => ({
      action: 'Allow',
      protocol: 'TCP',
      source: { selector: metricsClients, namespaceSelector },
      destination: {},
      destinationPorts: [kc.port],
    }));
    const ingress: RulePlan[] =
      spec.approach === 'allow-list'
        ? allowRules
        : [...allowRules, { action: 'Deny', protocol: 'TCP', source: {}, destination: {}, destinationPorts: [kc.port] }];
    servers.push({
      id: 'kube-controllers-metrics',
      role: 'kube-controllers-metrics',
      protocol: 'TCP',
      port: kc.port,
      serverSelector: podSelector,
      clientSelector: metricsClients,
      hostNodes: [],
      runsOnAllNodes: false,
      runsOnWorkloads: true,
      path: kc.path,
      policy: {
        kind: 'NetworkPolicy',
        name: 'restrict-kube-controllers-prometheus',
        namespace: spec.calicoNamespace,
        selector: podSelector,
        order: PROTECT_ORDER,
        ingress,
        egress: [],
      },
    });
  }
  if (m.allowedNets.length > 0) {
    networkSets.push({ name: 'calico-prometheus-set', labels: { [m.accessLabel]: TRUE }, nets: m.allowedNets, path: 'spec.metrics.allowedNets' });
  }

  for (const s of spec.protectedServers) {
    const serverLabel = protectedServerLabel(s.name);
    const clientLabel = allowedClientLabel(s.name);
    const serverHosts = auto ? (s.nodeSelector ? [nodesSelector(s.nodeSelector)] : []) : [sel.eq(serverLabel, TRUE)];
    const clientHosts = auto && s.allowedClients.nodeSelector ? nodesSelector(s.allowedClients.nodeSelector) : undefined;
    const serverSelector = sel.or(...serverHosts, ...s.workloads.map(workloadSelector));
    const clientSelector = sel.or(sel.eq(clientLabel, TRUE), ...(clientHosts ? [clientHosts] : []), ...s.allowedClients.workloads.map(workloadSelector));
    const clientEgressPolicy: PolicyPlan | undefined =
      spec.approach === 'allow-list' && (auto ? clientHosts !== undefined : s.allowedClients.nodes.length > 0)
        ? {
            kind: 'GlobalNetworkPolicy',
            name: `allowed-${s.name}-client-egress`,
            // Host endpoints only: a pod labelled as a client must not get an egress
            // policy, which would end all its other egress in the tier's default deny.
            selector: clientHosts ?? sel.and(hosts, sel.eq(clientLabel, TRUE)),
            order: PROTECT_ORDER,
            ingress: [],
            egress: [{ action: 'Allow', protocol: s.protocol, source: {}, destination: { selector: serverSelector }, destinationPorts: [s.port] }],
          }
        : undefined;
    const loopbackPolicy = planLoopback(spec.approach, s, serverLabel, clientLabel, auto ? { server: s.nodeSelector && nodesSelector(s.nodeSelector), client: clientHosts } : undefined);
    servers.push({
      id: s.name,
      role: 'protected-server',
      protocol: s.protocol,
      port: s.port,
      serverSelector,
      clientSelector,
      hostNodes: s.nodes,
      runsOnAllNodes: false,
      runsOnWorkloads: s.workloads.length > 0,
      path: s.path,
      policy: {
        kind: 'GlobalNetworkPolicy',
        name: `protected-${s.name}-server`,
        selector: serverSelector,
        order: PROTECT_ORDER,
        ingress:
          spec.approach === 'deny-list' && s.workloads.length > 0
            ? // The policy selects the server's pods, and nothing else does: with only the
              // document's Deny rule, its allowed clients would end in the default tier's
              // deny too. So allow them first, then deny the rest of the port.
              [
                { action: 'Allow', protocol: s.protocol, source: { selector: clientSelector }, destination: {}, destinationPorts: [s.port] },
                { action: 'Deny', protocol: s.protocol, source: {}, destination: {}, destinationPorts: [s.port] },
              ]
            : [protectRule(spec.approach, s.protocol, s.port, clientSelector)],
        egress: [],
      },
      ...(clientEgressPolicy ? { clientEgressPolicy } : {}),
      ...(loopbackPolicy ? { loopbackPolicy } : {}),
    });
    if (s.allowedClients.nets.length > 0) {
      networkSets.push({ name: clientLabel, labels: { [clientLabel]: TRUE }, nets: s.allowedClients.nets, path: `${s.path}.allowedClients.nets` });
    }
  }

  const hostEndpoints: HostEndpointPlan[] = [];
  // Sets, not lists: a server on most of 10,000 nodes would otherwise cost nodes × its nodes.
  // The label keys too, once per server rather than once per node.
  const serverNodes = (auto ? [] : spec.protectedServers).map((s) => ({
    runsOn: new Set(s.nodes),
    serverLabel: protectedServerLabel(s.name),
    clients: new Set(s.allowedClients.nodes),
    clientLabel: allowedClientLabel(s.name),
  }));
  for (const node of auto ? [] : spec.nodes) {
    // The node's own labels too, so that policies select nodes by label in both modes. Listed,
    // then sorted into one object: adding a label at a time to an object costs more. A later
    // entry of the same key wins, as an assignment would (the sort is stable).
    const entries = Object.entries(node.labels);
    entries.push([RUNNING_CALICO_LABEL, TRUE]);
    for (const s of serverNodes) {
      if (s.runsOn.has(node.name)) entries.push([s.serverLabel, TRUE]);
      if (s.clients.has(node.name)) entries.push([s.clientLabel, TRUE]);
    }
    const sortedLabels = Object.fromEntries(sortSmall(entries, compareEntryKeys));
    for (const iface of node.interfaces) {
      hostEndpoints.push({
        name: hostEndpointName(node.name, iface.name),
        node: node.name,
        interfaceName: iface.name,
        expectedIPs: iface.expectedIPs,
        labels: sortedLabels,
        path: iface.path,
      });
    }
  }

  const autoHostEndpoints: AutoHostEndpointsPlan | undefined = auto
    ? {
        nodes: spec.nodes.map((n) => ({ name: n.name, labels: n.labels, ips: n.interfaces.flatMap((i) => i.expectedIPs) })),
        templates: spec.hostEndpoints.templates.map((t) => ({
          generateName: t.generateName,
          nodeSelector: labelsSelector(t.nodeSelector),
          interfaceCIDRs: t.interfaceCIDRs,
          ...(t.interfacePattern !== undefined ? { interfacePattern: t.interfacePattern } : {}),
          labels: t.labels,
        })),
      }
    : undefined;
  const roles = hostRoles(hosts, spec.hostTraffic?.controlPlane ?? CONTROL_PLANE_LABELS);
  const hostTraffic = spec.hostTraffic && planHostTraffic(spec.hostTraffic, roles, servers.map((s) => ({ protocol: s.protocol, port: s.port, server: s.id })), spec.environment.apiServer);

  return {
    cluster: spec.name,
    approach: spec.approach,
    hostEndpointsMode: spec.hostEndpoints.mode,
    hostSelector: hosts,
    hostRoles: roles,
    calicoNamespace: spec.calicoNamespace,
    calicoVersion: spec.calicoVersion,
    ...(spec.approach === 'deny-list' ? { defaultAllow: { name: 'default-host', selector: hosts, order: DEFAULT_ALLOW_ORDER } } : {}),
    hostEndpoints,
    ...(autoHostEndpoints ? { autoHostEndpoints } : {}),
    servers: servers.sort((a, b) => (a.policy.name < b.policy.name ? -1 : a.policy.name > b.policy.name ? 1 : 0)),
    networkSets: networkSets.sort(compareByName),
    ...(hostTraffic ? { hostTraffic } : {}),
    ...planFailsafe(spec),
    ...(spec.environment.natOutgoingExclusions === 'IPPoolsAndHostIPs' ? { natOutgoingExclusions: 'IPPoolsAndHostIPs' as const } : {}),
    spec,
  };
}

/**
 * The documents' rule: deny-list denies the port to everything that is not an allowed
 * client (other traffic falls through to default-host); allow-list allows the port to
 * allowed clients (everything else ends in the host endpoint's default deny).
 */
function protectRule(approach: Approach, protocol: Protocol, port: number, clients: Selector): RulePlan {
  return approach === 'deny-list'
    ? { action: 'Deny', protocol, source: { notSelector: clients }, destination: {}, destinationPorts: [port] }
    : { action: 'Allow', protocol, source: { selector: clients }, destination: {}, destinationPorts: [port] };
}

/**
 * The loopback policy of a server whose hosts are allowed clients too: ingress from, and in the
 * allow-list approach egress to, the loopback networks on the server's port, for the host
 * endpoints that carry both the server's and the client's label (auto mode: match both node
 * selectors). Ordered before the protecting policy, whose deny-list Deny would see 127.0.0.1
 * as a stranger. None when no host is both.
 */
function planLoopback(
  approach: Approach,
  s: ProtectedServerSpec,
  serverLabel: string,
  clientLabel: string,
  auto: { readonly server?: Selector; readonly client?: Selector } | undefined,
): PolicyPlan | undefined {
  let selector: Selector;
  if (auto) {
    if (!auto.server || !auto.client) return undefined;
    selector = sel.and(auto.server, auto.client);
  } else {
    const clients = new Set(s.allowedClients.nodes);
    if (!s.nodes.some((n) => clients.has(n))) return undefined;
    selector = sel.and(sel.eq(serverLabel, TRUE), sel.eq(clientLabel, TRUE));
  }
  const rule = (side: 'source' | 'destination', net: string): RulePlan => ({ action: 'Allow', protocol: s.protocol, source: side === 'source' ? { nets: [net] } : {}, destination: side === 'destination' ? { nets: [net] } : {}, destinationPorts: [s.port] });
  return {
    kind: 'GlobalNetworkPolicy',
    name: `protected-${s.name}-server-loopback`,
    selector,
    order: LOOPBACK_ORDER,
    // One rule per loopback network: a rule may not mix address families (validator.go:1428).
    ingress: LOOPBACK_NETS.map((net) => rule('source', net)),
    egress: approach === 'allow-list' ? LOOPBACK_NETS.map((net) => rule('destination', net)) : [],
  };
}

/** Pods in a GlobalNetworkPolicy selector: Calico labels every WorkloadEndpoint with its namespace. */
function workloadSelector(w: WorkloadSelectorSpec): Selector {
  return sel.and(...(w.namespace !== undefined ? [sel.eq(NAMESPACE_LABEL, w.namespace)] : []), labelsSelector(w.labels));
}

/**
 * `<node>.<interface>` as in "Secure Calico Prometheus endpoints". Interface names that
 * cannot stand in an object name (upper case, `_`, `*`) get a readable slug plus a hash of
 * the real name, so two interfaces never share a name.
 */
export function hostEndpointName(node: string, interfaceName: string): string {
  let part: string;
  if (interfaceName === '*') part = 'all-interfaces';
  else if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(interfaceName)) part = interfaceName;
  else {
    const slug = interfaceName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'if';
    part = `${slug}-${createHash('sha256').update(interfaceName).digest('hex').slice(0, 8)}`;
  }
  return shortenName(`${node}.${part}`, 253);
}

/**
 * Failsafe ports to prune: a protected server's port must not stay failsafe, or every
 * client can still reach it ("Pruning Felix's failsafe ports"). Failsafe ports only act on
 * host endpoints, so without them there is nothing to write: static mode without nodes. In
 * auto mode kube-controllers creates one per node, whatever spec.nodes lists. When no
 * protected port is failsafe, nothing is written and the cluster keeps its lists.
 */
function planFailsafe(spec: ClusterSpec): { failsafe?: FailsafePlan } {
  const protectedPorts = new Set<string>();
  const m = spec.metrics;
  for (const p of [m.calicoNode?.port, m.typha?.port, m.kubeControllers?.port]) if (p !== undefined) protectedPorts.add(`TCP/${p}`);
  for (const s of spec.protectedServers) protectedPorts.add(`${s.protocol}/${s.port}`);
  const split = (list: readonly FailsafeEntry[]): [FailsafeEntry[], FailsafeEntry[]] => {
    const kept: FailsafeEntry[] = [];
    const removed: FailsafeEntry[] = [];
    for (const e of list) (protectedPorts.has(`${e.protocol}/${e.port}`) ? removed : kept).push(e);
    return [kept, removed];
  };
  const [inbound, removedInbound] = split(spec.failsafe.inbound);
  const [outbound, removedOutbound] = split(spec.failsafe.outbound);
  if (spec.nodes.length === 0 && spec.hostEndpoints.mode === 'static') return {};
  // The failsafe lists are replaced whole on every sync (the CRD has no list-type), so an
  // unchanged list is not written: it would overwrite what the cluster has for nothing.
  if (removedInbound.length === 0 && removedOutbound.length === 0) return {};
  const byKey = (a: FailsafeEntry, b: FailsafeEntry): number => a.port - b.port || (failsafeKey(a) < failsafeKey(b) ? -1 : 1);
  return {
    failsafe: {
      inbound: [...inbound].sort(byKey),
      outbound: [...outbound].sort(byKey),
      removedInbound: removedInbound.sort(byKey),
      removedOutbound: removedOutbound.sort(byKey),
    },
  };
}
