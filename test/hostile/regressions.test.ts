/**
 * Inputs the fuzzers (test/fuzz) once failed on, kept as fixed cases: each must satisfy the
 * same invariants as a fuzzed case (no throw; rejected with positioned findings and no files,
 * or compiled to objects that pass the CRD schema and calico-shield's rules).
 * Each guards its fix with the exact input the fuzzer found; test/hostile/<topic>.test.ts pins
 * the behaviour with focused cases.
 */
import { checkCase, newTally } from '../fuzz/harness';
import { calicoCrds, clusterInput } from '../fuzz/invariants';

const HEAD = 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\n';

/** Name, cluster name and spec text (or bytes) of each case, as the fuzzer found it (shrunk). */
const CASES: readonly (readonly [string, string, string | Uint8Array])[] = [
  [
    // name-collisions: cdk8s threw "There is already a Construct with name 'y7g.all-interfaces'".
    'interface "*" next to interface "all-interfaces"',
    'random',
    `${HEAD}spec:\n  approach: deny-list\n  nodes:\n    - name: y7g\n      interfaces:\n        - name: "*"\n        - name: all-interfaces\n`,
  ],
  [
    // positions: columns 55-58 reported on the 34-character line 11.
    'mutated example: a rejected multi-line scalar shifts later positions',
    'allow-list-etcd',
    '    typha: {}\nkind: Cluster\nmetadata:\n  name: allow-list-etcd\naccessLabel:\n  approach: allow-list\n  metrics:\n    allowedNets:\n      - 172.15.0.101/32\n    calicoNode: {}\napiVersion: calico-shield/v1alpha1\n    kubeControllers: {}\n  protectedServers: []\n',
  ],
  [
    // positions: a tab and a swapped line in the "failsafe" seed.
    'mutated seed: flow collections after a rejected line',
    'failsafe',
    '      - {protocol: TCP, port: 6443, net: 10.0.0.0/8}\nkind: Cluster\nspec:\n  approach: allow-list\n  nodes:\n    - name: n1\n      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]\n    - name: n2\n      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]\n  failsafe:\n    inbound:\n      - {protocol: TCP, port: 22}\nap>iVersion: calico-shield/v1alpha1\n    outbound:\n      - {protocol: UDP, port: 53}\n  protectedServers:\n    - name: api\n      port: 6443\n      runsOn: {nodes: [n1]}\n      allowedClients: {nodes: [n2]}',
  ],
  [
    // positions: column 74 on a 34-character line, after a scalar holding U+2028 (seed 2143875968).
    'mutated example: a line separator (U+2028) inside a rejected scalar',
    'allow-list-etcd',
    '          expectedIPs:\nkind: Cluster\nmetadata:\n  name: allow-list-etcd\nspec:\n  approach: allow-list\n  nodes:\n    - name: kubeadm-master\n      interfaces:\n        - name: eth0\napiVersion: calico-shield/v1alpha1\n            - 10.100.0.15\n    - name: kubeadm-node-0\n           \u2028aa:\n        - name: eth0\n          expectedIPs:\n            - 10.100.0.16\n',
  ],
  [
    // positions: not-utf8 at column 3 of a line that holds one byte (seed 2143461619).
    'a byte that is not UTF-8 on the line after a three-byte character',
    'raw',
    Uint8Array.from([
      ...Buffer.from('apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: deny-list\n'),
      ...[0xe1, 0x80, 0x80, 0x0a, 0x80],
    ]),
  ],
  [
    // long-values: a 10,034-character unknown-node message.
    'a 10 kB node reference',
    'random',
    `${HEAD}spec:\n  approach: deny-list\n  protectedServers:\n    - name: s\n      port: 1\n      runsOn:\n        nodes: [${'a'.repeat(10_000)}]\n`,
  ],
  [
    // long-values: a 10,256-character unknown-field message.
    'a 10 kB key',
    'example',
    `${HEAD}metadata:\n  name: example\nspec:\n  ? ${'a'.repeat(10_240)}\n  : calico-shield/v1alpha1\n  approach: deny-list\n`,
  ],
];

beforeAll(() => {
  calicoCrds();
});

describe('regressions found by the fuzzers', () => {
  it.each(CASES)('%s', (_name, cluster, text) => {
    checkCase(newTally(), clusterInput(cluster, text));
  });
});
