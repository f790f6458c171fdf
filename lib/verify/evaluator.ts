/**
 * Decides, from a {@link Model} of the emitted Calico objects, what Felix does with one
 * connection attempt, and says why.
 *
 * API:
 *
 * - `evaluate(model: Model, flow: Flow): Verdict`
 * - `Flow = { source: Peer; destination: Peer; protocol: Protocol; port: number; sourcePort?: number }`
 * - `Peer = WorkloadPeer | HostPeer | ExternalPeer`: a pod (its namespace, labels, IP and node),
 *   a host-networked process on a node (the interface its traffic leaves or arrives by, and its
 *   address on it), or an address Calico knows nothing about.
 * - `Verdict = { allowed; decidedBy: DecidedBy; stages: readonly Stage[]; steps: readonly string[] }`:
 *   `stages` lists every point where Felix polices the flow, in packet order, up to the first
 *   that drops it; `decidedBy` is the dropping stage's reason, or for an allowed flow the last
 *   stage that policed it; `steps` explains each decision in words for `calico-shield explain`.
 *
 * The packet's path decides which Calico policy applies (iptables/nftables data plane):
 *
 * | source → destination           | enforcement points                                            |
 * | ------------------------------ | ------------------------------------------------------------- |
 * | workload → anything            | workload egress; forward egress of its node's host endpoint   |
 * |                                | when the traffic leaves the node                              |
 * | host process → anything        | host endpoint egress (failsafe outbound first)                |
 * | anything → workload            | forward ingress of its node's host endpoint when the traffic  |
 * |                                | comes from another node; workload ingress                     |
 * | anything → host process        | host endpoint ingress (failsafe inbound first)                |
 * | workload → its own host        | workload egress, then DefaultEndpointToHostAction             |
 * | host → its own workload        | always allowed                                                |
 *
 * Identity in rules is by IP, as in Felix: a rule `selector` matches a packet whose address is
 * in the IP set of the selected endpoints and network sets (workload IPs, host endpoint
 * `expectedIPs`, network set `nets`); the flow's own workloads count as endpoints of the model.
 *
 * @see https://docs.tigera.io/calico/latest/reference/host-endpoints/summary
 */

import type { EndpointToHostAction, FailsafeEntry } from '../calico/felix';
import { cidrContains, parseIp, type ParsedIp } from '../calico/net';
import { NAMESPACE_LABEL } from '../calico/object';
import { matchesSelector, type Labels } from '../calico/selector';
import { CALICO_RELEASES } from '../calico/versions';
import {
  NAMESPACE_LABEL_PREFIX,
  SERVICE_ACCOUNT_LABEL,
  SERVICE_ACCOUNT_LABEL_PREFIX,
  ipSetHas,
  profileAllowsAll,
  protocolNumber,
  type Direction,
  type EntityMatch,
  type FailsafeRule,
  type HostEndpoint,
  type Model,
  type Policy,
  type PolicyRef,
  type PortRange,
  type Rule,
  type SelectorRef,
  tunnelAddress,
} from './model';

/** A pod: a Calico workload endpoint. */
export interface WorkloadPeer {
  readonly kind: 'workload';
  /** The pod's name, for explanations. @default - the pod is named by its IP */
  readonly name?: string;
  readonly namespace: string;
  /** The pod's labels. @default {} */
  readonly labels?: Labels;
  /** The labels of the pod's namespace, for `namespaceSelector`s. @default {} */
  readonly namespaceLabels?: Labels;
  /** The pod's service account, for `serviceAccounts` and `serviceAccountSelector`. @default - none */
  readonly serviceAccount?: string;
  readonly ip: string;
  readonly node: string;
  /**
   * The node interface its traffic to and from other nodes goes through.
   *
   * @default - an interface without a host endpoint of its own, so only the node's `*` host endpoint applies
   */
  readonly hostInterface?: string;
}

/** A host-networked process on a Calico node. */
export interface HostPeer {
  readonly kind: 'host';
  readonly node: string;
  /** The interface the traffic leaves by (as source) or arrives by (as destination). */
  readonly interface: string;
  /** The process's address on that interface: the packet's source or destination IP. */
  readonly ip: string;
}

/** An address Calico knows nothing about (outside the cluster, or a node without Calico). */
export interface ExternalPeer {
  readonly kind: 'external';
  readonly ip: string;
  /** For explanations. @default - the address */
  readonly name?: string;
}

export type Peer = WorkloadPeer | HostPeer | ExternalPeer;

/** A protocol by Calico name or IANA number. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6' | 'UDPLite' | number;

/** One connection attempt: the first packet from source to destination. */
export interface Flow {
  readonly source: Peer;
  readonly destination: Peer;
  readonly protocol: Protocol;
  /** The destination port. */
  readonly port: number;
  /** The client's port. @default - unknown: rules that match on source ports do not match */
  readonly sourcePort?: number;
}

/** Where Felix polices the flow. */
export type StagePoint =
  | 'workload-egress'
  | 'host-egress'
  | 'forward-egress'
  | 'forward-ingress'
  | 'workload-to-host'
  | 'host-ingress'
  | 'workload-ingress'
  | 'host-to-local-workload';

/** A rule whose Pass action sent the packet on to the profiles. */
export interface PassedBy {
  readonly policy: PolicyRef;
  readonly ruleIndex: number;
}

export type DecidedBy =
  /** A policy rule with action Allow or Deny matched. */
  | { readonly kind: 'policy'; readonly policy: PolicyRef; readonly direction: Direction; readonly ruleIndex: number; readonly action: 'Allow' | 'Deny' }
  /** A Felix failsafe port let the packet through a host endpoint, whatever the policy. */
  | { readonly kind: 'failsafe'; readonly direction: 'inbound' | 'outbound'; readonly entry: FailsafeEntry; readonly configuredBy: string }
  /** No policy applies in this direction (or all passed) and no profile of the endpoint allows. */
  | { readonly kind: 'no-policy-default-deny'; readonly direction: Direction; readonly passedBy?: PassedBy }
  /** Policies of the tier selected the endpoint in this direction, but none allowed, denied or passed. */
  | { readonly kind: 'end-of-tier-deny'; readonly tier: string; readonly direction: Direction; readonly policies: readonly PolicyRef[] }
  /** No policy decided and a profile allowed (a pod's namespace profile, or projectcalico-default-allow). */
  | { readonly kind: 'profile'; readonly profile: string; readonly direction: Direction; readonly passedBy?: PassedBy }
  /** Calico does not police this point: no host endpoint, or forwarded traffic no applyOnForward policy covers. */
  | { readonly kind: 'not-policed'; readonly reason: string }
  /** Traffic from a host to its own pods, which Felix always allows. */
  | { readonly kind: 'host-to-local-workload' }
  /** Felix accepts the packet before host endpoint policy: IP-in-IP or VXLAN between Calico hosts, WireGuard. */
  | { readonly kind: 'felix-accept'; readonly reason: string; readonly source: string }
  /** Felix drops the packet before host endpoint policy: IP-in-IP or VXLAN from an address that is no Calico host. */
  | { readonly kind: 'felix-drop'; readonly reason: string; readonly source: string }
  /** Traffic from a pod to its own host, past the pod's egress policy (Return hands it to the host's own rules: allowed as far as Calico goes). */
  | { readonly kind: 'endpoint-to-host-action'; readonly action: EndpointToHostAction; readonly configuredBy: string };

export interface Stage {
  readonly point: StagePoint;
  readonly node?: string;
  /** The host endpoint's name, or the workload's, when there is one. */
  readonly endpoint?: string;
  readonly allowed: boolean;
  readonly decidedBy: DecidedBy;
}

/** Something on the path that changed the packet's source before a later stage saw it. */
export interface Rewrite {
  readonly kind: 'masquerade' | 'tunnel';
  /** The node whose Felix (masquerade) or tunnel device changed it. */
  readonly node: string;
  /** The source address the later stages see. */
  readonly source: string;
  /** Masquerade: the natOutgoingExclusions in force on the pod's node (none before Calico v3.31). */
  readonly exclusions?: 'IPPoolsOnly' | 'IPPoolsAndHostIPs';
}

export interface Verdict {
  readonly allowed: boolean;
  readonly decidedBy: DecidedBy;
  readonly stages: readonly Stage[];
  /** Source rewrites on the path, in packet order. */
  readonly rewrites: readonly Rewrite[];
  /** The decisions in words, in packet order. */
  readonly steps: readonly string[];
}

/**
 * The labels Felix sees on a pod's workload endpoint: the pod's own (less any that pose as
 * namespace or service account labels), its namespace, orchestrator and service account, and
 * the namespace's and service account's labels under `pcns.` / `pcsa.`.
 *
 * @see https://github.com/projectcalico/calico/blob/master/libcalico-go/lib/backend/syncersv1/updateprocessors/workloadendpointprocessor.go
 */
export function workloadLabels(w: WorkloadPeer): Labels {
  // The access matrix probes the same few pods thousands of times, each time as a new peer of
  // the same label object: one label set per pod's labels, namespace and service account, so
  // that Model.policiesFor finds the policies by the object without keying its labels again.
  if (w.labels === undefined || w.namespaceLabels !== undefined) return buildWorkloadLabels(w);
  let byPlace = WORKLOAD_LABELS.get(w.labels);
  if (byPlace === undefined) {
    byPlace = new Map();
    WORKLOAD_LABELS.set(w.labels, byPlace);
  }
  const key = JSON.stringify([w.namespace, w.serviceAccount ?? null]);
  let labels = byPlace.get(key);
  if (labels === undefined) {
    labels = Object.freeze(buildWorkloadLabels(w));
    byPlace.set(key, labels);
  }
  return labels;
}

/** workloadLabels of a pod's labels, by the JSON of its namespace and service account. */
const WORKLOAD_LABELS = new WeakMap<Labels, Map<string, Labels>>();

function buildWorkloadLabels(w: WorkloadPeer): Labels {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.labels ?? {})) {
    if (!k.startsWith(NAMESPACE_LABEL_PREFIX) && !k.startsWith(SERVICE_ACCOUNT_LABEL_PREFIX)) labels[k] = v;
  }
  labels[NAMESPACE_LABEL] = w.namespace;
  labels['projectcalico.org/orchestrator'] = 'k8s';
  for (const [k, v] of Object.entries(w.namespaceLabels ?? {})) labels[NAMESPACE_LABEL_PREFIX + k] = v;
  labels[`${NAMESPACE_LABEL_PREFIX}projectcalico.org/name`] = w.namespace;
  if (w.serviceAccount !== undefined) {
    labels[SERVICE_ACCOUNT_LABEL] = w.serviceAccount;
    labels[`${SERVICE_ACCOUNT_LABEL_PREFIX}projectcalico.org/name`] = w.serviceAccount;
  }
  return labels;
}

interface Packet {
  readonly src: ParsedIp;
  readonly dst: ParsedIp;
  readonly protocol: number;
  readonly port: number;
  readonly sourcePort?: number;
}

interface FlowWorkload {
  readonly peer: WorkloadPeer;
  readonly ip: ParsedIp;
  readonly labels: Labels;
  readonly policed: Policed;
}

interface Ctx {
  readonly model: Model;
  /** The packet as the current stage sees it: NAT and tunnels change its source on the way. */
  packet: Packet;
  readonly rewrites: Rewrite[];
  readonly workloads: readonly FlowWorkload[];
  /** The decisions in words; undefined when the caller does not want them (EvaluateOptions.steps). */
  readonly steps: string[] | undefined;
}

/** An endpoint Felix applies policy to. */
interface Policed {
  /** Its name in stages: the host endpoint's, or the pod's `namespace/name`. */
  readonly name: string;
  readonly title: string;
  readonly labels: Labels;
  readonly profiles: readonly string[];
}

type Decision = { readonly allowed: boolean; readonly decidedBy: DecidedBy };

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP', 136: 'UDPLite' };
const protocolName = (n: number): string => PROTOCOL_NAMES[n] ?? `protocol ${n}`;

function mustParseIp(text: string, what: string): ParsedIp {
  const parsed = parseIp(text);
  if (!parsed.ok) throw new Error(`evaluate: the ${what}'s ip ${JSON.stringify(text)} is not an IP address (${parsed.problem.message})`);
  return parsed.ip;
}

function mustBePort(port: number | undefined, what: string): void {
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`evaluate: the flow's ${what} ${port} is not a port (0-65535)`);
  }
}

function describePeer(p: Peer): string {
  switch (p.kind) {
    case 'workload':
      return `pod ${p.namespace}/${p.name ?? p.ip} (${p.ip}) on node ${p.node}`;
    case 'host':
      return `host ${p.node} (${p.ip}, interface ${p.interface})`;
    case 'external':
      return p.name === undefined ? `external address ${p.ip}` : `external ${p.name} (${p.ip})`;
  }
}

function describePolicy(p: Policy): string {
  const name = p.ref.namespace === undefined ? p.ref.name : `${p.ref.namespace}/${p.ref.name}`;
  return `${p.ref.kind} ${name} (${p.order === undefined ? 'no order' : `order ${p.order}`})`;
}

function describePorts(ports: readonly PortRange[]): string {
  return `[${ports.map((p) => (p.first === p.last ? `${p.first}` : `${p.first}:${p.last}`)).join(', ')}]`;
}

const inRanges = (ranges: readonly PortRange[], port: number): boolean => ranges.some((r) => r.first <= port && port <= r.last);

/** The object (or flow workload) that puts `ip` in the selector's IP set, if any. */
function selectedBy(ctx: Ctx, selector: SelectorRef, ip: ParsedIp): string | undefined {
  const owner = ipSetHas(ctx.model.ipSet(selector), ip);
  if (owner !== undefined) return owner;
  const w = ctx.workloads.find((x) => x.ip.text === ip.text && matchesSelector(selector.selector, x.labels, { global: false }));
  return w && `pod ${w.policed.name}`;
}

/** What ruleMiss returns for a miss when the evaluation explains nothing. */
const MISS = 'the rule does not match';

/** Why one side of a rule does not match the packet (MISS without steps), or undefined when it does. */
function entityMiss(ctx: Ctx, e: EntityMatch, side: 'source' | 'destination', ip: ParsedIp, port: number | undefined): string | undefined {
  const explain = ctx.steps !== undefined;
  if (e.services) return explain ? `its ${side} is a Kubernetes Service, which the model does not resolve` : MISS;
  if (e.nets && !e.nets.some((n) => cidrContains(n, ip))) return explain ? `${side} ${ip.text} is not in nets [${e.nets.map((n) => n.text).join(', ')}]` : MISS;
  const inNotNets = e.notNets?.find((n) => cidrContains(n, ip));
  if (inNotNets) return explain ? `${side} ${ip.text} is in notNets ${inNotNets.text}` : MISS;
  if (e.selector && selectedBy(ctx, e.selector, ip) === undefined) return explain ? `${side} ${ip.text} is not selected by ${e.selector.key}` : MISS;
  if (e.notSelector) {
    const owner = selectedBy(ctx, e.notSelector, ip);
    if (owner !== undefined) return explain ? `${side} ${ip.text} (${owner}) is selected by notSelector ${e.notSelector.key}` : MISS;
  }
  return portMiss(e, side, port, explain);
}

/** Why one side's ports do not match the packet's port (MISS without `explain`), or undefined when they do. */
function portMiss(e: EntityMatch, side: 'source' | 'destination', port: number | undefined, explain: boolean): string | undefined {
  for (const [ranges, negative] of [
    [e.ports, false],
    [e.notPorts, true],
  ] as const) {
    if (ranges === undefined) continue;
    if (port === undefined) return explain ? `the ${side} port is not known and the rule matches on ${negative ? 'notPorts' : 'ports'}` : MISS;
    if (inRanges(ranges, port) === negative) return explain ? `${side} port ${port} is ${negative ? 'in notPorts' : 'not in ports'} ${describePorts(ranges)}` : MISS;
  }
  return undefined;
}

/** Why a rule does not match the packet (MISS without steps), or undefined when it does (all its criteria hold). */
function ruleMiss(ctx: Ctx, rule: Rule): string | undefined {
  const { packet } = ctx;
  const explain = ctx.steps !== undefined;
  if (rule.protocol !== undefined && rule.protocol !== packet.protocol) return explain ? `it matches ${protocolName(rule.protocol)} only` : MISS;
  if (rule.notProtocol !== undefined && rule.notProtocol === packet.protocol) return explain ? `it excludes ${protocolName(rule.notProtocol)} (notProtocol)` : MISS;
  if (rule.icmp && packet.protocol !== 1 && packet.protocol !== 58) return explain ? 'it matches ICMP only' : MISS;
  if (rule.ipVersion !== undefined && rule.ipVersion !== packet.src.family) return explain ? `it matches IPv${rule.ipVersion} only` : MISS;
  // Every criterion must hold, so without an explanation the order is free: the ports first,
  // which cost nothing beside the selectors' IP sets (half the rules an allow-list's probes
  // meet are another server's port).
  if (!explain && (portMiss(rule.destination, 'destination', packet.port, false) !== undefined || portMiss(rule.source, 'source', packet.sourcePort, false) !== undefined)) return MISS;
  return (
    entityMiss(ctx, rule.source, 'source', packet.src, packet.sourcePort) ??
    entityMiss(ctx, rule.destination, 'destination', packet.dst, packet.port)
  );
}

function failsafeMatch(rules: readonly FailsafeRule[], direction: 'inbound' | 'outbound', packet: Packet): FailsafeRule | undefined {
  return rules.find(
    (r) =>
      protocolNumber(r.entry.protocol) === packet.protocol &&
      r.entry.port === packet.port &&
      (r.cidr === undefined || cidrContains(r.cidr, direction === 'inbound' ? packet.src : packet.dst)),
  );
}

/**
 * Felix's verdict at one endpoint, in one direction.
 *
 * Failsafe ports first (host endpoints only); then the tier: policies in order, rules in
 * order, the first Allow or Deny decides, Log goes on, Pass leaves the tier; a tier with a
 * selecting policy that did not decide drops. With no policy, or after Pass: profiles, else
 * drop. Forwarded traffic through a host endpoint sees only applyOnForward policies, is
 * allowed when none applies, and has no failsafes or profiles.
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule (Log, Pass)
 * @see https://docs.tigera.io/calico/latest/reference/host-endpoints/forwarded
 * @see https://docs.tigera.io/calico/latest/reference/host-endpoints/failsafe
 */
function police(
  ctx: Ctx,
  ep: Policed,
  direction: Direction,
  options: { readonly forward?: boolean; readonly failsafe?: { readonly direction: 'inbound' | 'outbound'; readonly rules: readonly FailsafeRule[]; readonly configuredBy: string } },
): Decision {
  const { steps, packet } = ctx;
  if (options.failsafe) {
    const { rules, configuredBy } = options.failsafe;
    const hit = failsafeMatch(rules, options.failsafe.direction, packet);
    if (hit) {
      steps?.push(`  failsafe ${options.failsafe.direction} port ${hit.entry.protocol} ${hit.entry.port}${hit.entry.net ? ` from ${hit.entry.net}` : ''} (${configuredBy}) allows it, whatever the policy`);
      return { allowed: true, decidedBy: { kind: 'failsafe', direction: options.failsafe.direction, entry: hit.entry, configuredBy } };
    }
    steps?.push(`  no failsafe ${options.failsafe.direction} port (${configuredBy}) covers ${protocolName(packet.protocol)} ${packet.port}`);
  }
  const applied = ctx.model.policiesFor(ep.labels);
  const policies = options.forward
    ? direction === 'Ingress'
      ? applied.forwardIngress
      : applied.forwardEgress
    : direction === 'Ingress'
      ? applied.ingress
      : applied.egress;
  let passedBy: PassedBy | undefined;
  if (policies.length === 0) {
    if (options.forward) {
      steps?.push(`  no applyOnForward policy selects ${ep.title} for ${direction}: forwarded traffic is allowed`);
      return { allowed: true, decidedBy: { kind: 'not-policed', reason: `no applyOnForward policy selects ${ep.title} for ${direction}` } };
    }
    steps?.push(`  no policy selects ${ep.title} for ${direction}`);
  } else {
    let start = 0;
    while (start < policies.length) {
      const tierName = (policies[start] as Policy).tier;
      let end = start;
      while (end < policies.length && (policies[end] as Policy).tier === tierName) end++;
      const inTier = policies.slice(start, end);
      start = end;
      let passed = false;
      tier: for (const policy of inTier) {
        const rules = direction === 'Ingress' ? policy.ingress : policy.egress;
        if (rules.length === 0) steps?.push(`  ${describePolicy(policy)} has no ${direction.toLowerCase()} rules`);
        for (const rule of rules) {
          const miss = ruleMiss(ctx, rule);
          if (miss !== undefined) {
            steps?.push(`  ${describePolicy(policy)} rule ${rule.index} (${rule.action}) does not match: ${miss}`);
            continue;
          }
          if (rule.action === 'Log') {
            steps?.push(`  ${describePolicy(policy)} rule ${rule.index} (Log) matches: logged, evaluation goes on`);
            continue;
          }
          if (rule.action === 'Pass') {
            steps?.push(`  ${describePolicy(policy)} rule ${rule.index} (Pass) matches: the rest of tier "${tierName}" is skipped`);
            passedBy = { policy: policy.ref, ruleIndex: rule.index };
            passed = true;
            break tier;
          }
          steps?.push(`  ${describePolicy(policy)} rule ${rule.index} (${rule.action}) matches: ${rule.action === 'Allow' ? 'allowed' : 'denied'}`);
          return {
            allowed: rule.action === 'Allow',
            decidedBy: { kind: 'policy', policy: policy.ref, direction, ruleIndex: rule.index, action: rule.action },
          };
        }
      }
      if (passed) continue;
      // felix/rules/endpoints.go:689-710 (v3.32.1): a tier whose policies select the endpoint and do not decide ends in its default action.
      if (ctx.model.tiers.get(tierName)?.defaultAction === 'Pass') {
        steps?.push(`  end of tier "${tierName}": none of its policies decided; its defaultAction Pass goes on to the next tier`);
        continue;
      }
      steps?.push(`  end of tier "${tierName}": ${inTier.length} ${inTier.length === 1 ? 'policy selects' : 'policies select'} ${ep.title} for ${direction} and none allowed the packet: denied`);
      return { allowed: false, decidedBy: { kind: 'end-of-tier-deny', tier: tierName, direction, policies: inTier.map((p) => p.ref) } };
    }
    if (options.forward) {
      steps?.push('  no profiles apply to forwarded traffic: Calico leaves it to the host');
      return { allowed: true, decidedBy: { kind: 'not-policed', reason: `every applyOnForward policy of ${ep.title} passed the packet` } };
    }
  }
  const profile = ep.profiles.find(profileAllowsAll);
  if (profile !== undefined) {
    steps?.push(`  profile ${profile} allows it`);
    return { allowed: true, decidedBy: { kind: 'profile', profile, direction, ...(passedBy && { passedBy }) } };
  }
  steps?.push(
    ep.profiles.length === 0
      ? `  ${ep.title} has no profile: denied (a host endpoint without policy denies all but failsafe traffic)`
      : `  no profile of ${ep.title} (${ep.profiles.join(', ')}) allows it: denied`,
  );
  return { allowed: false, decidedBy: { kind: 'no-policy-default-deny', direction, ...(passedBy && { passedBy }) } };
}

function flowWorkload(peer: WorkloadPeer, ip: ParsedIp): FlowWorkload {
  const labels = workloadLabels(peer);
  const name = `${peer.namespace}/${peer.name ?? peer.ip}`;
  // Kubernetes pods carry their namespace's profile, which allows everything.
  return { peer, ip, labels, policed: { name, title: `workload ${name}`, labels, profiles: [`kns.${peer.namespace}`] } };
}

function hepPoliced(hep: HostEndpoint): Policed {
  return { name: hep.name, title: `host endpoint ${hep.name}`, labels: hep.labels, profiles: hep.profiles };
}

/**
 * What Felix accepts before host endpoint policy, from Calico hosts (or, for WireGuard, from
 * anywhere): encapsulated pod traffic and the WireGuard tunnel.
 *
 * @see v3.32.1 felix/rules/static.go:253-271 (IP-in-IP from all-hosts-net), 273-315 (VXLAN
 *      from all-vxlan-net), 210-248 (WireGuard on its port), and 749-828 for the outbound side
 */
type FelixEncapsulation = Extract<DecidedBy, { kind: 'felix-accept' | 'felix-drop' }>;

/**
 * What Felix decides about encapsulated traffic before any host endpoint policy or failsafe
 * port, with or without a host endpoint: IPv4 IP-in-IP and VXLAN accepted from and to Calico
 * hosts and dropped from any other address when the pools use them, WireGuard accepted on its
 * IPv4 port when enabled. (IPv6 VXLAN and WireGuard depend on settings the environment does
 * not give: not modelled.)
 *
 * @see v3.32.1 felix/rules/static.go:253-271 (IP-in-IP), 273-293 (VXLAN), 210-248 (WireGuard),
 *      and 749-828 for the outbound side, which only accepts
 */
function felixEncapsulation(model: Model, packet: Packet, direction: Direction): FelixEncapsulation | undefined {
  const env = model.environment;
  if (env === undefined || packet.src.family !== 4) return undefined;
  const ingress = direction === 'Ingress';
  const peer = ingress ? packet.src : packet.dst;
  const fromHost = model.isCalicoHost(peer);
  const way = ingress ? 'from' : 'to';
  if (env.encapsulation === 'IPIP' && packet.protocol === 4) {
    if (fromHost) return { kind: 'felix-accept', reason: `Felix accepts IP-in-IP ${way} another Calico host`, source: 'felix/rules/static.go:253-271, 749-828' };
    if (ingress) return { kind: 'felix-drop', reason: 'Felix drops IP-in-IP from an address that is no Calico host', source: 'felix/rules/static.go:265-269' };
  }
  if (env.encapsulation === 'VXLAN' && packet.protocol === 17 && packet.port === VXLAN_PORT) {
    if (fromHost) return { kind: 'felix-accept', reason: `Felix accepts VXLAN ${way} another Calico host`, source: 'felix/rules/static.go:273-293, 749-828' };
    if (ingress) return { kind: 'felix-drop', reason: 'Felix drops VXLAN from an address that is no Calico host', source: 'felix/rules/static.go:285-291' };
  }
  if (env.wireguard && packet.protocol === 17 && packet.port === WIREGUARD_PORT) {
    return { kind: 'felix-accept', reason: `Felix accepts WireGuard on UDP ${WIREGUARD_PORT}`, source: 'felix/rules/static.go:210-248, 749-828' };
  }
  return undefined;
}

/** Felix's default ports (v3.32.1 felix/config/config_params.go:176-179, 357). */
const VXLAN_PORT = 4789;
const WIREGUARD_PORT = 51820;

/**
 * Felix masquerades a pod's traffic from a natOutgoing pool to a destination outside every
 * pool (and, with natOutgoingExclusions IPPoolsAndHostIPs, outside the Calico hosts) to its
 * node's address, after the node's forward policy and before the destination sees it.
 *
 * @see v3.32.1 felix/rules/nat.go:55-82 (the MASQUERADE rule), 60-67 (the exclusions)
 */
function masquerade(ctx: Ctx, pod: WorkloadPeer): void {
  const { model, packet } = ctx;
  const env = model.environment;
  if (env === undefined) return;
  const inPool = (ip: ParsedIp, natOnly: boolean) => env.ipPools.some((p) => (!natOnly || p.natOutgoing) && p.cidr.family === ip.family && cidrContains(p.cidr, ip));
  if (!inPool(packet.src, true) || inPool(packet.dst, false)) return;
  // v3.30 has no exclusions: Felix masquerades towards every address outside the pools
  // (v3.30.7 felix/rules/nat.go:52-74).
  const exclusions = CALICO_RELEASES[model.calicoVersion].natOutgoingExclusions ? model.felix(pod.node).natOutgoingExclusions : undefined;
  const why = exclusions === undefined ? `Calico ${model.calicoVersion} has no natOutgoingExclusions` : `natOutgoingExclusions ${exclusions.value}, ${exclusions.configuredBy}`;
  if (exclusions?.value === 'IPPoolsAndHostIPs' && model.isCalicoHost(packet.dst)) {
    ctx.steps?.push(`nat: not masqueraded: natOutgoingExclusions IPPoolsAndHostIPs (${exclusions.configuredBy}) keeps the pod's address towards Calico hosts`);
    return;
  }
  const address = model.nodeAddress(pod.node, packet.src.family);
  const parsed = address === undefined ? undefined : parseIp(address);
  if (parsed === undefined || !parsed.ok) {
    ctx.steps?.push(`nat: masqueraded to the address of node ${pod.node}, which no host endpoint lists: the destination sees an address Calico does not know`);
    ctx.packet = { ...packet, src: mustParseIp(NODE_ADDRESS_UNKNOWN[packet.src.family], 'masqueraded source') };
    ctx.rewrites.push({ kind: 'masquerade', node: pod.node, source: ctx.packet.src.text, ...(exclusions && { exclusions: exclusions.value }) });
    return;
  }
  ctx.steps?.push(
    `nat: Felix masquerades the pod's traffic to ${packet.dst.text} (outside every IP pool; ${why}) to node ${pod.node}'s address ${parsed.ip.text}`,
  );
  ctx.packet = { ...packet, src: parsed.ip };
  ctx.rewrites.push({ kind: 'masquerade', node: pod.node, source: parsed.ip.text, ...(exclusions && { exclusions: exclusions.value }) });
}

/** A source address no object names, for a node whose address the objects do not give. */
const NODE_ADDRESS_UNKNOWN: Readonly<Record<4 | 6, string>> = { 4: '0.0.0.0', 6: '::' };

/**
 * A host reaching a pod on another node over IP-in-IP or VXLAN sends from its tunnel device's
 * address (the device's only address; v3.32.1 felix/dataplane/linux/ipip_mgr.go:190-201,
 * vxlan_mgr.go:314-342, route_mgr.go:650-690), not from its own.
 */
function throughTunnel(ctx: Ctx, node: string): void {
  const tunnel = tunnelAddress(node, ctx.model.environment);
  if (tunnel === undefined || ctx.packet.src.family !== 4) return;
  ctx.steps?.push(`tunnel: ${ctx.model.environment?.encapsulation} to a pod on another node leaves node ${node} from its tunnel address ${tunnel.text}`);
  ctx.packet = { ...ctx.packet, src: tunnel };
  ctx.rewrites.push({ kind: 'tunnel', node, source: tunnel.text });
}

/**
 * The flow's fate: each enforcement point on its path in packet order, stopping at the first
 * that drops it.
 *
 * Throws when the flow itself is malformed (an address or port that is not one): callers
 * check user input first.
 */
export interface EvaluateOptions {
  /**
   * Whether Felix's failsafe ports apply; `false` asks what the policies alone do, to tell a
   * path that hangs on a failsafe port from one a policy allows anyway.
   *
   * @default true
   */
  readonly failsafe?: boolean;
  /**
   * Whether the verdict explains itself in `steps`; `false` leaves them empty, for callers that
   * read only the verdict (the access matrix evaluates thousands of flows).
   *
   * @default true
   */
  readonly steps?: boolean;
}

export function evaluate(model: Model, flow: Flow, options: EvaluateOptions = {}): Verdict {
  const { source: s, destination: d } = flow;
  const protocol = protocolNumber(flow.protocol);
  if (protocol === undefined) throw new Error(`evaluate: ${JSON.stringify(flow.protocol)} is not a Calico protocol`);
  mustBePort(flow.port, 'port');
  mustBePort(flow.sourcePort, 'sourcePort');
  const packet: Packet = {
    src: mustParseIp(s.ip, 'source'),
    dst: mustParseIp(d.ip, 'destination'),
    protocol,
    port: flow.port,
    ...(flow.sourcePort !== undefined && { sourcePort: flow.sourcePort }),
  };
  const sourceWorkload = s.kind === 'workload' ? flowWorkload(s, packet.src) : undefined;
  const destinationWorkload = d.kind === 'workload' ? flowWorkload(d, packet.dst) : undefined;
  const workloads = [sourceWorkload, destinationWorkload].filter((w): w is FlowWorkload => w !== undefined);
  const ctx: Ctx = { model, packet, workloads, steps: options.steps === false ? undefined : [], rewrites: [] };
  const stages: Stage[] = [];
  ctx.steps?.push(`${describePeer(s)} → ${describePeer(d)}, ${protocolName(protocol)} ${flow.port}`);

  const record = (point: StagePoint, node: string | undefined, endpoint: string | undefined, decision: Decision): boolean => {
    stages.push({ point, ...(node !== undefined && { node }), ...(endpoint !== undefined && { endpoint }), ...decision });
    return decision.allowed;
  };
  const sameNode = s.kind !== 'external' && d.kind !== 'external' && s.node === d.node;

  // Host endpoint stage at `node` through `iface` (and its address, for endpoints that name their interface by IP).
  const hepStage = (point: StagePoint, node: string, iface: string | undefined, ifaceIp: string | undefined, direction: Direction): boolean => {
    const hep = model.hostEndpointFor(node, iface, ifaceIp);
    const where = iface === undefined ? `an interface of node ${node} without its own host endpoint` : `interface ${iface} of node ${node}`;
    const forward = point === 'forward-egress' || point === 'forward-ingress';
    // Felix's INPUT and OUTPUT chains decide encapsulation first, host endpoint or not.
    const encapsulation = forward ? undefined : felixEncapsulation(model, ctx.packet, direction);
    if (encapsulation) {
      ctx.steps?.push(`${point}: ${encapsulation.reason} (${encapsulation.source}), before any host endpoint policy`);
      return record(point, node, hep?.name, { allowed: encapsulation.kind === 'felix-accept', decidedBy: encapsulation });
    }
    if (!hep) {
      ctx.steps?.push(`${point}: no host endpoint covers ${where}: Calico does not police it`);
      return record(point, node, undefined, { allowed: true, decidedBy: { kind: 'not-policed', reason: `no host endpoint covers ${where}` } });
    }
    ctx.steps?.push(`${point}: ${where} → host endpoint ${hep.name}${hep.interfaceName === '*' ? ' (all interfaces)' : ''}`);
    const felix = model.felix(node);
    const configured = direction === 'Ingress' ? felix.failsafeInbound : felix.failsafeOutbound;
    const failsafe = forward || options.failsafe === false
      ? undefined
      : { direction: direction === 'Ingress' ? ('inbound' as const) : ('outbound' as const), rules: configured.value, configuredBy: configured.configuredBy };
    return record(point, node, hep.name, police(ctx, hepPoliced(hep), direction, { forward, ...(failsafe && { failsafe }) }));
  };
  const workloadStage = (point: StagePoint, w: FlowWorkload, direction: Direction): boolean => {
    ctx.steps?.push(`${point}: ${w.policed.title}`);
    return record(point, w.peer.node, w.policed.name, police(ctx, w.policed, direction, {}));
  };

  const run = (): void => {
    // Host endpoint summary: "Traffic from a host to its workload endpoints is always allowed".
    if (s.kind === 'host' && destinationWorkload && sameNode) {
      ctx.steps?.push('host-to-local-workload: a host may always reach its own pods (kubelet probes), whatever the policy');
      record('host-to-local-workload', s.node, undefined, { allowed: true, decidedBy: { kind: 'host-to-local-workload' } });
      return;
    }
    if (sourceWorkload) {
      if (!workloadStage('workload-egress', sourceWorkload, 'Egress')) return;
      if (!sameNode && !hepStage('forward-egress', sourceWorkload.peer.node, sourceWorkload.peer.hostInterface, undefined, 'Egress')) return;
      if (!sameNode && d.kind !== 'workload') masquerade(ctx, sourceWorkload.peer);
    } else if (s.kind === 'host') {
      if (destinationWorkload && !sameNode) throughTunnel(ctx, s.node);
      if (!hepStage('host-egress', s.node, s.interface, s.ip, 'Egress')) return;
    }
    if (destinationWorkload) {
      if (!sameNode && !hepStage('forward-ingress', destinationWorkload.peer.node, destinationWorkload.peer.hostInterface, undefined, 'Ingress')) return;
      workloadStage('workload-ingress', destinationWorkload, 'Ingress');
    } else if (d.kind === 'host') {
      if (sourceWorkload && sameNode) {
        // The workload-to-host chain runs before, and instead of, host endpoint ingress policy.
        const { value: action, configuredBy } = model.felix(d.node).defaultEndpointToHostAction;
        ctx.steps?.push(
          `workload-to-host: traffic from a pod to its own host skips host endpoint policy; DefaultEndpointToHostAction ${action} (${configuredBy}) ${action === 'Drop' ? 'drops it' : action === 'Accept' ? 'accepts it' : "returns it to the host's own INPUT rules"}`,
        );
        record('workload-to-host', d.node, undefined, { allowed: action !== 'Drop', decidedBy: { kind: 'endpoint-to-host-action', action, configuredBy } });
      } else {
        hepStage('host-ingress', d.node, d.interface, d.ip, 'Ingress');
      }
    }
  };
  run();

  const denied = stages.find((st) => !st.allowed);
  const deciding = denied ?? [...stages].reverse().find((st) => st.decidedBy.kind !== 'not-policed') ?? stages[stages.length - 1];
  const decidedBy: DecidedBy = deciding?.decidedBy ?? { kind: 'not-policed', reason: 'no Calico enforcement point is on the path' };
  if (stages.length === 0) ctx.steps?.push('no Calico enforcement point is on the path');
  ctx.steps?.push(denied ? `verdict: denied at ${denied.point}` : 'verdict: allowed');
  return { allowed: denied === undefined, decidedBy, stages, rewrites: ctx.rewrites, steps: ctx.steps ?? [] };
}
