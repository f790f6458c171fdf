/**
 * One protected server's policy, as "Securing Calico's own communications" writes it:
 * a GlobalNetworkPolicy (or a NetworkPolicy for namespaced servers) at order 500 with
 * ingress rules on the server's port; or, in the allow-list approach, the egress policy
 * that lets its host-networked clients send to it.
 */
import { Construct } from 'constructs';
import { NetworkPolicySpecTypes } from '../../imports/networkpolicy-projectcalico.org';
import { printSelector } from '../calico/selector';
import { PolicyPlan } from '../plan/plan';
import type { CalicoKinds } from './kinds';
import { objectMetadata } from './metadata';
import { calicoRules, globalPolicySpec, NAMESPACED_INGRESS } from './rules';

export interface ProtectingPolicyProps {
  readonly policy: PolicyPlan;
  /** The constructs of the cluster's Calico minor. */
  readonly kinds: CalicoKinds;
}

export class ProtectingPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: ProtectingPolicyProps) {
    super(scope, id);
    const p = props.policy;
    if (p.kind === 'GlobalNetworkPolicy') {
      new props.kinds.GlobalNetworkPolicy(this, 'Resource', {
        metadata: objectMetadata({ name: p.name, stage: 'policies' }),
        spec: globalPolicySpec(p, p.ingress, p.egress),
      });
    } else {
      if (p.namespace === undefined) throw new Error(`NetworkPolicy ${p.name} needs a namespace`);
      if (p.egress.length > 0) throw new Error(`NetworkPolicy ${p.name}: egress rules are not planned for namespaced policies`);
      new props.kinds.NetworkPolicy(this, 'Resource', {
        metadata: objectMetadata({ name: p.name, namespace: p.namespace, stage: 'policies' }),
        spec: {
          selector: printSelector(p.selector),
          order: p.order,
          types: [NetworkPolicySpecTypes.INGRESS],
          ingress: calicoRules(NAMESPACED_INGRESS, p.ingress),
        },
      });
    }
  }
}
