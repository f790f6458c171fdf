/**
 * Calico rules out of the plan, for every policy calico-shield writes. The generated
 * constructs give each rule list (GlobalNetworkPolicy ingress and egress, NetworkPolicy
 * ingress) its own enum and classes of the same shape, so a rule is built once and the list's
 * generated types are passed in.
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy#rule
 */
import {
  GlobalNetworkPolicySpec,
  GlobalNetworkPolicySpecEgressAction,
  GlobalNetworkPolicySpecEgressDestinationPorts,
  GlobalNetworkPolicySpecEgressProtocol,
  GlobalNetworkPolicySpecIngressAction,
  GlobalNetworkPolicySpecIngressDestinationPorts,
  GlobalNetworkPolicySpecIngressProtocol,
  GlobalNetworkPolicySpecTypes,
} from '../../imports/globalnetworkpolicy-projectcalico.org';
import {
  NetworkPolicySpecIngressAction,
  NetworkPolicySpecIngressDestinationPorts,
  NetworkPolicySpecIngressProtocol,
} from '../../imports/networkpolicy-projectcalico.org';
import { printSelector, type Selector } from '../calico/selector';

/** A rule's source or destination; every field optional, as in EntityPlan and HostRuleEntity. */
export interface RuleEntity {
  readonly selector?: Selector;
  readonly notSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly nets?: readonly string[];
}

/** A rule in Calico's words, whichever plan it comes from (a RulePlan is one as it is). */
export interface RuleInput {
  readonly action: 'Allow' | 'Deny';
  /** A protocol name, or an IP protocol number. */
  readonly protocol: string | number;
  readonly source: RuleEntity;
  readonly destination: RuleEntity;
  /** Destination ports: a number or Calico's `"first:last"` range; empty for any port. */
  readonly destinationPorts: readonly (number | string)[];
}

/** What the generated layer gives one rule list: its action enum and its value classes. */
interface RuleTypes<Action, Protocol, Port> {
  readonly action: { readonly ALLOW: Action; readonly DENY: Action };
  readonly protocol: { fromNumber(value: number): Protocol; fromString(value: string): Protocol };
  readonly port: { fromNumber(value: number): Port; fromString(value: string): Port };
}

export const GLOBAL_INGRESS = {
  action: GlobalNetworkPolicySpecIngressAction,
  protocol: GlobalNetworkPolicySpecIngressProtocol,
  port: GlobalNetworkPolicySpecIngressDestinationPorts,
};
export const GLOBAL_EGRESS = {
  action: GlobalNetworkPolicySpecEgressAction,
  protocol: GlobalNetworkPolicySpecEgressProtocol,
  port: GlobalNetworkPolicySpecEgressDestinationPorts,
};
export const NAMESPACED_INGRESS = {
  action: NetworkPolicySpecIngressAction,
  protocol: NetworkPolicySpecIngressProtocol,
  port: NetworkPolicySpecIngressDestinationPorts,
};

interface Entity {
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  nets?: string[];
}

/** Only the fields the plan sets; undefined when it sets none, so the rule leaves the side out. */
function entity(e: RuleEntity): Entity | undefined {
  const out: Entity = {
    ...(e.selector ? { selector: printSelector(e.selector) } : {}),
    ...(e.notSelector ? { notSelector: printSelector(e.notSelector) } : {}),
    ...(e.namespaceSelector ? { namespaceSelector: printSelector(e.namespaceSelector) } : {}),
    ...(e.nets ? { nets: [...e.nets] } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The rules of one list, typed as that list's generated rule type. */
export function calicoRules<Action, Protocol, Port>(types: RuleTypes<Action, Protocol, Port>, rules: readonly RuleInput[]) {
  const value = <T>(f: { fromNumber(value: number): T; fromString(value: string): T }, v: number | string): T =>
    typeof v === 'number' ? f.fromNumber(v) : f.fromString(v);
  return rules.map((rule) => {
    const source = entity(rule.source);
    const destination = entity(rule.destination);
    const ports = rule.destinationPorts.map((p) => value(types.port, p));
    return {
      action: rule.action === 'Allow' ? types.action.ALLOW : types.action.DENY,
      protocol: value(types.protocol, rule.protocol),
      ...(source ? { source } : {}),
      ...(destination || ports.length > 0 ? { destination: { ...destination, ...(ports.length > 0 ? { ports } : {}) } } : {}),
    };
  });
}

/** A GlobalNetworkPolicy's spec: its types are the directions it has rules for. */
export function globalPolicySpec(
  policy: { readonly selector: Selector; readonly order: number },
  ingress: readonly RuleInput[],
  egress: readonly RuleInput[],
): GlobalNetworkPolicySpec {
  return {
    selector: printSelector(policy.selector),
    order: policy.order,
    types: [
      ...(ingress.length > 0 ? [GlobalNetworkPolicySpecTypes.INGRESS] : []),
      ...(egress.length > 0 ? [GlobalNetworkPolicySpecTypes.EGRESS] : []),
    ],
    ...(ingress.length > 0 ? { ingress: calicoRules(GLOBAL_INGRESS, ingress) } : {}),
    ...(egress.length > 0 ? { egress: calicoRules(GLOBAL_EGRESS, egress) } : {}),
  };
}
