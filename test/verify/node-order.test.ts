/**
 * Verdicts do not depend on where a node stands in spec.nodes: the same cluster with its nodes
 * in any order gives the same ACCESS.md and the same findings (issue: a server in pods was
 * placed on the first node and that node was never probed as a client host).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ACCESS_REPORT_FILE } from '../../lib/verify/report';
import { compileText } from '../support/compile';

type Node = { name: string; labels?: Record<string, string>; interfaces: { name: string; expectedIPs: string[] }[] };

const NODES: readonly Node[] = [
  { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' }, interfaces: [{ name: '*', expectedIPs: ['10.0.0.11'] }] },
  { name: 'cp-2', labels: { 'node-role.kubernetes.io/control-plane': '' }, interfaces: [{ name: '*', expectedIPs: ['10.0.0.12'] }] },
  { name: 'n1', interfaces: [{ name: 'eth0', expectedIPs: ['10.0.1.1'] }] },
  { name: 'n2', labels: { zone: 'b' }, interfaces: [{ name: 'eth0', expectedIPs: ['10.0.1.2'] }] },
  { name: 'n3', labels: { zone: 'b' }, interfaces: [{ name: '*', expectedIPs: ['10.0.1.3', 'fd00::3'] }] },
];

function spec(approach: 'deny-list' | 'allow-list', nodes: readonly Node[], nat: string): string {
  return stringify({
    apiVersion: 'calico-shield/v1alpha1',
    kind: 'Cluster',
    spec: {
      approach,
      environment: { install: 'manifests', natOutgoingExclusions: nat },
      nodes,
      metrics: { allowedNets: ['10.9.0.0/24'], calicoNode: {}, kubeControllers: {} },
      protectedServers: [
        { name: 'etcd', port: 2379, runsOn: { nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } }, allowedClients: { nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } } },
        { name: 'vault', port: 8200, runsOn: { workloads: [{ namespace: 'vault', labels: { app: 'vault' } }] }, allowedClients: { nodes: ['n2'], nets: ['10.0.1.0/31'] } },
      ],
    },
  });
}

/** What must not change: the report, and each finding but for where in spec.nodes it points. */
function outcome(text: string): { report: string | undefined; findings: string[] } {
  const r = compileText(text, 'order');
  return {
    report: r.files?.find((f) => f.path === ACCESS_REPORT_FILE)?.content,
    findings: r.findings.map((f) => `${f.severity} ${f.code} ${f.message}`).sort(),
  };
}

describe('the order of spec.nodes', () => {
  it('fails with exposed-port in every order when an allowed net holds another node, even the first (the issue reproducer)', () => {
    const mk = (names: readonly string[]): string =>
      [
        'apiVersion: calico-shield/v1alpha1',
        'kind: Cluster',
        'spec:',
        '  approach: deny-list',
        '  nodes:',
        ...names.map((n) => `    - {name: ${n}, interfaces: [{name: eth0, expectedIPs: [${{ n0: '10.0.0.9', n1: '10.0.0.1', n2: '10.0.0.2' }[n]}]}]}`),
        '  protectedServers:',
        '    - name: vault',
        '      port: 8200',
        '      runsOn: {workloads: [{namespace: vault, labels: {app: vault}}]}',
        '      allowedClients: {nodes: [n2], nets: [10.0.0.0/31]}',
        '',
      ].join('\n');
    for (const names of [['n1', 'n2'], ['n2', 'n1'], ['n0', 'n1', 'n2'], ['n1', 'n0', 'n2']]) {
      const exposed = compileText(mk(names), 'vault').findings.filter((f) => f.code === 'exposed-port');
      expect({ names, messages: exposed.map((f) => f.message.slice(0, 80)) }).toEqual({ names, messages: ["TCP 8200 (vault) is reachable from the class \"Other host\": node n1 (10.0.0.1) → "] });
    }
  });

  it.each([
    ['deny-list', 'IPPoolsAndHostIPs'],
    ['allow-list', 'IPPoolsAndHostIPs'],
    ['deny-list', 'IPPoolsOnly'],
  ] as const)('can give the same ACCESS.md and findings for every order of the nodes (%s, %s)', (approach, nat) => {
    const base = outcome(spec(approach, NODES, nat));
    // The loop must compare something that exists.
    expect(base.findings.length + (base.report?.length ?? 0)).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.shuffledSubarray([...NODES], { minLength: NODES.length }), (order) => {
        expect(outcome(spec(approach, order, nat))).toEqual(base);
      }),
      { numRuns: 12, seed: 12 },
    );
  });
});
