/**
 * Break a chart's output on purpose and check the verify stage notices: every mutation of the
 * compiled objects below opens or cuts a protected port, and verifyCluster must answer with an
 * error that names that port. The control case, the objects as compiled, must give none.
 */
import type { CalicoObject } from '../../lib/calico/object';
import { verifyCluster } from '../../lib/verify/guard-rails';
import { compileOk } from '../support/compile';

interface Rule {
  action: string;
  source?: Record<string, unknown>;
  destination: { ports: number[] };
}

interface Editable {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    order?: number;
    ingress?: Rule[];
    egress?: Rule[];
    failsafeInboundHostPorts?: { protocol: string; port: number }[];
    failsafeOutboundHostPorts?: { protocol: string; port: number }[];
    nets?: string[];
  };
}

type Mutation = (objects: readonly CalicoObject[]) => CalicoObject[];

/** A copy of the objects with one object changed (it must exist, or the test would prove nothing). */
const edit =
  (kind: string, name: string, change: (o: Editable) => void): Mutation =>
  (objects) => {
    expect(objects.some((o) => o.kind === kind && o.metadata.name === name)).toBe(true);
    return objects.map((o) => {
      if (o.kind !== kind || o.metadata.name !== name) return o;
      const copy = structuredClone(o) as unknown as Editable;
      change(copy);
      return copy as unknown as CalicoObject;
    });
  };

const drop =
  (kind: string, name: string): Mutation =>
  (objects) => {
    expect(objects.some((o) => o.kind === kind && o.metadata.name === name)).toBe(true);
    return objects.filter((o) => o.kind !== kind || o.metadata.name !== name);
  };

const ingress = (o: Editable, i = 0): Rule => {
  const rule = o.spec.ingress?.[i];
  if (!rule) throw new Error(`${o.metadata.name} has no ingress rule ${i}`);
  return rule;
};

const dropLabel = (label: string) => (o: Editable) => {
  expect(o.metadata.labels?.[label]).toBe('true');
  delete o.metadata.labels?.[label];
};

const EXAMPLE = 'clusters/example.yaml';
const ETCD = 'clusters/allow-list-etcd.yaml';
const COMMS = 'test/fixtures/clusters/seed-comms.yaml';

const compiled = new Map([EXAMPLE, ETCD, COMMS].map((f) => [f, compileOk(f)]));
const verify = (file: string, mutation?: Mutation) => {
  const r = compiled.get(file);
  if (!r?.plan) throw new Error(`${file} has no plan`);
  return verifyCluster(r.plan, mutation ? mutation(r.objects) : r.objects);
};

describe('mutated chart output', () => {
  it.each([EXAMPLE, ETCD, COMMS])('can verify %s as compiled without an error', (file) => {
    expect(verify(file).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it.each<[string, string, Mutation, string, string]>([
    ['the notSelector dropped from restrict-calico-node-prometheus', EXAMPLE, edit('GlobalNetworkPolicy', 'restrict-calico-node-prometheus', (o) => delete ingress(o).source), 'client-cut', 'TCP 9091'],
    ['Deny swapped for Allow in restrict-typha-prometheus', EXAMPLE, edit('GlobalNetworkPolicy', 'restrict-typha-prometheus', (o) => (ingress(o).action = 'Allow')), 'exposed-port', 'TCP 9093'],
    ['Allow swapped for Deny in protected-etcd-server', ETCD, edit('GlobalNetworkPolicy', 'protected-etcd-server', (o) => (ingress(o).action = 'Deny')), 'client-cut', 'TCP 2379'],
    ['restrict-calico-node-prometheus moved to port 9092', EXAMPLE, edit('GlobalNetworkPolicy', 'restrict-calico-node-prometheus', (o) => (ingress(o).destination.ports = [9092])), 'exposed-port', 'TCP 9091'],
    ['protected-xyz-server moved to port 2380', COMMS, edit('GlobalNetworkPolicy', 'protected-xyz-server', (o) => (ingress(o).destination.ports = [2380])), 'exposed-port', 'TCP 2379'],
    ['2379 left in the failsafe inbound list', ETCD, edit('FelixConfiguration', 'default', (o) => o.spec.failsafeInboundHostPorts?.push({ protocol: 'TCP', port: 2379 })), 'failsafe-open', 'TCP 2379'],
    ['2379 left in the failsafe outbound list', ETCD, edit('FelixConfiguration', 'default', (o) => o.spec.failsafeOutboundHostPorts?.push({ protocol: 'TCP', port: 2379 })), 'failsafe-open', 'TCP 2379'],
    ['the FelixConfiguration that prunes 2379 dropped', ETCD, drop('FelixConfiguration', 'default'), 'failsafe-open', 'TCP 2379'],
    ['protected-xyz-server dropped from the labels of kubeadm-master.eth0', COMMS, edit('HostEndpoint', 'kubeadm-master.eth0', dropLabel('protected-xyz-server')), 'exposed-port', 'TCP 2379'],
    ['allowed-etcd-client dropped from the labels of kubeadm-node-0.eth0', ETCD, edit('HostEndpoint', 'kubeadm-node-0.eth0', dropLabel('allowed-etcd-client')), 'client-cut', 'TCP 2379'],
    ['running-calico dropped from the labels of kubeadm-master.eth0', EXAMPLE, edit('HostEndpoint', 'kubeadm-master.eth0', dropLabel('running-calico')), 'client-cut', 'TCP 9091'],
    ['the client egress policy of etcd dropped (deviation D11)', ETCD, drop('GlobalNetworkPolicy', 'allowed-etcd-client-egress'), 'client-cut', 'TCP 2379'],
    [
      'the namespaceSelector dropped from the kube-controllers rules (deviation D7)',
      EXAMPLE,
      edit('NetworkPolicy', 'restrict-kube-controllers-prometheus', (o) => o.spec.ingress?.forEach((r) => delete r.source?.namespaceSelector)),
      'client-cut',
      'TCP 9094',
    ],
    ['default-host ordered before the protecting policies', EXAMPLE, edit('GlobalNetworkPolicy', 'default-host', (o) => (o.spec.order = 100)), 'exposed-port', 'TCP 9091'],
    ['calico-prometheus-set widened to 0.0.0.0/0', EXAMPLE, edit('GlobalNetworkSet', 'calico-prometheus-set', (o) => (o.spec.nets = ['0.0.0.0/0'])), 'exposed-port', 'TCP 9091'],
    ['the host endpoint of the etcd node dropped', ETCD, drop('HostEndpoint', 'kubeadm-master.eth0'), 'no-host-endpoint', 'TCP 2379'],
  ])('fails with %s', (_title, file, mutation, code, port) => {
    const errors = verify(file, mutation).findings.filter((f) => f.severity === 'error');
    const hit = errors.find((f) => f.code === code && f.message.includes(port));
    expect({ hit: hit !== undefined, errors: errors.map((f) => `${f.code}: ${f.message}`) }).toMatchObject({ hit: true });
    expect(hit).toMatchObject({ file, field: expect.stringMatching(/^spec\./), line: expect.any(Number), col: expect.any(Number), hint: expect.any(String) });
  });

  it('fails with the deciding policy and an explain query in an exposed-port finding', () => {
    const findings = verify(EXAMPLE, edit('GlobalNetworkPolicy', 'restrict-calico-node-prometheus', (o) => (ingress(o).destination.ports = [9092]))).findings;
    const exposed = findings.filter((f) => f.code === 'exposed-port');
    expect(exposed.map((f) => f.message.match(/from the class "([^"]+)"/)?.[1]).sort()).toEqual(['External address', 'Other host', 'Unlabelled pod']);
    for (const f of exposed) {
      expect(f.message).toContain('is allowed by GlobalNetworkPolicy default-host ingress rule 0 (Allow)');
      expect(f.message).toContain('kubeadm-master');
      expect(f.hint).toMatch(/^GlobalNetworkPolicy restrict-calico-node-prometheus should stop it; see every step with: calico-shield explain --cluster example --spec ".* -> host kubeadm-master\/eth0 ip 10\.100\.0\.15:9091\/TCP"$/);
    }
  });

  it('fails with one failsafe-open finding per list, naming where the list comes from', () => {
    const findings = verify(ETCD, drop('FelixConfiguration', 'default')).findings.filter((f) => f.code === 'failsafe-open');
    expect(findings.map((f) => f.message)).toEqual([
      'TCP 2379 (etcd) is still a failsafe inbound port (Felix defaults): Felix lets every source reach it on 1 node, whatever the policy',
      'TCP 2379 (etcd) is still a failsafe outbound port (Felix defaults): every host-networked process on 2 nodes may connect to it, whatever the policy',
    ]);
  });
});
