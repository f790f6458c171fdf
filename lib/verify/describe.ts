/**
 * Words for verdicts and peers, shared by the guard rails' messages, ACCESS.md and
 * `calico-shield explain`, so the three say the same thing the same way.
 */
import type { HostPeer, HostRole } from '../calico/presets';
import type { ServerPlan } from '../plan/plan';
import type { DecidedBy, Peer } from './evaluator';
import type { PolicyRef } from './model';

/** The nodes a host path concerns, in words. */
export const ROLE_WORDS: Readonly<Record<HostRole, string>> = { nodes: 'every node', 'control-plane': 'the control plane' };
/** The other end of a host path, in words. */
export const PEER_WORDS: Readonly<Record<HostPeer, string>> = { nodes: 'every node', 'control-plane': 'the control plane', 'nodes-and-pods': 'nodes and pods', pods: 'pods', anywhere: 'anywhere' };

export function policyName(ref: PolicyRef): string {
  return ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`;
}

/** What decided a verdict, in full: `GlobalNetworkPolicy default-host rule 0 (Allow)`. */
export function describeDecision(d: DecidedBy): string {
  switch (d.kind) {
    case 'policy':
      return `${d.policy.kind} ${policyName(d.policy)} ${d.direction.toLowerCase()} rule ${d.ruleIndex} (${d.action})`;
    case 'failsafe':
      return `Felix failsafe ${d.direction} port ${d.entry.protocol} ${d.entry.port}${d.entry.net ? ` from ${d.entry.net}` : ''} (${d.configuredBy})`;
    case 'no-policy-default-deny':
      return `the default deny of an endpoint no ${d.direction.toLowerCase()} policy allows${d.passedBy ? ` (passed by ${policyName(d.passedBy.policy)})` : ''}`;
    case 'end-of-tier-deny':
      return `the end of tier "${d.tier}" (${d.direction.toLowerCase()}: ${d.policies.map(policyName).join(', ')} select the endpoint, none allows)`;
    case 'profile':
      return `profile ${d.profile}`;
    case 'not-policed':
      return `nothing: ${d.reason}`;
    case 'host-to-local-workload':
      return 'the rule that a host always reaches its own pods';
    case 'endpoint-to-host-action':
      return `DefaultEndpointToHostAction ${d.action} (${d.configuredBy})`;
    case 'felix-accept':
    case 'felix-drop':
      return `${d.reason} (${d.source})`;
  }
}

/** What decided a verdict, in a table cell: `default-host` rule 0, failsafe TCP 22, … */
export function shortDecision(d: DecidedBy): string {
  switch (d.kind) {
    case 'policy':
      return `\`${policyName(d.policy)}\` ${d.direction === 'Egress' ? 'egress ' : ''}rule ${d.ruleIndex}`;
    case 'failsafe':
      return `failsafe ${d.direction} ${d.entry.protocol} ${d.entry.port}`;
    case 'no-policy-default-deny':
      return `no ${d.direction.toLowerCase()} policy (default deny)`;
    case 'end-of-tier-deny':
      return d.tier === 'default' ? `end of tier (${d.direction.toLowerCase()})` : `end of tier \`${d.tier}\` (${d.direction.toLowerCase()})`;
    case 'profile':
      return `profile \`${d.profile}\``;
    case 'not-policed':
      return 'not policed';
    case 'host-to-local-workload':
      return 'host to own pod';
    case 'endpoint-to-host-action':
      return `DefaultEndpointToHostAction ${d.action}`;
    case 'felix-accept':
      return 'Felix accepts (encapsulation)';
    case 'felix-drop':
      return 'Felix drops (encapsulation from a non-Calico host)';
  }
}

/** A peer in messages: `pod monitoring/prometheus (10.244.1.10) on node kubeadm-node-0`. */
export function describePeer(p: Peer): string {
  switch (p.kind) {
    case 'workload':
      return `pod ${p.namespace}/${p.name ?? p.ip} (${p.ip}) on node ${p.node}`;
    case 'host':
      return `node ${p.node} (${p.ip}${p.interface === '*' ? ', any interface' : `, ${p.interface}`})`;
    case 'external':
      return p.name === undefined ? `address ${p.ip}` : `${p.name} (${p.ip})`;
  }
}

/** Readable name of a protected server: `calico-node metrics`, `etcd`. */
export function serverTitle(s: ServerPlan): string {
  switch (s.role) {
    case 'calico-node-metrics':
      return 'calico-node metrics';
    case 'typha-metrics':
      return 'Typha metrics';
    case 'kube-controllers-metrics':
      return 'kube-controllers metrics';
    case 'protected-server':
      return s.id;
  }
}

/** `TCP 9091 (calico-node metrics)`. */
export function serverPort(s: ServerPlan): string {
  return `${s.protocol} ${s.port} (${serverTitle(s)})`;
}

/** At most `max` names, then how many more: `a, b, c and 9,997 more`. */
export function sample(names: readonly string[], total: number, max = 3): string {
  const shown = names.slice(0, max);
  const more = total - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${formatCount(more)} more` : shown.join(', ');
}

/** `10,000`: toLocaleString would load ICU's locale data on its first call, tens of milliseconds. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
