/**
 * One protected server's policy, as "Securing Calico's own communications" writes it:
 * a GlobalNetworkPolicy (or a NetworkPolicy for namespaced servers) at order 500 with
 * ingress rules on the server's port.
 */
import { Construct } from 'constructs';
import {
  GlobalNetworkPolicy,
  GlobalNetworkPolicySpecIngress,
  GlobalNetworkPolicySpecIngressAction,
  GlobalNetworkPolicySpecIngressDestinationPorts,
  GlobalNetworkPolicySpecIngressProtocol,
  GlobalNetworkPolicySpecTypes,
} from '../../imports/globalnetworkpolicy-projectcalico.org';
import {
  NetworkPolicy,
  NetworkPolicySpecIngress,
  NetworkPolicySpecIngressAction,
  NetworkPolicySpecIngressDestinationPorts,
  NetworkPolicySpecIngressProtocol,
  NetworkPolicySpecTypes,
} from '../../imports/networkpolicy-projectcalico.org';
import { printSelector } from '../calico/selector';
import { PolicyPlan, RulePlan } from '../plan/plan';
import { objectMetadata } from './metadata';

export interface ProtectingPolicyProps {
  readonly policy: PolicyPlan;
}

export class ProtectingPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: ProtectingPolicyProps) {
    super(scope, id);
    const p = props.policy;
    if (p.kind === 'GlobalNetworkPolicy') {
      new GlobalNetworkPolicy(this, 'Resource', {
        metadata: objectMetadata({ name: p.name, stage: 'policies' }),
        spec: {
          selector: printSelector(p.selector),
          order: p.order,
          types: [GlobalNetworkPolicySpecTypes.INGRESS],
          ingress: p.ingress.map(globalRule),
        },
      });
    } else {
      if (p.namespace === undefined) throw new Error(`NetworkPolicy ${p.name} needs a namespace`);
      new NetworkPolicy(this, 'Resource', {
        metadata: objectMetadata({ name: p.name, namespace: p.namespace, stage: 'policies' }),
        spec: {
          selector: printSelector(p.selector),
          order: p.order,
          types: [NetworkPolicySpecTypes.INGRESS],
          ingress: p.ingress.map(namespacedRule),
        },
      });
    }
  }
}

function source(rule: RulePlan): { selector?: string; notSelector?: string; namespaceSelector?: string } | undefined {
  const s = rule.source;
  const out = {
    ...(s.selector ? { selector: printSelector(s.selector) } : {}),
    ...(s.notSelector ? { notSelector: printSelector(s.notSelector) } : {}),
    ...(s.namespaceSelector ? { namespaceSelector: printSelector(s.namespaceSelector) } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

function globalRule(rule: RulePlan): GlobalNetworkPolicySpecIngress {
  const src = source(rule);
  return {
    action: rule.action === 'Allow' ? GlobalNetworkPolicySpecIngressAction.ALLOW : GlobalNetworkPolicySpecIngressAction.DENY,
    protocol: GlobalNetworkPolicySpecIngressProtocol.fromString(rule.protocol),
    ...(src ? { source: src } : {}),
    destination: { ports: rule.destinationPorts.map((p) => GlobalNetworkPolicySpecIngressDestinationPorts.fromNumber(p)) },
  };
}

function namespacedRule(rule: RulePlan): NetworkPolicySpecIngress {
  const src = source(rule);
  return {
    action: rule.action === 'Allow' ? NetworkPolicySpecIngressAction.ALLOW : NetworkPolicySpecIngressAction.DENY,
    protocol: NetworkPolicySpecIngressProtocol.fromString(rule.protocol),
    ...(src ? { source: src } : {}),
    destination: { ports: rule.destinationPorts.map((p) => NetworkPolicySpecIngressDestinationPorts.fromNumber(p)) },
  };
}
