/**
 * Each object is written by the construct generated from its own Calico minor's CRD
 * (lib/charts/kinds.ts, and the FelixConfiguration and KubeControllersConfiguration charts).
 */
import { ApiObject } from 'cdk8s';
import { FelixConfiguration as FelixConfigurationV330 } from '../../imports/calico-v3-30-felixconfiguration-projectcalico.org';
import { GlobalNetworkPolicy as GlobalNetworkPolicyV330, GlobalNetworkPolicyProps as GlobalNetworkPolicyPropsV330 } from '../../imports/calico-v3-30-globalnetworkpolicy-projectcalico.org';
import { GlobalNetworkSetProps as GlobalNetworkSetPropsV330 } from '../../imports/calico-v3-30-globalnetworkset-projectcalico.org';
import { HostEndpoint as HostEndpointV330, HostEndpointProps as HostEndpointPropsV330 } from '../../imports/calico-v3-30-hostendpoint-projectcalico.org';
import { NetworkPolicyProps as NetworkPolicyPropsV330 } from '../../imports/calico-v3-30-networkpolicy-projectcalico.org';
import { FelixConfiguration as FelixConfigurationV331 } from '../../imports/calico-v3-31-felixconfiguration-projectcalico.org';
import { GlobalNetworkPolicy as GlobalNetworkPolicyV331, GlobalNetworkPolicyProps as GlobalNetworkPolicyPropsV331 } from '../../imports/calico-v3-31-globalnetworkpolicy-projectcalico.org';
import { GlobalNetworkSetProps as GlobalNetworkSetPropsV331 } from '../../imports/calico-v3-31-globalnetworkset-projectcalico.org';
import { HostEndpoint as HostEndpointV331, HostEndpointProps as HostEndpointPropsV331 } from '../../imports/calico-v3-31-hostendpoint-projectcalico.org';
import { NetworkPolicyProps as NetworkPolicyPropsV331 } from '../../imports/calico-v3-31-networkpolicy-projectcalico.org';
import { FelixConfiguration } from '../../imports/felixconfiguration-projectcalico.org';
import { GlobalNetworkPolicy, GlobalNetworkPolicyProps } from '../../imports/globalnetworkpolicy-projectcalico.org';
import { GlobalNetworkSetProps } from '../../imports/globalnetworkset-projectcalico.org';
import { HostEndpoint, HostEndpointProps } from '../../imports/hostendpoint-projectcalico.org';
import { NetworkPolicyProps } from '../../imports/networkpolicy-projectcalico.org';
import { type CalicoMinor } from '../../lib/calico/versions';
import { buildCharts } from '../../lib/charts/charts';
import { planCluster } from '../../lib/plan/plan';
import { parseClusterSpec } from '../../lib/spec/parse';
import { readSpec } from '../support/paths';

// The charts type their props by v3.32's constructs; each older construct must take them as
// they are. These compile only while v3.32's props are assignable to v3.31's and v3.30's.
const toV331 = {
  hostEndpoint: (p: HostEndpointProps): HostEndpointPropsV331 => p,
  globalNetworkPolicy: (p: GlobalNetworkPolicyProps): GlobalNetworkPolicyPropsV331 => p,
  networkPolicy: (p: NetworkPolicyProps): NetworkPolicyPropsV331 => p,
  globalNetworkSet: (p: GlobalNetworkSetProps): GlobalNetworkSetPropsV331 => p,
};
const toV330 = {
  hostEndpoint: (p: HostEndpointProps): HostEndpointPropsV330 => p,
  globalNetworkPolicy: (p: GlobalNetworkPolicyProps): GlobalNetworkPolicyPropsV330 => p,
  networkPolicy: (p: NetworkPolicyProps): NetworkPolicyPropsV330 => p,
  globalNetworkSet: (p: GlobalNetworkSetProps): GlobalNetworkSetPropsV330 => p,
};

/** clusters/etcd-v3-30.yaml (host endpoints, both policy kinds, network sets, FelixConfiguration) for `minor`. */
function chartsFor(minor: CalicoMinor): ApiObject[] {
  const text = readSpec('clusters/etcd-v3-30.yaml').replace('calicoVersion: v3.30', `calicoVersion: ${minor}`);
  const { spec } = parseClusterSpec('clusters/etcd-v3-30.yaml', 'etcd-v3-30', Buffer.from(text));
  if (!spec) throw new Error('etcd-v3-30 does not parse');
  return buildCharts(planCluster(spec)).flatMap((c) => c.node.findAll().filter((n): n is ApiObject => n instanceof ApiObject));
}

describe('the constructs of each Calico minor', () => {
  it('take the props the charts build, typed by v3.32, unchanged', () => {
    const hep: HostEndpointProps = { metadata: { name: 'n.eth0' }, spec: { node: 'n', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] } };
    expect(toV331.hostEndpoint(hep)).toBe(hep);
    expect(toV330.hostEndpoint(hep)).toBe(hep);
    for (const convert of [toV331, toV330]) {
      expect(Object.keys(convert).sort()).toEqual(['globalNetworkPolicy', 'globalNetworkSet', 'hostEndpoint', 'networkPolicy']);
    }
  });

  it.each([
    ['v3.30', HostEndpointV330, GlobalNetworkPolicyV330, FelixConfigurationV330],
    ['v3.31', HostEndpointV331, GlobalNetworkPolicyV331, FelixConfigurationV331],
    ['v3.32', HostEndpoint, GlobalNetworkPolicy, FelixConfiguration],
  ] as const)('write a cluster on Calico %s, one construct class per kind', (minor, hepClass, gnpClass, felixClass) => {
    const objects = chartsFor(minor);
    const of = (kind: string) => objects.filter((o) => o.kind === kind);
    expect(of('HostEndpoint').length).toBeGreaterThan(0);
    // By constructor: cdk8s's ApiObject answers instanceof for any API object (Symbol.hasInstance).
    expect(of('HostEndpoint').every((o) => o.constructor === hepClass)).toBe(true);
    expect(of('GlobalNetworkPolicy').length).toBeGreaterThan(0);
    expect(of('GlobalNetworkPolicy').every((o) => o.constructor === gnpClass)).toBe(true);
    expect(of('FelixConfiguration').map((o) => o.constructor === felixClass)).toEqual([true]);
    // None of another minor's constructs.
    const classes = [HostEndpointV330, HostEndpointV331, HostEndpoint, GlobalNetworkPolicyV330, GlobalNetworkPolicyV331, GlobalNetworkPolicy];
    const others = classes.filter((c) => c !== hepClass && c !== gnpClass);
    expect(objects.filter((o) => others.includes(o.constructor as (typeof others)[number])).length).toBe(0);
  });

  it('render the same objects in every minor for a cluster that uses no field a minor lacks', () => {
    const json = (minor: CalicoMinor) => chartsFor(minor).map((o) => o.toJson() as unknown);
    const v332 = json('v3.32');
    expect(v332.length).toBeGreaterThan(10);
    expect(json('v3.31')).toEqual(v332);
    expect(json('v3.30')).toEqual(v332);
  });
});
