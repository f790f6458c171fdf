/**
 * What Felix would enforce, read from the exact Calico objects calico-shield writes to dist/.
 *
 * The verify stage has two entry points; this file holds the first, evaluator.ts the second:
 *
 * - `buildModel(objects: readonly CalicoObject[], context: ModelContext): Model` reads
 *   HostEndpoints, GlobalNetworkPolicies, NetworkPolicies, GlobalNetworkSets, NetworkSets,
 *   FelixConfigurations (`default` and `node.<node>`) and the KubeControllersConfiguration
 *   (automatic host endpoints, given `context.nodes`) once. What it cannot take as Felix would
 *   is reported in `model.issues`, never thrown: an `error` is an object Calico itself would
 *   refuse (left out of the model), a `warning` a valid field the model does not evaluate
 *   (the message says what the model assumes instead).
 * - `evaluate(model, flow): Verdict` (evaluator.ts) decides one connection attempt.
 *
 * A `Model` also answers the questions guard rails and reports ask directly:
 * `hostEndpoints`, `policies` (in Felix's order), `networkSets`, `issues`,
 * `hostEndpointFor(node, iface, ifaceIp?)` (which endpoint polices an interface),
 * `policiesFor(labels)` (which policies select a label set, per direction),
 * `ipSet(selector)` (the addresses a rule selector stands for) and `felix(node)` (failsafe
 * ports and DefaultEndpointToHostAction on a node, with where each came from).
 *
 * The model is immutable once built and memoises what many queries share: the policies that
 * select a label set (so the 5,000 host endpoints of a large cluster that carry the same
 * labels are matched against policy selectors once) and the IP set of each rule selector.
 *
 * Modelled: Calico v3.32, and v3.30 and v3.31 where they differ (ModelContext.calicoVersion;
 * docs/verification.md#calico-versions), iptables/nftables data plane, tiers (the `default` one and those among the objects).
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy
 * @see https://docs.tigera.io/calico/latest/reference/resources/hostendpoint
 */

import type { EndpointToHostAction, FailsafeDefaults, FailsafeEntry } from '../calico/felix';
import { CALICO_RELEASES, DEFAULT_CALICO, type CalicoMinor } from '../calico/versions';
import { cidrContains, parseCidr, parseIp, type ParsedCidr, type ParsedIp } from '../calico/net';
import { NAMESPACE_LABEL, type CalicoObject } from '../calico/object';
import { CREATED_BY_LABEL, KUBE_CONTROLLERS } from '../calico/presets';
import { matchesSelector, parseSelector, printSelector, sel, type Labels, type Selector } from '../calico/selector';
import { compareByName, sortSmall } from '../calico/strings';


/** A Kubernetes node, for the host endpoint kube-controllers creates for it. */
export interface NodeInfo {
  readonly name: string;
  /** The node's labels, copied onto its automatic host endpoint. @default {} */
  readonly labels?: Labels;
  /** The node's IP addresses (the automatic host endpoint's expectedIPs). */
  readonly ips: readonly string[];
}

/** What the objects do not say but Felix needs. */
export interface ModelContext {
  /**
   * Felix's failsafe ports when no FelixConfiguration sets them (`FAILSAFE_DEFAULTS` in
   * lib/calico/felix.ts for the targeted Calico version).
   */
  readonly failsafeDefaults: FailsafeDefaults;
  /**
   * DefaultEndpointToHostAction: calico-node's environment variable
   * FELIX_DEFAULTENDPOINTTOHOSTACTION, which Calico's manifests and the Tigera operator set to
   * ACCEPT (manifests/calico.yaml v3.30.7:10075, v3.31.7:7245, v3.32.1:7639; tigera/operator
   * pkg/render/node.go v1.38.13:1430, v1.40.15:1438, v1.42.3:1470) and which outranks every
   * FelixConfiguration (felix/config/config_params.go SourcesInDescendingOrder, v3.32.1:86:
   * EnvironmentVariable before DatastorePerHost and DatastoreGlobal). Felix on its own defaults
   * to Drop. A FelixConfiguration that sets it is reported as having no effect.
   *
   * @default 'Accept'
   */
  readonly defaultEndpointToHostAction?: EndpointToHostAction;
  /**
   * The cluster's nodes, for the `<node>-auto-hep` host endpoints kube-controllers creates when
   * the KubeControllersConfiguration sets `controllers.node.hostEndpoint.autoCreate: Enabled`.
   *
   * @default - no automatic host endpoints (an issue says so when autoCreate is Enabled)
   */
  readonly nodes?: readonly NodeInfo[];
  /**
   * The cluster around the objects: IP pools and NAT, encapsulation, WireGuard.
   *
   * @default - no IP pools (so no masquerade), no encapsulation, no WireGuard
   */
  readonly environment?: ModelEnvironment;
  /**
   * The Calico minor whose rules apply where they differ: which equal-order policy Felix
   * applies first ({@link Policy.sortKey}).
   *
   * @default 'v3.32'
   */
  readonly calicoVersion?: CalicoMinor;
}

export type NatOutgoingExclusions = 'IPPoolsOnly' | 'IPPoolsAndHostIPs';

/** What Felix's verdict depends on beyond the objects (spec.environment). */
export interface ModelEnvironment {
  readonly ipPools: readonly { readonly cidr: ParsedCidr; readonly natOutgoing: boolean }[];
  /** Where no FelixConfiguration sets it (Felix's default is IPPoolsOnly). */
  readonly natOutgoingExclusions: NatOutgoingExclusions;
  readonly encapsulation: 'IPIP' | 'VXLAN' | 'None';
  readonly wireguard: boolean;
}

/** Which object a model issue or a verdict step speaks of. */
export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export type PolicyKind = 'GlobalNetworkPolicy' | 'NetworkPolicy';

export interface PolicyRef {
  readonly kind: PolicyKind;
  readonly name: string;
  readonly namespace?: string;
}

/** Something in the objects the model could not take as Felix would. */
export interface ModelIssue {
  /** `error`: Calico refuses the object, so the model leaves it out; `warning`: valid, but not evaluated as Felix would. */
  readonly severity: 'error' | 'warning';
  readonly object: ObjectRef;
  /** Where in the object, e.g. `spec.ingress[0].source.selector`. */
  readonly path: string;
  readonly message: string;
}

export type Direction = 'Ingress' | 'Egress';
export type RuleAction = 'Allow' | 'Deny' | 'Log' | 'Pass';

/** A selector as written, and as Felix evaluates it (after namespace scoping). */
export interface SelectorRef {
  readonly selector: Selector;
  /** Canonical text of `selector`: the key of its IP set. */
  readonly key: string;
}

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/** One side (source or destination) of a rule. */
export interface EntityMatch {
  readonly nets?: readonly ParsedCidr[];
  readonly notNets?: readonly ParsedCidr[];
  /** Positive match on the IP sets of selected endpoints and network sets. */
  readonly selector?: SelectorRef;
  /** Negative match: packets from/to anywhere except the selected endpoints and network sets. */
  readonly notSelector?: SelectorRef;
  /** Numeric ports; named ports are dropped (an issue says so), so an empty list matches nothing. */
  readonly ports?: readonly PortRange[];
  readonly notPorts?: readonly PortRange[];
  /** A Kubernetes Service match, which the model does not resolve: the rule never matches. */
  readonly services: boolean;
}

export interface Rule {
  readonly index: number;
  readonly action: RuleAction;
  readonly protocol?: number;
  readonly notProtocol?: number;
  /** An `icmp`/`notICMP` match: only ICMP packets can match, whatever their type. */
  readonly icmp: boolean;
  readonly ipVersion?: 4 | 6;
  readonly source: EntityMatch;
  readonly destination: EntityMatch;
}

export interface Policy {
  readonly ref: PolicyRef;
  /** The policy's tier: `default` unless `spec.tier` names another. */
  readonly tier: string;
  /**
   * Felix's tie-breaker of equal orders. v3.32: `name/namespace/kind` (v3.32.1
   * felix/calc/policy_sorter.go:388-397 PolKVLess). Before: the name it is stored under,
   * `<tier>.<name>`, after `<namespace>/` for a NetworkPolicy (v3.31.7 and v3.30.7
   * policy_sorter.go:317-324, the key's Name; libcalico-go/lib/names/policy.go:132-149
   * TieredPolicyName adds `default.` to a default-tier name without its tier).
   */
  readonly sortKey: string;
  readonly order?: number;
  /** The endpoints the policy applies to, as Felix evaluates them (namespaces and service accounts folded in). */
  readonly selector: SelectorRef;
  readonly types: readonly Direction[];
  readonly applyOnForward: boolean;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
}

/**
 * A tier: its policies are applied before those of tiers with a higher order; when some of its
 * policies select an endpoint and none decides, `defaultAction` does (Deny, or Pass to the next tier).
 *
 * @see v3.32.1 api/pkg/apis/projectcalico/v3/tier.go:73-76 (defaultAction, default Deny); felix/rules/endpoints.go:689-710
 */
export interface Tier {
  readonly name: string;
  readonly order: number;
  readonly defaultAction: 'Deny' | 'Pass';
}

export interface HostEndpoint {
  readonly name: string;
  readonly node: string;
  /** `*` for all of the node's interfaces; undefined when the endpoint names its interface by `expectedIPs`. */
  readonly interfaceName?: string;
  /** Canonical addresses (lib/calico/net): the endpoint's identity in other endpoints' rules. */
  readonly expectedIPs: readonly string[];
  /** The expectedIPs that are addresses (all but a bad one of an inventory), parsed, in their order: the access matrix reads them for every endpoint. */
  readonly addresses: readonly ParsedIp[];
  readonly labels: Labels;
  readonly profiles: readonly string[];
}

export interface NetworkSet {
  readonly ref: ObjectRef;
  readonly labels: Labels;
  readonly nets: readonly { readonly text: string; readonly cidr: ParsedCidr }[];
}

/** The policies of one endpoint, in the order Felix applies them. */
export interface AppliedPolicies {
  readonly ingress: readonly Policy[];
  readonly egress: readonly Policy[];
  /** `applyOnForward` policies, the only ones that police forwarded traffic through a host endpoint. */
  readonly forwardIngress: readonly Policy[];
  readonly forwardEgress: readonly Policy[];
}

/** The host endpoints by label set, for IP sets (Model.ipSet). */
interface HostEndpointLabelSets {
  /** The distinct label sets. */
  readonly labels: readonly Labels[];
  /** Per label set: whether one of its endpoints expects an address. */
  readonly withAddresses: readonly boolean[];
  /** Per endpoint (model order): the index of its label set. */
  readonly of: Int32Array;
  /** Per address: the endpoint (model order) that expects it, or the endpoints when several do (an array per address of 10,000 nodes shows). */
  readonly byAddress: ReadonlyMap<string, number | readonly number[]>;
}

/** The addresses a rule selector stands for, each with the object that put it there. */
export interface IpSet {
  /** The endpoint that puts this (canonical) address in the set: the last in model order that expects it, if any. */
  hostWith(ip: string): HostEndpoint | undefined;
  /** Whether any host endpoint puts an address in the set. */
  readonly hasHostAddresses: boolean;
  readonly nets: readonly { readonly cidr: ParsedCidr; readonly text: string; readonly owner: string }[];
}

export interface FailsafeRule {
  readonly entry: FailsafeEntry;
  readonly cidr?: ParsedCidr;
}

/** A Felix setting and where it came from, for explanations. */
export interface Configured<T> {
  readonly value: T;
  /** `FelixConfiguration node.<node>`, `FelixConfiguration default`, `Felix defaults`, `spec.environment`, {@link INSTALLER_ENDPOINT_TO_HOST} or {@link SPEC_ENDPOINT_TO_HOST}. */
  readonly configuredBy: string;
}

export interface FelixSettings {
  readonly failsafeInbound: Configured<readonly FailsafeRule[]>;
  readonly failsafeOutbound: Configured<readonly FailsafeRule[]>;
  readonly defaultEndpointToHostAction: Configured<EndpointToHostAction>;
  readonly natOutgoingExclusions: Configured<NatOutgoingExclusions>;
}

/** Label Calico puts on workload endpoints that run under a service account. */
export const SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';
/** Prefixes under which a workload inherits its namespace's and service account's labels. */
export const NAMESPACE_LABEL_PREFIX = 'pcns.';
export const SERVICE_ACCOUNT_LABEL_PREFIX = 'pcsa.';
/** The profile that gives an endpoint allow-all semantics in the absence of policy. */
export const DEFAULT_ALLOW_PROFILE = 'projectcalico-default-allow';

/**
 * Whether a profile allows everything: `projectcalico-default-allow`, and the `kns.<namespace>`
 * profile Calico gives each Kubernetes namespace (which makes pods without policy reachable).
 * The model knows no other profile.
 */
export function profileAllowsAll(profile: string): boolean {
  return profile === DEFAULT_ALLOW_PROFILE || profile.startsWith('kns.');
}

const DEFAULT_TIER = 'default';
/** The default tier's order (v3.32.1 api/pkg/apis/projectcalico/v3/tier.go DefaultTierOrder, checked by validator.go validateTier). */
const DEFAULT_TIER_ORDER = 1_000_000;
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136 };

/** The IANA number of a Calico protocol name or number, undefined if Calico would refuse it. */
export function protocolNumber(value: string | number): number | undefined {
  const n = typeof value === 'number' ? value : /^[0-9]+$/.test(value) ? Number(value) : PROTOCOL_NUMBERS[value];
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 255 ? n : undefined;
}

/** A canonical key of a label set: endpoints with equal keys are selected by the same policies. */
export function labelsKey(labels: Labels): string {
  // JSON of the labels with their keys sorted: as they come when they already are (the host
  // endpoints' labels, sorted by the charts), else through the sorted keys as the property
  // list. Label values are strings (lib/calico/object.ts); JSON would leave out a key whose
  // value is undefined.
  const keys = Object.keys(labels);
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) >= (keys[i] as string)) return JSON.stringify(labels, keys.sort());
  return JSON.stringify(labels);
}

/** Where DefaultEndpointToHostAction comes from (ModelContext.defaultEndpointToHostAction). */
export const INSTALLER_ENDPOINT_TO_HOST = "calico-node's FELIX_DEFAULTENDPOINTTOHOSTACTION, set by the installer";
/** The same variable, as the spec says calico-node runs with it (spec.environment.defaultEndpointToHostAction). */
export const SPEC_ENDPOINT_TO_HOST = "calico-node's FELIX_DEFAULTENDPOINTTOHOSTACTION, as spec.environment says";

export class Model {
  /** Each node's host endpoints by name (a stable sort: equal names keep the objects' order). */
  private readonly hepsByNode = new Map<string, HostEndpoint[]>();
  private readonly policyGroups: readonly { readonly selector: SelectorRef; readonly policies: readonly Policy[] }[];
  private readonly appliedCache = new Map<string, AppliedPolicies>();
  /** nodeAddress by `family node`. */
  private readonly nodeAddresses = new Map<string, string | undefined>();
  private readonly ipSetCache = new Map<string, IpSet>();
  /** labelsKey by label object: a large cluster's host endpoints share a few label sets. */
  private readonly labelKeys = new WeakMap<Labels, string>();
  /** The host endpoints' distinct label sets, each endpoint's, and who expects each address: built on first use. */
  private hepLabelSets: HostEndpointLabelSets | undefined;
  private readonly felixCache = new Map<string, FelixSettings>();
  /** Whether a FelixConfiguration `node.<name>` exists: without one, felix() needs no lookup per node. */
  private readonly felixPerNode: boolean;
  /** The settings of every node without a `node.<name>` FelixConfiguration: the same for all. */
  private sharedFelix: FelixSettings | undefined;
  /** Felix's all-hosts-net: the addresses of the Calico nodes (tunnel addresses excluded). */
  private readonly hostAddresses = new Set<string>();

  constructor(
    readonly hostEndpoints: readonly HostEndpoint[],
    /** All policies, tier by tier, in the order Felix applies them. */
    readonly policies: readonly Policy[],
    readonly networkSets: readonly NetworkSet[],
    readonly issues: readonly ModelIssue[],
    private readonly felixConfigs: ReadonlyMap<string, FelixConfigSpec>,
    private readonly context: ModelContext,
    /** Every tier, the default one included, by name. */
    readonly tiers: ReadonlyMap<string, Tier>,
  ) {
    for (const hep of hostEndpoints) {
      const list = this.hepsByNode.get(hep.node) ?? [];
      list.push(hep);
      this.hepsByNode.set(hep.node, list);
    }
    // Most nodes have one or two: sorted in place, without the copy Array.prototype.sort makes.
    for (const list of this.hepsByNode.values()) if (list.length > 1) sortSmall(list, compareByName);
    // Felix keeps one address per node and family in all-hosts-net (the node's own, from its
    // Node resource): the node's first address of each family, not every expected IP.
    const firstOfFamily = (ips: readonly string[]): string[] => [ips.find((ip) => !ip.includes(':')), ips.find((ip) => ip.includes(':'))].filter((ip): ip is string => ip !== undefined);
    const inventory = new Map((context.nodes ?? []).map((n) => [n.name, n.ips.map(canonicalIp)]));
    for (const [node, heps] of this.hepsByNode) {
      if (inventory.has(node)) continue;
      const tunnel = tunnelAddress(node, context.environment)?.text;
      // The first address of each family, host endpoints by name (a loop: one node of thousands).
      let v4: string | undefined;
      let v6: string | undefined;
      for (const hep of heps) {
        for (const ip of hep.addresses) {
          if (ip.text === tunnel) continue;
          if (ip.family === 6) v6 ??= ip.text;
          else v4 ??= ip.text;
        }
      }
      for (const ip of [v4, v6]) if (ip !== undefined) this.hostAddresses.add(ip);
    }
    for (const ips of inventory.values()) for (const ip of firstOfFamily(ips)) this.hostAddresses.add(ip);
    // Policies that share a selector are selected together: match each selector once.
    const groups = new Map<string, { selector: SelectorRef; policies: Policy[] }>();
    for (const p of policies) {
      const group = groups.get(p.selector.key) ?? { selector: p.selector, policies: [] };
      group.policies.push(p);
      groups.set(p.selector.key, group);
    }
    this.policyGroups = [...groups.values()];
    this.felixPerNode = [...felixConfigs.keys()].some((name) => name.startsWith('node.'));
  }

  /**
   * The host endpoint Felix uses for traffic through `iface` of `node`, as Felix resolves it.
   *
   * An endpoint naming the interface, or (with no interfaceName) expecting one of the
   * interface's addresses, wins over the node's `*` endpoint; among equals the first name wins.
   *
   * @see https://github.com/projectcalico/felix/pull/2228 (a named host endpoint wins over `*`)
   */
  hostEndpointFor(node: string, iface: string | undefined, ifaceIp?: string): HostEndpoint | undefined {
    const heps = this.hepsByNode.get(node);
    if (heps === undefined) return undefined;
    // The address made canonical only for an endpoint without an interfaceName: most name theirs.
    let address: string | undefined;
    let canonical = false;
    // The node's endpoints are in name order: the first that matches is the one with the first
    // name (a loop without copies: asked for each of 10,000 host endpoints, and by every probe).
    let all: HostEndpoint | undefined;
    for (const h of heps) {
      if (h.interfaceName === undefined) {
        if (!canonical) {
          address = ifaceIp === undefined ? undefined : canonicalIp(ifaceIp);
          canonical = true;
        }
        if (address !== undefined && h.expectedIPs.includes(address)) return h;
      } else if (iface !== undefined && iface !== '*' && h.interfaceName === iface) return h;
      if (all === undefined && h.interfaceName === '*') all = h;
    }
    return all;
  }

  /** The environment around the objects, when the caller gave one. */
  get environment(): ModelEnvironment | undefined {
    return this.context.environment;
  }

  /** The Calico minor whose rules apply (ModelContext.calicoVersion). */
  get calicoVersion(): CalicoMinor {
    return this.context.calicoVersion ?? DEFAULT_CALICO;
  }

  /**
   * Whether `ip` is a Calico node's address: Felix's all-hosts-net IP set, one address per node
   * and family (v3.32.1 felix/dataplane/linux/ipset_hosts_mgr.go:72-124); the model takes the
   * node's first address of the family, from spec.nodes or its host endpoints.
   */
  isCalicoHost(ip: ParsedIp): boolean {
    return this.hostAddresses.has(ip.text);
  }

  /** A node's own address of one family (its host endpoints' first, by name), the source of its masqueraded traffic. */
  nodeAddress(node: string, family: 4 | 6): string | undefined {
    // Asked once per masqueraded probe: computed once per node and family (the model does not change).
    const key = `${family} ${node}`;
    if (this.nodeAddresses.has(key)) return this.nodeAddresses.get(key);
    const address = this.findNodeAddress(node, family);
    this.nodeAddresses.set(key, address);
    return address;
  }

  private findNodeAddress(node: string, family: 4 | 6): string | undefined {
    for (const hep of this.hepsByNode.get(node) ?? []) {
      const ip = hep.expectedIPs.find((x) => this.hostAddresses.has(x) && (family === 6) === x.includes(':'));
      if (ip !== undefined) return ip;
    }
    return this.context.nodes?.find((n) => n.name === node)?.ips.map(canonicalIp).find((x) => (family === 6) === x.includes(':'));
  }

  /** The policies that select an endpoint with these labels (already augmented as Felix sees them). */
  policiesFor(labels: Labels): AppliedPolicies {
    const key = this.labelsKeyOf(labels);
    const cached = this.appliedCache.get(key);
    if (cached) return cached;
    const global = !Object.hasOwn(labels, NAMESPACE_LABEL);
    const selected = new Set<Policy>();
    for (const group of this.policyGroups) {
      if (matchesSelector(group.selector.selector, labels, { global })) group.policies.forEach((p) => selected.add(p));
    }
    const inOrder = this.policies.filter((p) => selected.has(p));
    const applied: AppliedPolicies = {
      ingress: inOrder.filter((p) => p.types.includes('Ingress')),
      egress: inOrder.filter((p) => p.types.includes('Egress')),
      forwardIngress: inOrder.filter((p) => p.applyOnForward && p.types.includes('Ingress')),
      forwardEgress: inOrder.filter((p) => p.applyOnForward && p.types.includes('Egress')),
    };
    this.appliedCache.set(key, applied);
    return applied;
  }

  /** labelsKey(labels), computed once per label object. */
  labelsKeyOf(labels: Labels): string {
    let key = this.labelKeys.get(labels);
    if (key === undefined) {
      key = labelsKey(labels);
      this.labelKeys.set(labels, key);
    }
    return key;
  }

  /** The number of the label set of `hostEndpoints[index]`: equal numbers for equal label sets. */
  labelSetOf(index: number): number {
    return this.hostEndpointLabelSets().of[index] as number;
  }

  private hostEndpointLabelSets(): HostEndpointLabelSets {
    if (this.hepLabelSets) return this.hepLabelSets;
    const index = new Map<string, number>();
    const labels: Labels[] = [];
    const withAddresses: boolean[] = [];
    const of = new Int32Array(this.hostEndpoints.length);
    const byAddress = new Map<string, number | number[]>();
    this.hostEndpoints.forEach((hep, i) => {
      // Not through labelsKeyOf: each endpoint's labels are asked for once here, and 10,000
      // entries in its WeakMap would only be kept for the collector to trace.
      const key = labelsKey(hep.labels);
      let n = index.get(key);
      if (n === undefined) {
        n = labels.length;
        index.set(key, n);
        labels.push(hep.labels);
        withAddresses.push(false);
      }
      of[i] = n;
      if (hep.expectedIPs.length > 0) withAddresses[n] = true;
      for (const ip of hep.expectedIPs) {
        const found = byAddress.get(ip);
        if (found === undefined) byAddress.set(ip, i);
        else if (typeof found === 'number') {
          if (found !== i) byAddress.set(ip, [found, i]);
        } else if (found[found.length - 1] !== i) found.push(i);
      }
    });
    this.hepLabelSets = { labels, withAddresses, of, byAddress };
    return this.hepLabelSets;
  }

  /** The host endpoint addresses and network set networks a rule selector stands for (Felix's IP set). */
  ipSet(selector: SelectorRef): IpSet {
    const cached = this.ipSetCache.get(selector.key);
    if (cached) return cached;
    // The selector is matched once per distinct label set, and an address is looked up among
    // the endpoints that expect it, the last selected one owning it: what a walk of every
    // endpoint per selector gives, without the walk (10,000 endpoints, dozens of selectors).
    const sets = this.hostEndpointLabelSets();
    const selected = sets.labels.map((labels) => matchesSelector(selector.selector, labels, { global: true }));
    const hostEndpoints = this.hostEndpoints;
    const hostWith = (ip: string): HostEndpoint | undefined => {
      const expecting = sets.byAddress.get(ip);
      if (expecting === undefined) return undefined;
      if (typeof expecting === 'number') return selected[sets.of[expecting] as number] ? hostEndpoints[expecting] : undefined;
      for (let k = expecting.length - 1; k >= 0; k--) {
        const i = expecting[k] as number;
        if (selected[sets.of[i] as number]) return hostEndpoints[i];
      }
      return undefined;
    };
    const hasHostAddresses = selected.some((yes, n) => yes && sets.withAddresses[n] === true);
    const nets: { cidr: ParsedCidr; text: string; owner: string }[] = [];
    for (const set of this.networkSets) {
      if (!matchesSelector(selector.selector, set.labels, { global: set.ref.namespace === undefined })) continue;
      const owner = describeObject(set.ref);
      for (const net of set.nets) nets.push({ cidr: net.cidr, text: net.text, owner });
    }
    const result: IpSet = { hostWith, hasHostAddresses, nets };
    this.ipSetCache.set(selector.key, result);
    return result;
  }

  /** Felix's settings on `node`: its `node.<name>` FelixConfiguration, then `default`, then the context. */
  felix(node: string): FelixSettings {
    // Without a `node.<name>` configuration every node has the shared settings, once computed.
    if (this.sharedFelix !== undefined && !this.felixPerNode) return this.sharedFelix;
    const cached = this.felixCache.get(node);
    if (cached) return cached;
    const perNode = this.felixConfigs.get(`node.${node}`);
    // Nodes without a FelixConfiguration of their own share one object (10,000 nodes, one shape).
    if (perNode === undefined && this.sharedFelix !== undefined) {
      this.felixCache.set(node, this.sharedFelix);
      return this.sharedFelix;
    }
    const global = this.felixConfigs.get('default');
    const pick = <K extends keyof FelixConfigSpec>(key: K, fallback: Configured<NonNullable<FelixConfigSpec[K]>>): Configured<NonNullable<FelixConfigSpec[K]>> => {
      const nodeValue = perNode?.[key];
      if (nodeValue !== undefined) return { value: nodeValue, configuredBy: `FelixConfiguration node.${node}` };
      const globalValue = global?.[key];
      return globalValue !== undefined ? { value: globalValue, configuredBy: 'FelixConfiguration default' } : fallback;
    };
    const { failsafeDefaults, defaultEndpointToHostAction, environment } = this.context;
    const settings: FelixSettings = {
      failsafeInbound: pick('failsafeInbound', { value: failsafeDefaults.inbound.map(failsafeRule), configuredBy: 'Felix defaults' }),
      failsafeOutbound: pick('failsafeOutbound', { value: failsafeDefaults.outbound.map(failsafeRule), configuredBy: 'Felix defaults' }),
      // The installer's environment variable: no FelixConfiguration overrides it (ModelContext).
      defaultEndpointToHostAction:
        defaultEndpointToHostAction === undefined
          ? { value: 'Accept', configuredBy: INSTALLER_ENDPOINT_TO_HOST }
          : { value: defaultEndpointToHostAction, configuredBy: SPEC_ENDPOINT_TO_HOST },
      natOutgoingExclusions: pick('natOutgoingExclusions', { value: environment?.natOutgoingExclusions ?? 'IPPoolsOnly', configuredBy: environment ? 'spec.environment' : 'Felix defaults' }),
    };
    this.felixCache.set(node, settings);
    if (perNode === undefined) this.sharedFelix = settings;
    return settings;
  }
}

/** The parts of a FelixConfiguration the model reads, already checked. */
export interface FelixConfigSpec {
  readonly failsafeInbound?: readonly FailsafeRule[];
  readonly failsafeOutbound?: readonly FailsafeRule[];
  readonly defaultEndpointToHostAction?: EndpointToHostAction;
  readonly natOutgoingExclusions?: NatOutgoingExclusions;
}

function describeObject(ref: ObjectRef): string {
  return ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

function canonicalIp(text: string): string {
  const parsed = parseIp(text);
  return parsed.ok ? parsed.ip.text : text;
}

/**
 * The address of a node's IP-in-IP or VXLAN tunnel device, the source of its traffic to pods
 * on other nodes: Calico's IPAM gives each node one from an IPv4 pool (v3.32.1
 * felix/dataplane/linux/ipip_mgr.go:190-201, vxlan_mgr.go:314-342). Which one is the IPAM's
 * choice; the model stands for it with an address of the first IPv4 pool picked from the
 * node's name, the same for every probe, and none without encapsulation.
 */
export function tunnelAddress(node: string, environment: ModelEnvironment | undefined): ParsedIp | undefined {
  if (environment === undefined || environment.encapsulation === 'None') return undefined;
  const pool = environment.ipPools.find((p) => p.cidr.family === 4);
  if (pool === undefined || pool.cidr.prefixLength > 30) return undefined;
  // FNV-1a over the name: stable across runs and node orders.
  let hash = 0x811c9dc5;
  for (let i = 0; i < node.length; i++) hash = Math.imul(hash ^ node.charCodeAt(i), 0x01000193) >>> 0;
  const size = 2 ** (32 - pool.cidr.prefixLength);
  const b = pool.cidr.address.bytes;
  const base = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const value = (base + 1 + (hash % (size - 2))) >>> 0;
  const bytes = Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
  return { family: 4, text: bytes.join('.'), bytes };
}

/** Whether the set holds `ip`: ipSetHas without naming what holds it (a grouping asks it of every class, for every selector). */
export function ipSetContains(set: IpSet, ip: ParsedIp): boolean {
  return set.hostWith(ip.text) !== undefined || set.nets.some((n) => cidrContains(n.cidr, ip));
}

/** The object that puts `ip` in the IP set (with the network, for a network set), or undefined. */
export function ipSetHas(set: IpSet, ip: ParsedIp): string | undefined {
  const exact = set.hostWith(ip.text);
  if (exact !== undefined) return `HostEndpoint ${exact.name}`;
  const net = set.nets.find((n) => cidrContains(n.cidr, ip));
  return net && `${net.owner} (${net.text})`;
}

function failsafeRule(entry: FailsafeEntry): FailsafeRule {
  if (entry.net === undefined) return { entry };
  const parsed = parseCidr(entry.net, { allowBareIp: true });
  if (!parsed.ok) throw new Error(`failsafe default ${entry.protocol}:${entry.port} has an invalid net ${JSON.stringify(entry.net)}`);
  return { entry, cidr: parsed.cidr };
}

// ---------------------------------------------------------------------------------------
// Reading the objects

type Json = Readonly<Record<string, unknown>>;

/** Reads one object's spec, collecting issues against it. */
class SpecReader {
  failed = false;

  constructor(
    private readonly ref: ObjectRef,
    private readonly issues: ModelIssue[],
  ) {}

  error(path: string, message: string): void {
    this.failed = true;
    this.issues.push({ severity: 'error', object: this.ref, path, message });
  }

  warn(path: string, message: string): void {
    this.issues.push({ severity: 'warning', object: this.ref, path, message });
  }

  record(value: unknown, path: string): Json | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.error(path, 'must be an object');
    return undefined;
  }

  list(value: unknown, path: string): readonly unknown[] | undefined {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    this.error(path, 'must be a list');
    return undefined;
  }

  string(value: unknown, path: string): string | undefined {
    if (value === undefined || typeof value === 'string') return value;
    this.error(path, 'must be a string');
    return undefined;
  }

  strings(value: unknown, path: string): readonly string[] {
    const out: string[] = [];
    this.eachString(value, path, (s) => out.push(s));
    return out;
  }

  /**
   * Calls `each` with every string of the list and its index in the list as written, which
   * names the item in a finding; an item that is not a string is a finding of its own.
   */
  eachString(value: unknown, path: string, each: (text: string, index: number) => void): void {
    const list = this.list(value, path) ?? [];
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      // The path only for a finding: most lists are all strings.
      const s = typeof v === 'string' ? v : this.string(v, `${path}[${i}]`);
      if (s !== undefined) each(s, i);
    }
  }

  selector(value: unknown, path: string): Selector | undefined {
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    const parsed = parseSelector(text);
    if (parsed.ok) return parsed.selector;
    this.error(path, `selector ${JSON.stringify(text)} does not parse: ${parsed.error.message} at offset ${parsed.error.offset}`);
    return undefined;
  }

  cidrs(value: unknown, path: string): readonly { text: string; cidr: ParsedCidr }[] {
    const out: { text: string; cidr: ParsedCidr }[] = [];
    this.eachString(value, path, (text, i) => {
      const parsed = parseCidr(text, { allowBareIp: true });
      if (parsed.ok) out.push({ text, cidr: parsed.cidr });
      else this.error(`${path}[${i}]`, parsed.problem.message);
    });
    return out;
  }

  ports(value: unknown, path: string): readonly PortRange[] | undefined {
    const list = this.list(value, path);
    if (list === undefined) return undefined;
    return list.flatMap((p, i): PortRange[] => {
      const at = `${path}[${i}]`;
      const text = typeof p === 'number' ? String(p) : typeof p === 'string' ? p : undefined;
      const m = text === undefined ? null : /^([0-9]+)(?::([0-9]+))?$/.exec(text);
      if (m) {
        const first = Number(m[1]);
        const last = m[2] === undefined ? first : Number(m[2]);
        if (first <= last && first >= 0 && last <= 65535) return [{ first, last }];
      } else if (typeof p === 'string' && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(p)) {
        this.warn(at, `named port ${JSON.stringify(p)} is not resolved: the model treats it as matching no port`);
        return [];
      }
      this.error(at, `${JSON.stringify(p)} is not a port, a port range "first:last" or a port name`);
      return [];
    });
  }
}

function scopeSelector(s: Selector, prefix: string, all: Selector, global: Selector | undefined): Selector {
  const scope = (x: Selector): Selector => {
    switch (x.kind) {
      case 'all':
        return all;
      case 'global':
        return global ?? x;
      case 'not':
        return { kind: 'not', operand: scope(x.operand) };
      case 'and':
      case 'or':
        return { kind: x.kind, operands: x.operands.map(scope) };
      default:
        return { ...x, key: prefix + x.key };
    }
  };
  return scope(s);
}

function replaceAll(s: Selector, by: Selector): Selector {
  switch (s.kind) {
    case 'all':
      return by;
    case 'not':
      return { kind: 'not', operand: replaceAll(s.operand, by) };
    case 'and':
    case 'or':
      return { kind: s.kind, operands: s.operands.map((o) => replaceAll(o, by)) };
    default:
      return s;
  }
}

function ref(selector: Selector): SelectorRef {
  return { selector, key: printSelector(selector) };
}

/**
 * The positive selector of an entity rule as Felix evaluates it: in a namespaced policy, or
 * with a namespaceSelector, a rule that uses any selector field is limited to the namespace
 * (or selected namespaces) — even when it only has a notSelector. `all()` in a
 * namespaceSelector means every namespace, `global()` only non-namespaced resources.
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule
 * @see https://github.com/projectcalico/calico/blob/master/libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go (getEndpointSelector)
 */
function entitySelector(
  endpoint: Selector | undefined,
  namespaceSelector: Selector | undefined,
  serviceAccounts: Selector | undefined,
  hasNotSelector: boolean,
  namespace: string | undefined,
): Selector | undefined {
  const hasNamespace = sel.has(NAMESPACE_LABEL);
  const nsScope = namespaceSelector
    ? scopeSelector(namespaceSelector, NAMESPACE_LABEL_PREFIX, hasNamespace, sel.not(hasNamespace))
    : namespace !== undefined
      ? sel.eq(NAMESPACE_LABEL, namespace)
      : undefined;
  const selectors = [serviceAccounts, endpoint].filter((s): s is Selector => s !== undefined);
  if (nsScope && (selectors.length > 0 || hasNotSelector || namespaceSelector)) return sel.and(nsScope, ...selectors);
  return selectors.length > 0 ? sel.and(...selectors) : undefined;
}

function readEntity(r: SpecReader, value: unknown, path: string, namespace: string | undefined): EntityMatch {
  const e = r.record(value, path) ?? {};
  const selector = r.selector(e['selector'], `${path}.selector`);
  const notSelector = r.selector(e['notSelector'], `${path}.notSelector`);
  const namespaceSelector = r.selector(e['namespaceSelector'], `${path}.namespaceSelector`);
  const sa = r.record(e['serviceAccounts'], `${path}.serviceAccounts`);
  let serviceAccounts: Selector | undefined;
  if (sa) {
    const saSelector = r.selector(sa['selector'], `${path}.serviceAccounts.selector`);
    const names = r.strings(sa['names'], `${path}.serviceAccounts.names`);
    const parts = [
      saSelector && scopeSelector(saSelector, SERVICE_ACCOUNT_LABEL_PREFIX, sel.all(), undefined),
      names.length > 0 ? sel.in(SERVICE_ACCOUNT_LABEL, names) : undefined,
    ].filter((s): s is Selector => s !== undefined);
    serviceAccounts = parts.length > 0 ? sel.and(...parts) : undefined;
  }
  const positive = entitySelector(selector, namespaceSelector, serviceAccounts, notSelector !== undefined, namespace);
  const services = e['services'] !== undefined;
  if (services) r.warn(`${path}.services`, 'Kubernetes Service matches are not resolved: the model treats the rule as matching nothing');
  const nets = e['nets'] === undefined ? undefined : r.cidrs(e['nets'], `${path}.nets`).map((n) => n.cidr);
  const notNets = e['notNets'] === undefined ? undefined : r.cidrs(e['notNets'], `${path}.notNets`).map((n) => n.cidr);
  const ports = r.ports(e['ports'], `${path}.ports`);
  const notPorts = r.ports(e['notPorts'], `${path}.notPorts`);
  return {
    ...(nets && { nets }),
    ...(notNets && { notNets }),
    ...(positive && { selector: ref(positive) }),
    ...(notSelector && { notSelector: ref(notSelector) }),
    ...(ports && { ports }),
    ...(notPorts && { notPorts }),
    services,
  };
}

const ACTIONS: readonly RuleAction[] = ['Allow', 'Deny', 'Log', 'Pass'];

function readRule(r: SpecReader, value: unknown, path: string, index: number, namespace: string | undefined): Rule | undefined {
  const rule = r.record(value, path);
  if (!rule) return undefined;
  const action = rule['action'];
  if (typeof action !== 'string' || !ACTIONS.includes(action as RuleAction)) {
    r.error(`${path}.action`, `action ${JSON.stringify(action)} is not one of ${ACTIONS.join(', ')}`);
    return undefined;
  }
  const protocol = (key: 'protocol' | 'notProtocol'): number | undefined => {
    const p = rule[key];
    if (p === undefined) return undefined;
    const n = typeof p === 'string' || typeof p === 'number' ? protocolNumber(p) : undefined;
    if (n === undefined) r.error(`${path}.${key}`, `${JSON.stringify(p)} is not a Calico protocol (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255)`);
    return n;
  };
  const ipVersion = rule['ipVersion'];
  if (ipVersion !== undefined && ipVersion !== 4 && ipVersion !== 6) r.error(`${path}.ipVersion`, 'must be 4 or 6');
  if (rule['http'] !== undefined) r.warn(`${path}.http`, 'HTTP matches need application layer policy and are not evaluated: the model matches on layers 3 and 4 only');
  const protocolNumberValue = protocol('protocol');
  const notProtocol = protocol('notProtocol');
  return {
    index,
    action: action as RuleAction,
    ...(protocolNumberValue !== undefined && { protocol: protocolNumberValue }),
    ...(notProtocol !== undefined && { notProtocol }),
    icmp: rule['icmp'] !== undefined || rule['notICMP'] !== undefined,
    ...((ipVersion === 4 || ipVersion === 6) && { ipVersion }),
    source: readEntity(r, rule['source'], `${path}.source`, namespace),
    destination: readEntity(r, rule['destination'], `${path}.destination`, namespace),
  };
}

/**
 * Omitted `types` default to Ingress, or Egress when only egress rules exist, or both when both exist.
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy#spec
 */
function readTypes(r: SpecReader, spec: Json, hasIngress: boolean, hasEgress: boolean): readonly Direction[] {
  const types = r.list(spec['types'], 'spec.types');
  if (types === undefined || types.length === 0) {
    if (hasIngress && hasEgress) return ['Ingress', 'Egress'];
    return hasEgress ? ['Egress'] : ['Ingress'];
  }
  return types.flatMap((t, i): Direction[] => {
    if (t === 'Ingress' || t === 'Egress') return [t];
    r.error(`spec.types[${i}]`, `${JSON.stringify(t)} is not Ingress or Egress`);
    return [];
  });
}

/**
 * The endpoints a policy applies to, as Felix evaluates it: a NetworkPolicy only selects
 * workloads of its namespace; a GlobalNetworkPolicy's namespaceSelector and
 * serviceAccountSelector limit it to workloads in matching namespaces / service accounts.
 *
 * @see https://github.com/projectcalico/calico/blob/master/libcalico-go/lib/backend/syncersv1/updateprocessors/globalnetworkpolicyprocessor.go
 * @see https://github.com/projectcalico/calico/blob/master/libcalico-go/lib/backend/syncersv1/updateprocessors/networkpolicyprocessor.go
 */
function policySelector(r: SpecReader, spec: Json, namespace: string | undefined): Selector {
  let selector = r.selector(spec['selector'], 'spec.selector') ?? sel.all();
  if (namespace !== undefined) {
    selector = sel.and(selector, sel.eq(NAMESPACE_LABEL, namespace));
  } else {
    const nsSelector = r.selector(spec['namespaceSelector'], 'spec.namespaceSelector');
    if (nsSelector) {
      const hasNamespace = sel.has(NAMESPACE_LABEL);
      selector = sel.and(replaceAll(selector, hasNamespace), scopeSelector(nsSelector, NAMESPACE_LABEL_PREFIX, hasNamespace, undefined));
    }
  }
  const saSelector = r.selector(spec['serviceAccountSelector'], 'spec.serviceAccountSelector');
  if (saSelector) {
    const hasAccount = sel.has(SERVICE_ACCOUNT_LABEL);
    selector = sel.and(
      namespace === undefined ? replaceAll(selector, hasAccount) : selector,
      scopeSelector(saSelector, SERVICE_ACCOUNT_LABEL_PREFIX, namespace === undefined ? hasAccount : sel.all(), undefined),
    );
  }
  return selector;
}

function readPolicy(o: CalicoObject, r: SpecReader, tiers: ReadonlyMap<string, Tier>, calicoVersion: CalicoMinor): Policy | undefined {
  const kind = o.kind as PolicyKind;
  const namespace = kind === 'NetworkPolicy' ? o.metadata.namespace : undefined;
  if (kind === 'NetworkPolicy' && namespace === undefined) {
    r.error('metadata.namespace', 'a NetworkPolicy needs a namespace');
    return undefined;
  }
  const spec = o.spec ?? {};
  const tier = r.string(spec['tier'], 'spec.tier') ?? DEFAULT_TIER;
  if (!tiers.has(tier)) {
    r.warn('spec.tier', `tier ${JSON.stringify(tier)} is not among the objects: the policy is left out`);
    return undefined;
  }
  for (const flag of ['preDNAT', 'doNotTrack'] as const) {
    if (spec[flag] === true) {
      r.warn(`spec.${flag}`, `${flag} policies are not modelled: the policy is left out`);
      return undefined;
    }
  }
  const order = spec['order'];
  if (order !== undefined && typeof order !== 'number') r.error('spec.order', 'must be a number');
  const rules = (direction: 'ingress' | 'egress'): Rule[] =>
    (r.list(spec[direction], `spec.${direction}`) ?? []).flatMap((rule, i) => {
      const read = readRule(r, rule, `spec.${direction}[${i}]`, i, namespace);
      return read ? [read] : [];
    });
  const ingress = rules('ingress');
  const egress = rules('egress');
  const selector = policySelector(r, spec, namespace);
  const types = readTypes(r, spec, ingress.length > 0, egress.length > 0);
  if (r.failed) return undefined;
  const ref: PolicyRef = namespace === undefined ? { kind, name: o.metadata.name } : { kind, name: o.metadata.name, namespace };
  return {
    ref,
    tier,
    sortKey: policySortKey(o.metadata.name, namespace, kind, tier, calicoVersion),
    ...(typeof order === 'number' && { order }),
    selector: { selector, key: printSelector(selector) },
    types,
    applyOnForward: spec['applyOnForward'] === true,
    ingress,
    egress,
  };
}

function readHostEndpoint(o: CalicoObject, r: SpecReader): HostEndpoint | undefined {
  const spec = o.spec ?? {};
  const node = r.string(spec['node'], 'spec.node');
  if (node === undefined || node === '') r.error('spec.node', 'a HostEndpoint needs the node it is on');
  const interfaceName = r.string(spec['interfaceName'], 'spec.interfaceName') || undefined;
  // Each address canonical (no array per address: 10,000 host endpoints).
  const expectedIPs: string[] = [];
  const addresses: ParsedIp[] = [];
  let written = 0;
  r.eachString(spec['expectedIPs'], 'spec.expectedIPs', (text, i) => {
    written++;
    const parsed = parseIp(text);
    if (parsed.ok) {
      expectedIPs.push(parsed.ip.text);
      addresses.push(parsed.ip);
    } else r.error(`spec.expectedIPs[${i}]`, parsed.problem.message);
  });
  if (interfaceName === undefined && written === 0) {
    r.error('spec', 'a HostEndpoint needs an interfaceName or expectedIPs');
  }
  if (spec['ports'] !== undefined) r.warn('spec.ports', 'named ports are not resolved: rules that use them match no port');
  const profiles: string[] = [];
  r.eachString(spec['profiles'], 'spec.profiles', (p, i) => {
    profiles.push(p);
    if (!profileAllowsAll(p)) r.warn(`spec.profiles[${i}]`, `profile ${JSON.stringify(p)} is not known: the model treats it as allowing nothing`);
  });
  if (r.failed || node === undefined) return undefined;
  return {
    name: o.metadata.name,
    node,
    ...(interfaceName !== undefined && { interfaceName }),
    expectedIPs,
    addresses,
    labels: o.metadata.labels ?? {},
    profiles,
  };
}

function readNetworkSet(o: CalicoObject, r: SpecReader): NetworkSet | undefined {
  const namespace = o.kind === 'NetworkSet' ? o.metadata.namespace : undefined;
  if (o.kind === 'NetworkSet' && namespace === undefined) r.error('metadata.namespace', 'a NetworkSet needs a namespace');
  const nets = r.cidrs((o.spec ?? {})['nets'], 'spec.nets');
  if (r.failed) return undefined;
  const labels: Labels =
    namespace === undefined
      ? o.metadata.labels ?? {}
      : { ...o.metadata.labels, [NAMESPACE_LABEL]: namespace, [`${NAMESPACE_LABEL_PREFIX}projectcalico.org/name`]: namespace };
  const ref: ObjectRef = namespace === undefined ? { kind: o.kind, name: o.metadata.name } : { kind: o.kind, name: o.metadata.name, namespace };
  return { ref, labels, nets };
}

const ENDPOINT_TO_HOST_ACTIONS: Readonly<Record<string, EndpointToHostAction>> = { drop: 'Drop', accept: 'Accept', return: 'Return' };

function readFailsafe(r: SpecReader, value: unknown, path: string): readonly FailsafeRule[] | undefined {
  const list = r.list(value, path);
  return list?.flatMap((item, i): FailsafeRule[] => {
    const at = `${path}[${i}]`;
    const e = r.record(item, at);
    if (!e) return [];
    const protocol = (r.string(e['protocol'], `${at}.protocol`) ?? 'TCP').toUpperCase();
    const port = e['port'];
    if (protocol !== 'TCP' && protocol !== 'UDP') {
      r.warn(`${at}.protocol`, `failsafe protocol ${protocol} is not modelled: the entry is left out`);
      return [];
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      r.error(`${at}.port`, `${JSON.stringify(port)} is not a port`);
      return [];
    }
    const net = r.string(e['net'], `${at}.net`);
    const entry: FailsafeEntry = net === undefined ? { protocol, port } : { protocol, port, net };
    if (net === undefined) return [{ entry }];
    const cidr = parseCidr(net, { allowBareIp: true });
    if (cidr.ok) return [{ entry, cidr: cidr.cidr }];
    r.error(`${at}.net`, cidr.problem.message);
    return [];
  });
}

/**
 * The FelixConfiguration fields the model uses, read as Felix reads them: case-insensitively
 * (v3.32.1 felix/config/param_types.go:708 OneofListParam.Parse, :535-540 port lists). The
 * API server is stricter — `drop` or a `tcp` failsafe entry is refused by calico-apiserver
 * (validator.go:598, 1694-1706) — and lib/calico/admission.ts refuses those spellings before
 * anything is written; the model still reads a hand-edited object the way Felix would.
 */
function readFelixConfiguration(o: CalicoObject, r: SpecReader): FelixConfigSpec {
  const spec = o.spec ?? {};
  const failsafeInbound = readFailsafe(r, spec['failsafeInboundHostPorts'], 'spec.failsafeInboundHostPorts');
  const failsafeOutbound = readFailsafe(r, spec['failsafeOutboundHostPorts'], 'spec.failsafeOutboundHostPorts');
  const actionText = r.string(spec['defaultEndpointToHostAction'], 'spec.defaultEndpointToHostAction');
  const action = actionText === undefined ? undefined : ENDPOINT_TO_HOST_ACTIONS[actionText.toLowerCase()];
  if (actionText !== undefined && action === undefined) r.error('spec.defaultEndpointToHostAction', `${JSON.stringify(actionText)} is not Drop, Accept or Return`);
  // felix/config/config_params.go:437 (v3.32.1): oneof(IPPoolsOnly,IPPoolsAndHostIPs), read case-insensitively.
  const natText = r.string(spec['natOutgoingExclusions'], 'spec.natOutgoingExclusions');
  const nat = natText === undefined ? undefined : (['IPPoolsOnly', 'IPPoolsAndHostIPs'] as const).find((v) => v.toLowerCase() === natText.toLowerCase());
  if (natText !== undefined && nat === undefined) r.error('spec.natOutgoingExclusions', `${JSON.stringify(natText)} is not IPPoolsOnly or IPPoolsAndHostIPs`);
  return {
    ...(nat && { natOutgoingExclusions: nat }),
    ...(failsafeInbound && { failsafeInbound }),
    ...(failsafeOutbound && { failsafeOutbound }),
    ...(action && { defaultEndpointToHostAction: action }),
  };
}

/**
 * The `<node>-auto-hep` endpoints kube-controllers creates: all interfaces, the node's labels
 * and IPs, and the `projectcalico-default-allow` profile.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes#automatic-host-endpoints
 */
function readKubeControllersConfiguration(o: CalicoObject, r: SpecReader, nodes: readonly NodeInfo[] | undefined, environment: ModelEnvironment | undefined): HostEndpoint[] {
  const controllers = r.record((o.spec ?? {})['controllers'], 'spec.controllers');
  const node = controllers && r.record(controllers['node'], 'spec.controllers.node');
  const hep = node && r.record(node['hostEndpoint'], 'spec.controllers.node.hostEndpoint');
  if (!hep || hep['autoCreate'] !== 'Enabled' || hep['createDefaultHostEndpoint'] === 'Disabled') return [];
  if (hep['templates'] !== undefined) r.warn('spec.controllers.node.hostEndpoint.templates', 'host endpoint templates are not modelled');
  if (nodes === undefined) {
    r.warn('spec.controllers.node.hostEndpoint.autoCreate', 'automatic host endpoints are enabled but no nodes were given: they are not modelled');
    return [];
  }
  return nodes.map((n) => {
    // kube-controllers adds the node's IP-in-IP and VXLAN tunnel addresses
    // (v3.32.1 kube-controllers/pkg/controllers/node/hostendpoints.go:502-527 getExpectedIPs).
    const tunnel = tunnelAddress(n.name, environment);
    const parsed = n.ips.map((text) => parseIp(text));
    return {
      name: `${n.name}-auto-hep`,
      node: n.name,
      interfaceName: '*',
      expectedIPs: [...parsed.map((p, i) => (p.ok ? p.ip.text : (n.ips[i] as string))), ...(tunnel ? [tunnel.text] : [])],
      addresses: [...parsed.flatMap((p) => (p.ok ? [p.ip] : [])), ...(tunnel ? [tunnel] : [])],
      labels: { ...n.labels, [CREATED_BY_LABEL]: KUBE_CONTROLLERS },
      profiles: [DEFAULT_ALLOW_PROFILE],
    };
  });
}

function policySortKey(name: string, namespace: string | undefined, kind: string, tier: string, calicoVersion: CalicoMinor): string {
  if (CALICO_RELEASES[calicoVersion].equalOrderTieBreak === 'name-namespace-kind') return `${name}/${namespace ?? ''}/${kind}`;
  // TieredPolicyName: a name with a dot already carries its tier; one without is the default tier's.
  const stored = name.includes('.') ? name : `${tier}.${name}`;
  return namespace === undefined ? stored : `${namespace}/${stored}`;
}

function comparePolicies(tiers: ReadonlyMap<string, Tier>): (a: Policy, b: Policy) => number {
  const tierOrder = (p: Policy): number => (tiers.get(p.tier) as Tier).order;
  return (a, b) => {
    if (a.tier !== b.tier) {
      const ao = tierOrder(a);
      const bo = tierOrder(b);
      return ao !== bo ? (ao < bo ? -1 : 1) : a.tier < b.tier ? -1 : 1;
    }
    const ao = a.order ?? Infinity;
    const bo = b.order ?? Infinity;
    if (ao !== bo) return ao < bo ? -1 : 1;
    return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
  };
}

function readTier(o: CalicoObject, r: SpecReader): Tier | undefined {
  const spec = o.spec ?? {};
  // A tier without an order comes last (v3.32.1 felix/calc/policy_sorter.go:146-160 TierLess).
  const order = spec['order'] === undefined ? Infinity : spec['order'];
  if (typeof order !== 'number' || Number.isNaN(order)) {
    r.error('spec.order', `${JSON.stringify(order)} is not a number`);
    return undefined;
  }
  const action = r.string(spec['defaultAction'], 'spec.defaultAction') ?? 'Deny';
  if (action !== 'Deny' && action !== 'Pass') {
    r.error('spec.defaultAction', `${JSON.stringify(action)} is not Deny or Pass`);
    return undefined;
  }
  return { name: o.metadata.name, order, defaultAction: action };
}

/**
 * Reads the objects calico-shield writes into a model of what Felix enforces.
 *
 * Objects Calico would refuse are left out and reported as `error` issues; nothing throws on
 * bad input. Policies are sorted as Felix applies them: lower `order` first, no order last,
 * ties by name (`namespace/name` for a NetworkPolicy).
 */
export function buildModel(objects: readonly CalicoObject[], context: ModelContext): Model {
  const calicoVersion = context.calicoVersion ?? DEFAULT_CALICO;
  const issues: ModelIssue[] = [];
  const hostEndpoints: HostEndpoint[] = [];
  const policies: Policy[] = [];
  const networkSets: NetworkSet[] = [];
  const felixConfigs = new Map<string, FelixConfigSpec>();
  const tiers = new Map<string, Tier>([[DEFAULT_TIER, { name: DEFAULT_TIER, order: DEFAULT_TIER_ORDER, defaultAction: 'Deny' }]]);
  for (const o of objects) {
    if (o.kind !== 'Tier' || o.metadata.name === DEFAULT_TIER) continue;
    const r = new SpecReader({ kind: o.kind, name: o.metadata.name }, issues);
    const tier = readTier(o, r);
    if (tier) tiers.set(tier.name, tier);
  }
  for (const o of objects) {
    const objectRef: ObjectRef =
      o.metadata.namespace === undefined ? { kind: o.kind, name: o.metadata.name } : { kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace };
    const r = new SpecReader(objectRef, issues);
    if (o.apiVersion !== 'projectcalico.org/v3') {
      r.error('apiVersion', `${JSON.stringify(o.apiVersion)} is not projectcalico.org/v3: the object is left out`);
      continue;
    }
    switch (o.kind) {
      case 'GlobalNetworkPolicy':
      case 'NetworkPolicy': {
        const policy = readPolicy(o, r, tiers, calicoVersion);
        if (policy) policies.push(policy);
        break;
      }
      case 'HostEndpoint': {
        const hep = readHostEndpoint(o, r);
        if (hep) hostEndpoints.push(hep);
        break;
      }
      case 'GlobalNetworkSet':
      case 'NetworkSet': {
        const set = readNetworkSet(o, r);
        if (set) networkSets.push(set);
        break;
      }
      case 'FelixConfiguration': {
        if (o.metadata.name !== 'default' && !o.metadata.name.startsWith('node.')) {
          // v3.32 reads FelixConfigurations that select nodes (a tech preview, v3.32.1
          // api/pkg/apis/projectcalico/v3/felixconfig.go:169-183); before, Felix reads only these
          // two names (v3.31.7 libcalico-go/lib/backend/syncersv1/updateprocessors/configurationprocessor.go:336-352).
          r.warn(
            'metadata.name',
            o.spec?.['nodeSelector'] !== undefined && CALICO_RELEASES[calicoVersion].felixNodeSelector
              ? 'FelixConfigurations that select nodes by nodeSelector (a Calico v3.32 tech preview) are not modelled: the object is left out, and the nodes it selects may have other failsafe ports than the verdicts assume'
              : 'only FelixConfigurations named default or node.<node> configure Felix: the object is left out',
          );
          break;
        }
        const config = readFelixConfiguration(o, r);
        const action = context.defaultEndpointToHostAction ?? 'Accept';
        if (config.defaultEndpointToHostAction !== undefined && config.defaultEndpointToHostAction !== action) {
          r.warn(
            'spec.defaultEndpointToHostAction',
            `${config.defaultEndpointToHostAction} has no effect: calico-node's environment variable FELIX_DEFAULTENDPOINTTOHOSTACTION=${action.toUpperCase()} outranks every FelixConfiguration`,
          );
        }
        if (!r.failed) felixConfigs.set(o.metadata.name, config);
        break;
      }
      case 'Tier':
        break;
      case 'KubeControllersConfiguration':
        if (o.metadata.name !== 'default') {
          r.warn('metadata.name', 'kube-controllers reads only the KubeControllersConfiguration named default: the object is left out');
          break;
        }
        hostEndpoints.push(...readKubeControllersConfiguration(o, r, context.nodes, context.environment));
        break;
      default:
        r.warn('kind', `${o.kind} is not modelled: the object is left out`);
    }
  }
  policies.sort(comparePolicies(tiers));
  return new Model(hostEndpoints, policies, networkSets, issues, felixConfigs, context, tiers);
}
