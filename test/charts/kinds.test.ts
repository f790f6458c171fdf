/**
 * Each object is written by the construct generated from its own Calico minor's CRD
 * (lib/charts/kinds.ts, and the FelixConfiguration and KubeControllersConfiguration charts).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { FelixConfiguration as FelixConfigurationV330 } from '../../imports/calico-v3-30-felixconfiguration-projectcalico.org';
import { GlobalNetworkPolicy as GlobalNetworkPolicyV330, GlobalNetworkPolicyProps as GlobalNetworkPolicyPropsV330 } from '../../imports/calico-v3-30-globalnetworkpolicy-projectcalico.org';
import { GlobalNetworkSet as GlobalNetworkSetV330, GlobalNetworkSetProps as GlobalNetworkSetPropsV330 } from '../../imports/calico-v3-30-globalnetworkset-projectcalico.org';
import { HostEndpoint as HostEndpointV330, HostEndpointProps as HostEndpointPropsV330 } from '../../imports/calico-v3-30-hostendpoint-projectcalico.org';
import { KubeControllersConfiguration as KubeControllersConfigurationV330 } from '../../imports/calico-v3-30-kubecontrollersconfiguration-projectcalico.org';
import { NetworkPolicy as NetworkPolicyV330, NetworkPolicyProps as NetworkPolicyPropsV330 } from '../../imports/calico-v3-30-networkpolicy-projectcalico.org';
import { FelixConfiguration as FelixConfigurationV331 } from '../../imports/calico-v3-31-felixconfiguration-projectcalico.org';
import { GlobalNetworkPolicy as GlobalNetworkPolicyV331, GlobalNetworkPolicyProps as GlobalNetworkPolicyPropsV331 } from '../../imports/calico-v3-31-globalnetworkpolicy-projectcalico.org';
import { GlobalNetworkSet as GlobalNetworkSetV331, GlobalNetworkSetProps as GlobalNetworkSetPropsV331 } from '../../imports/calico-v3-31-globalnetworkset-projectcalico.org';
import { HostEndpoint as HostEndpointV331, HostEndpointProps as HostEndpointPropsV331 } from '../../imports/calico-v3-31-hostendpoint-projectcalico.org';
import { KubeControllersConfiguration as KubeControllersConfigurationV331 } from '../../imports/calico-v3-31-kubecontrollersconfiguration-projectcalico.org';
import { NetworkPolicy as NetworkPolicyV331, NetworkPolicyProps as NetworkPolicyPropsV331 } from '../../imports/calico-v3-31-networkpolicy-projectcalico.org';
import { FelixConfiguration } from '../../imports/felixconfiguration-projectcalico.org';
import {
  GlobalNetworkPolicy,
  GlobalNetworkPolicyProps,
  GlobalNetworkPolicySpecEgressAction,
  GlobalNetworkPolicySpecEgressProtocol,
  GlobalNetworkPolicySpecIngressAction,
  GlobalNetworkPolicySpecIngressDestinationPorts,
  GlobalNetworkPolicySpecIngressProtocol,
  GlobalNetworkPolicySpecTypes,
} from '../../imports/globalnetworkpolicy-projectcalico.org';
import { GlobalNetworkSet, GlobalNetworkSetProps } from '../../imports/globalnetworkset-projectcalico.org';
import { HostEndpoint, HostEndpointProps } from '../../imports/hostendpoint-projectcalico.org';
import { KubeControllersConfiguration } from '../../imports/kubecontrollersconfiguration-projectcalico.org';
import {
  NetworkPolicy,
  NetworkPolicyProps,
  NetworkPolicySpecIngressAction,
  NetworkPolicySpecIngressDestinationPorts,
  NetworkPolicySpecIngressProtocol,
  NetworkPolicySpecTypes,
} from '../../imports/networkpolicy-projectcalico.org';
import { CALICO_MINORS, type CalicoMinor } from '../../lib/calico/versions';
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

/** clusters/etcd-v3-30.yaml (host endpoints, both policy kinds, network sets, FelixConfiguration) for `minor`; `auto`: in hostEndpoints mode auto. */
function chartsFor(minor: CalicoMinor, auto = false): ApiObject[] {
  const base = readSpec('clusters/etcd-v3-30.yaml').replace('calicoVersion: v3.30', `calicoVersion: ${minor}`);
  const text = auto ? base.replace('  nodes:\n', '  hostEndpoints: {mode: auto}\n  nodes:\n').replace(/\{name: eth0, /g, '{name: "*", ') : base;
  const { spec } = parseClusterSpec('clusters/etcd-v3-30.yaml', 'etcd-v3-30', Buffer.from(text));
  if (!spec) throw new Error('etcd-v3-30 does not parse');
  return buildCharts(planCluster(spec)).flatMap((c) => c.node.findAll().filter((n): n is ApiObject => n instanceof ApiObject));
}

describe('the constructs of each Calico minor', () => {
  // Props typed by v3.32's constructs, rendered by each minor's: the same objects.
  it.each(['v3.30', 'v3.31'] as const)('of Calico %s render props typed by v3.32 as v3.32 does', (minor) => {
    const convert = minor === 'v3.30' ? toV330 : toV331;
    const classes = minor === 'v3.30'
      ? { hep: HostEndpointV330, gnp: GlobalNetworkPolicyV330, np: NetworkPolicyV330, gns: GlobalNetworkSetV330 }
      : { hep: HostEndpointV331, gnp: GlobalNetworkPolicyV331, np: NetworkPolicyV331, gns: GlobalNetworkSetV331 };
    const chart = (): Chart => new Chart(new App(), 'c');
    const hep: HostEndpointProps = { metadata: { name: 'n.eth0', labels: { a: 'b' } }, spec: { node: 'n', interfaceName: 'eth0', expectedIPs: ['10.0.0.1', 'fd00::1'] } };
    const gnp: GlobalNetworkPolicyProps = {
      metadata: { name: 'p' },
      spec: {
        selector: "a == 'b'",
        order: 500,
        types: [GlobalNetworkPolicySpecTypes.INGRESS, GlobalNetworkPolicySpecTypes.EGRESS],
        ingress: [{ action: GlobalNetworkPolicySpecIngressAction.ALLOW, protocol: GlobalNetworkPolicySpecIngressProtocol.fromString('TCP'), source: { selector: "c == 'd'", nets: ['10.0.0.0/8'] }, destination: { ports: [GlobalNetworkPolicySpecIngressDestinationPorts.fromNumber(2379)] } }],
        egress: [{ action: GlobalNetworkPolicySpecEgressAction.DENY, protocol: GlobalNetworkPolicySpecEgressProtocol.fromNumber(4), destination: { notNets: ['192.0.2.0/24'] } }],
        applyOnForward: true,
      },
    };
    const np: NetworkPolicyProps = { metadata: { name: 'p', namespace: 'kube-system' }, spec: { selector: "k8s-app == 'x'", order: 10, types: [NetworkPolicySpecTypes.INGRESS], ingress: [{ action: NetworkPolicySpecIngressAction.ALLOW, protocol: NetworkPolicySpecIngressProtocol.fromString('TCP'), destination: { ports: [NetworkPolicySpecIngressDestinationPorts.fromNumber(9094)] } }] } };
    const gns: GlobalNetworkSetProps = { metadata: { name: 's', labels: { a: 'b' } }, spec: { nets: ['10.0.0.0/8'] } };
    expect(new classes.hep(chart(), 'o', convert.hostEndpoint(hep)).toJson()).toEqual(new HostEndpoint(chart(), 'o', hep).toJson());
    expect(new classes.gnp(chart(), 'o', convert.globalNetworkPolicy(gnp)).toJson()).toEqual(new GlobalNetworkPolicy(chart(), 'o', gnp).toJson());
    expect(new classes.np(chart(), 'o', convert.networkPolicy(np)).toJson()).toEqual(new NetworkPolicy(chart(), 'o', np).toJson());
    expect(new classes.gns(chart(), 'o', convert.globalNetworkSet(gns)).toJson()).toEqual(new GlobalNetworkSet(chart(), 'o', gns).toJson());
  });

  const CLASSES = {
    'v3.30': { HostEndpoint: HostEndpointV330, GlobalNetworkPolicy: GlobalNetworkPolicyV330, NetworkPolicy: NetworkPolicyV330, GlobalNetworkSet: GlobalNetworkSetV330, FelixConfiguration: FelixConfigurationV330, KubeControllersConfiguration: KubeControllersConfigurationV330 },
    'v3.31': { HostEndpoint: HostEndpointV331, GlobalNetworkPolicy: GlobalNetworkPolicyV331, NetworkPolicy: NetworkPolicyV331, GlobalNetworkSet: GlobalNetworkSetV331, FelixConfiguration: FelixConfigurationV331, KubeControllersConfiguration: KubeControllersConfigurationV331 },
    'v3.32': { HostEndpoint, GlobalNetworkPolicy, NetworkPolicy, GlobalNetworkSet, FelixConfiguration, KubeControllersConfiguration },
  } as const;

  it.each(CALICO_MINORS)('write a cluster on Calico %s with its own construct for every kind', (minor) => {
    // Static mode (host endpoints, both policy kinds, network sets, FelixConfiguration), then auto mode (KubeControllersConfiguration).
    const objects = [...chartsFor(minor), ...chartsFor(minor, true)];
    const kinds = Object.keys(CLASSES[minor]) as (keyof (typeof CLASSES)[CalicoMinor])[];
    for (const kind of kinds) {
      const of = objects.filter((o) => o.kind === kind);
      expect([kind, of.length > 0]).toEqual([kind, true]);
      // By constructor: cdk8s's ApiObject answers instanceof for any API object (Symbol.hasInstance).
      expect([kind, of.filter((o) => o.constructor !== CLASSES[minor][kind]).length]).toEqual([kind, 0]);
    }
  });

  it('render the same objects in every minor for a cluster that uses no field a minor lacks', () => {
    const json = (minor: CalicoMinor) => chartsFor(minor).map((o) => o.toJson() as unknown);
    const v332 = json('v3.32');
    expect(v332.length).toBeGreaterThan(10);
    expect(json('v3.31')).toEqual(v332);
    expect(json('v3.30')).toEqual(v332);
  });
});
