/**
 * One preset of host traffic (lib/calico/presets.ts) as a GlobalNetworkPolicy `allow-<preset>`:
 * Allow rules only, for the hosts of the preset's roles, at order 1000.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/protect-hosts
 */
import { Construct } from 'constructs';
import type { HostRulePlan, HostTrafficPolicyPlan } from '../plan/host-traffic';
import type { CalicoKinds } from './kinds';
import { objectMetadata } from './metadata';
import { globalPolicySpec, type RuleInput } from './rules';

/** Says on the object which ports of the preset are left to the protected servers' own policies. */
export const EXCLUDED_PORTS_ANNOTATION = 'calico-shield/excluded-ports';

/** IP-in-IP is IP protocol 4 (Calico's protocol names do not include it). */
const IPIP_PROTOCOL = 4;

export interface HostTrafficPolicyProps {
  readonly policy: HostTrafficPolicyPlan;
  /** The constructs of the cluster's Calico minor. */
  readonly kinds: CalicoKinds;
}

export class HostTrafficPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: HostTrafficPolicyProps) {
    super(scope, id);
    const p = props.policy;
    const excluded = [...new Set(p.excluded.map((e) => `${e.protocol} ${e.port} (${e.server})`))];
    new props.kinds.GlobalNetworkPolicy(this, 'Resource', {
      metadata: objectMetadata({
        name: p.name,
        stage: 'policies',
        ...(excluded.length > 0 ? { annotations: { [EXCLUDED_PORTS_ANNOTATION]: excluded.join(', ') } } : {}),
      }),
      spec: globalPolicySpec(p, p.ingress.map(allowRule), p.egress.map(allowRule)),
    });
  }
}

/** Ports as `9099` or Calico's range syntax `"30000:32767"`. */
function allowRule(rule: HostRulePlan): RuleInput {
  return {
    action: 'Allow',
    protocol: rule.protocol === 'IPIP' ? IPIP_PROTOCOL : rule.protocol,
    source: rule.source,
    destination: rule.destination,
    destinationPorts: rule.ports.map((r) => (r.first === r.last ? r.first : `${r.first}:${r.last}`)),
  };
}
