/** Plain-JSON Calico objects for the verify tests, written like the seed documents' YAML. */

import { FAILSAFE_DEFAULTS } from '../../lib/calico/felix';
import type { CalicoObject } from '../../lib/calico/object';
import type { ExternalPeer, HostPeer, WorkloadPeer } from '../../lib/verify/evaluator';
import type { ModelContext } from '../../lib/verify/model';

type Spec = Readonly<Record<string, unknown>>;
type LabelMap = Readonly<Record<string, string>>;
const apiVersion = 'projectcalico.org/v3';

export const context: ModelContext = { failsafeDefaults: FAILSAFE_DEFAULTS['v3.32'] };

export const gnp = (name: string, spec: Spec): CalicoObject => ({ apiVersion, kind: 'GlobalNetworkPolicy', metadata: { name }, spec });

export const np = (namespace: string, name: string, spec: Spec): CalicoObject => ({
  apiVersion,
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});

export const hep = (name: string, labels: LabelMap, spec: Spec): CalicoObject => ({ apiVersion, kind: 'HostEndpoint', metadata: { name, labels }, spec });

export const gns = (name: string, labels: LabelMap, nets: readonly string[]): CalicoObject => ({
  apiVersion,
  kind: 'GlobalNetworkSet',
  metadata: { name, labels },
  spec: { nets },
});

export const felixConfiguration = (name: string, spec: Spec): CalicoObject => ({ apiVersion, kind: 'FelixConfiguration', metadata: { name }, spec });

// The two nodes of "Secure Calico Prometheus endpoints".
export const masterEth0 = hep('kubeadm-master.eth0', { 'running-calico': 'true' }, { node: 'kubeadm-master', interfaceName: 'eth0', expectedIPs: ['10.100.0.15'] });
export const node0Eth0 = hep('kubeadm-node-0.eth0', { 'running-calico': 'true' }, { node: 'kubeadm-node-0', interfaceName: 'eth0', expectedIPs: ['10.100.0.16'] });

export const master: HostPeer = { kind: 'host', node: 'kubeadm-master', interface: 'eth0', ip: '10.100.0.15' };
export const node0: HostPeer = { kind: 'host', node: 'kubeadm-node-0', interface: 'eth0', ip: '10.100.0.16' };

/** `kubectl label pod my-prometheus-pod calico-prometheus-access=true`, on the worker. */
export const prometheusPod: WorkloadPeer = {
  kind: 'workload',
  name: 'my-prometheus-pod',
  namespace: 'monitoring',
  labels: { app: 'prometheus', 'calico-prometheus-access': 'true' },
  ip: '192.168.1.10',
  node: 'kubeadm-node-0',
  hostInterface: 'eth0',
};
export const plainPod: WorkloadPeer = { kind: 'workload', name: 'web', namespace: 'default', labels: { app: 'web' }, ip: '192.168.1.11', node: 'kubeadm-node-0', hostInterface: 'eth0' };
export const kubeControllers: WorkloadPeer = {
  kind: 'workload',
  name: 'calico-kube-controllers-5d8f',
  namespace: 'calico-system',
  labels: { 'k8s-app': 'calico-kube-controllers' },
  ip: '192.168.0.5',
  node: 'kubeadm-master',
  hostInterface: 'eth0',
};
export const managementHost: ExternalPeer = { kind: 'external', name: 'management', ip: '172.15.0.101' };
export const outsider: ExternalPeer = { kind: 'external', ip: '203.0.113.9' };

const restrict = (action: 'Allow' | 'Deny', name: string, port: number): CalicoObject =>
  gnp(name, {
    selector: 'running-calico == "true"',
    order: 500,
    types: ['Ingress'],
    ingress: [
      {
        action,
        protocol: 'TCP',
        source: action === 'Deny' ? { notSelector: 'calico-prometheus-access == "true"' } : { selector: 'calico-prometheus-access == "true"' },
        destination: { ports: [port] },
      },
    ],
  });

const restrictKubeControllers = (action: 'Allow' | 'Deny'): CalicoObject =>
  np('calico-system', 'restrict-kube-controllers-prometheus', {
    selector: 'k8s-app == "calico-kube-controllers"',
    order: 500,
    types: ['Ingress'],
    ingress: [
      {
        action,
        protocol: 'TCP',
        source: action === 'Deny' ? { notSelector: 'calico-prometheus-access == "true"' } : { selector: 'calico-prometheus-access == "true"' },
        destination: { ports: [9094] },
      },
    ],
  });

/** "Using a deny-list approach" (the Typha policy renamed: the document reuses restrict-calico-node-prometheus). */
export const denyList: readonly CalicoObject[] = [
  gnp('default-host', { selector: 'running-calico == "true"', order: 5000, ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }),
  masterEth0,
  node0Eth0,
  restrict('Deny', 'restrict-calico-node-prometheus', 9091),
  restrict('Deny', 'restrict-typha-prometheus', 9093),
  restrictKubeControllers('Deny'),
  gns('calico-prometheus-set', { 'calico-prometheus-access': 'true' }, ['172.15.0.0/24', '172.101.0.0/24']),
];

/** "Using an allow-list approach". */
export const allowList: readonly CalicoObject[] = [
  masterEth0,
  node0Eth0,
  restrict('Allow', 'restrict-calico-node-prometheus', 9091),
  restrict('Allow', 'restrict-typha-prometheus', 9093),
  restrictKubeControllers('Allow'),
  gns('calico-prometheus-set', { 'calico-prometheus-access': 'true' }, ['172.15.0.101/32']),
];
