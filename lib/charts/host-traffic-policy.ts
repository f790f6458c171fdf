/**
 * One preset of host traffic (lib/calico/presets.ts) as a GlobalNetworkPolicy `allow-<preset>`:
 * Allow rules only, for the hosts of the preset's roles, at order 1000.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/protect-hosts
 */
import { Construct } from 'constructs';
import {
  GlobalNetworkPolicy,
  GlobalNetworkPolicySpecEgress,
  GlobalNetworkPolicySpecEgressAction,
  GlobalNetworkPolicySpecEgressDestinationPorts,
  GlobalNetworkPolicySpecEgressProtocol,
  GlobalNetworkPolicySpecIngress,
  GlobalNetworkPolicySpecIngressAction,
  GlobalNetworkPolicySpecIngressDestinationPorts,
  GlobalNetworkPolicySpecIngressProtocol,
  GlobalNetworkPolicySpecTypes,
} from '../../imports/globalnetworkpolicy-projectcalico.org';
import { printSelector } from '../calico/selector';
import type { HostRuleEntity, HostRulePlan, HostTrafficPolicyPlan, PortRange } from '../plan/host-traffic';
import { objectMetadata } from './metadata';

/** Says on the object which ports of the preset are left to the protected servers' own policies. */
export const EXCLUDED_PORTS_ANNOTATION = 'calico-shield/excluded-ports';

/** IP-in-IP is IP protocol 4 (Calico's protocol names do not include it). */
const IPIP_PROTOCOL = 4;

export interface HostTrafficPolicyProps {
  readonly policy: HostTrafficPolicyPlan;
}

export class HostTrafficPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: HostTrafficPolicyProps) {
    super(scope, id);
    const p = props.policy;
    const excluded = p.excluded.map((e) => `${e.protocol} ${e.port} (${e.server})`);
    new GlobalNetworkPolicy(this, 'Resource', {
      metadata: objectMetadata({
        name: p.name,
        stage: 'policies',
        ...(excluded.length > 0 ? { annotations: { [EXCLUDED_PORTS_ANNOTATION]: [...new Set(excluded)].join(', ') } } : {}),
      }),
      spec: {
        selector: printSelector(p.selector),
        order: p.order,
        types: [
          ...(p.ingress.length > 0 ? [GlobalNetworkPolicySpecTypes.INGRESS] : []),
          ...(p.egress.length > 0 ? [GlobalNetworkPolicySpecTypes.EGRESS] : []),
        ],
        ...(p.ingress.length > 0 ? { ingress: p.ingress.map(ingressRule) } : {}),
        ...(p.egress.length > 0 ? { egress: p.egress.map(egressRule) } : {}),
      },
    });
  }
}

function entity(e: HostRuleEntity): { selector?: string; nets?: string[] } | undefined {
  const out = {
    ...(e.selector ? { selector: printSelector(e.selector) } : {}),
    ...(e.nets ? { nets: [...e.nets] } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `9099` or `"30000:32767"`, Calico's range syntax. */
function portText(r: PortRange): number | string {
  return r.first === r.last ? r.first : `${r.first}:${r.last}`;
}

function ingressRule(rule: HostRulePlan): GlobalNetworkPolicySpecIngress {
  const source = entity(rule.source);
  const destination = entity(rule.destination);
  const ports = rule.ports.map((r) => {
    const t = portText(r);
    return typeof t === 'number' ? GlobalNetworkPolicySpecIngressDestinationPorts.fromNumber(t) : GlobalNetworkPolicySpecIngressDestinationPorts.fromString(t);
  });
  return {
    action: GlobalNetworkPolicySpecIngressAction.ALLOW,
    protocol: rule.protocol === 'IPIP' ? GlobalNetworkPolicySpecIngressProtocol.fromNumber(IPIP_PROTOCOL) : GlobalNetworkPolicySpecIngressProtocol.fromString(rule.protocol),
    ...(source ? { source } : {}),
    ...(destination || ports.length > 0 ? { destination: { ...destination, ...(ports.length > 0 ? { ports } : {}) } } : {}),
  };
}

function egressRule(rule: HostRulePlan): GlobalNetworkPolicySpecEgress {
  const source = entity(rule.source);
  const destination = entity(rule.destination);
  const ports = rule.ports.map((r) => {
    const t = portText(r);
    return typeof t === 'number' ? GlobalNetworkPolicySpecEgressDestinationPorts.fromNumber(t) : GlobalNetworkPolicySpecEgressDestinationPorts.fromString(t);
  });
  return {
    action: GlobalNetworkPolicySpecEgressAction.ALLOW,
    protocol: rule.protocol === 'IPIP' ? GlobalNetworkPolicySpecEgressProtocol.fromNumber(IPIP_PROTOCOL) : GlobalNetworkPolicySpecEgressProtocol.fromString(rule.protocol),
    ...(source ? { source } : {}),
    ...(destination || ports.length > 0 ? { destination: { ...destination, ...(ports.length > 0 ? { ports } : {}) } } : {}),
  };
}
