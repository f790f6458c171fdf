/**
 * One protected server's policy, as "Securing Calico's own communications" writes it:
 * a GlobalNetworkPolicy (or a NetworkPolicy for namespaced servers) at order 500 with
 * ingress rules on the server's port; or, in the allow-list approach, the egress policy
 * that lets its host-networked clients send to it.
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
import {
  NetworkPolicy,
  NetworkPolicySpecIngress,
  NetworkPolicySpecIngressAction,
  NetworkPolicySpecIngressDestinationPorts,
  NetworkPolicySpecIngressProtocol,
  NetworkPolicySpecTypes,
} from '../../imports/networkpolicy-projectcalico.org';
import { printSelector } from '../calico/selector';
import { EntityPlan, PolicyPlan, RulePlan } from '../plan/plan';
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
          types: [
            ...(p.ingress.length > 0 ? [GlobalNetworkPolicySpecTypes.INGRESS] : []),
            ...(p.egress.length > 0 ? [GlobalNetworkPolicySpecTypes.EGRESS] : []),
          ],
          ...(p.ingress.length > 0 ? { ingress: p.ingress.map(globalRule) } : {}),
          ...(p.egress.length > 0 ? { egress: p.egress.map(globalEgressRule) } : {}),
        },
      });
    } else {
      if (p.namespace === undefined) throw new Error(`NetworkPolicy ${p.name} needs a namespace`);
      if (p.egress.length > 0) throw new Error(`NetworkPolicy ${p.name}: egress rules are not planned for namespaced policies`);
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

function entity(s: EntityPlan): { selector?: string; notSelector?: string; namespaceSelector?: string } | undefined {
  const out = {
    ...(s.selector ? { selector: printSelector(s.selector) } : {}),
    ...(s.notSelector ? { notSelector: printSelector(s.notSelector) } : {}),
    ...(s.namespaceSelector ? { namespaceSelector: printSelector(s.namespaceSelector) } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

function globalEgressRule(rule: RulePlan): GlobalNetworkPolicySpecEgress {
  const src = entity(rule.source);
  return {
    action: rule.action === 'Allow' ? GlobalNetworkPolicySpecEgressAction.ALLOW : GlobalNetworkPolicySpecEgressAction.DENY,
    protocol: GlobalNetworkPolicySpecEgressProtocol.fromString(rule.protocol),
    ...(src ? { source: src } : {}),
    destination: {
      ...entity(rule.destination),
      ports: rule.destinationPorts.map((p) => GlobalNetworkPolicySpecEgressDestinationPorts.fromNumber(p)),
    },
  };
}

function globalRule(rule: RulePlan): GlobalNetworkPolicySpecIngress {
  const src = entity(rule.source);
  return {
    action: rule.action === 'Allow' ? GlobalNetworkPolicySpecIngressAction.ALLOW : GlobalNetworkPolicySpecIngressAction.DENY,
    protocol: GlobalNetworkPolicySpecIngressProtocol.fromString(rule.protocol),
    ...(src ? { source: src } : {}),
    destination: { ...entity(rule.destination), ports: rule.destinationPorts.map((p) => GlobalNetworkPolicySpecIngressDestinationPorts.fromNumber(p)) },
  };
}

function namespacedRule(rule: RulePlan): NetworkPolicySpecIngress {
  const src = entity(rule.source);
  return {
    action: rule.action === 'Allow' ? NetworkPolicySpecIngressAction.ALLOW : NetworkPolicySpecIngressAction.DENY,
    protocol: NetworkPolicySpecIngressProtocol.fromString(rule.protocol),
    ...(src ? { source: src } : {}),
    destination: { ...entity(rule.destination), ports: rule.destinationPorts.map((p) => NetworkPolicySpecIngressDestinationPorts.fromNumber(p)) },
  };
}
