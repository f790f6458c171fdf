/**
 * The shared rule builder of lib/charts/rules.ts, read back through the generated layer's own
 * toJson: actions, protocol names and numbers, ports and ranges, and sides left out when the
 * plan sets nothing on them.
 */
import { toJson_GlobalNetworkPolicySpec } from '../../imports/globalnetworkpolicy-projectcalico.org';
import { toJson_NetworkPolicySpecIngress } from '../../imports/networkpolicy-projectcalico.org';
import { sel } from '../../lib/calico/selector';
import { calicoRules, globalPolicySpec, NAMESPACED_INGRESS, type RuleInput } from '../../lib/charts/rules';

const rule = (r: Partial<RuleInput>): RuleInput => ({ action: 'Allow', protocol: 'TCP', source: {}, destination: {}, destinationPorts: [], ...r });

describe('calicoRules', () => {
  it.each<[string, RuleInput, Record<string, unknown>]>([
    ['can leave out empty sides', rule({}), { action: 'Allow', protocol: 'TCP' }],
    ['can deny', rule({ action: 'Deny', destinationPorts: [9091] }), { action: 'Deny', protocol: 'TCP', destination: { ports: [9091] } }],
    ['can write a protocol number', rule({ protocol: 4 }), { action: 'Allow', protocol: 4 }],
    ['can write port ranges', rule({ protocol: 'UDP', destinationPorts: [53, '30000:32767'] }), { action: 'Allow', protocol: 'UDP', destination: { ports: [53, '30000:32767'] } }],
    [
      'can write every entity field',
      rule({ source: { notSelector: sel.has('a'), namespaceSelector: sel.global() }, destination: { selector: sel.all(), nets: ['127.0.0.0/8'] }, destinationPorts: [1] }),
      { action: 'Allow', protocol: 'TCP', source: { notSelector: 'has(a)', namespaceSelector: 'global()' }, destination: { selector: 'all()', nets: ['127.0.0.0/8'], ports: [1] } },
    ],
  ])('%s', (_, input, expected) => {
    expect(calicoRules(NAMESPACED_INGRESS, [input]).map(toJson_NetworkPolicySpecIngress)).toEqual([expected]);
  });
});

describe('globalPolicySpec', () => {
  it('can list only the directions that have rules', () => {
    const spec = (ingress: RuleInput[], egress: RuleInput[]) => toJson_GlobalNetworkPolicySpec(globalPolicySpec({ selector: sel.all(), order: 500 }, ingress, egress));
    expect(spec([rule({})], [])).toEqual({ selector: 'all()', order: 500, types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP' }] });
    expect(spec([], [rule({})])).toEqual({ selector: 'all()', order: 500, types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP' }] });
  });
});
