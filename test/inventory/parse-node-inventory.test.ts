import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNodeInventory } from '../../lib/inventory/parse-node-inventory';

/** A problem to find: its message matches, its hint and path are equal (or match an asymmetric matcher). */
interface ExpectedProblem {
  readonly message: RegExp;
  readonly hint?: string;
  readonly path?: string;
}

const FIXTURE = fs.readFileSync(path.join(__dirname, '../fixtures/nodes/kubectl-get-nodes.json'), 'utf8');

/** A kubectl List of the given Node objects. */
const list = (...items: unknown[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });

/** A Node as kubectl prints it, cut to what calico-shield reads. */
const node = (name: unknown, addresses: unknown[] = [], labels: unknown = { 'kubernetes.io/hostname': name }): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  status: { addresses },
});

const internal = (address: unknown): Record<string, unknown> => ({ type: 'InternalIP', address });

describe('parseNodeInventory', () => {
  it('can read kubectl get nodes -o json of a dual-stack cluster', () => {
    const result = parseNodeInventory(FIXTURE);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.nodes.map((n) => [n.name, n.internalIPs, n.externalIPs])).toEqual([
      ['kubeadm-master', ['10.100.0.15', 'fd00:10:100::15'], []],
      ['kubeadm-node-0', ['10.100.0.16', 'fd00:10:100::16'], []],
      ['kubeadm-node-1', ['10.100.0.17', 'fd00:10:100::17'], []],
      ['kubeadm-node-2', ['10.100.0.18', 'fd00:10:100::18'], ['203.0.113.18', '2001:db8:18::1']],
    ]);
    expect(result.nodes[0].labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect(result.nodes[3].labels['topology.kubernetes.io/zone']).toBe('eu-west-1b');
    expect(result.nodes[1].labels).not.toHaveProperty('node-role.kubernetes.io/control-plane');
  });

  it.each<[string, string, readonly string[]]>([
    ['can read a single Node object', JSON.stringify(node('n1', [internal('10.0.0.1')])), ['10.0.0.1']],
    ['can read a NodeList from the API server, whose items have no kind', JSON.stringify({ kind: 'NodeList', items: [{ metadata: { name: 'n1' }, status: { addresses: [internal('10.0.0.1')] } }] }), ['10.0.0.1']],
    ['can skip Hostname and DNS entries', list(node('n1', [{ type: 'Hostname', address: 'n1' }, { type: 'InternalDNS', address: 'n1.internal' }, internal('10.0.0.1')])), ['10.0.0.1']],
    ['can sort IPv4 before IPv6 and drop repeats', list(node('n1', [internal('fd00::1'), internal('10.0.0.9'), internal('10.0.0.10'), internal('10.0.0.9')])), ['10.0.0.9', '10.0.0.10', 'fd00::1']],
    ['can canonicalise IPv6 and IPv4-mapped addresses', list(node('n1', [internal('FD00:0:0:0:0:0:0:1'), internal('::ffff:192.0.2.7')])), ['192.0.2.7', 'fd00::1']],
    ['can read a node without addresses', list(node('n1')), []],
    ['can read a byte-order mark before the JSON', `\uFEFF${list(node('n1', [internal('10.0.0.1')]))}`, ['10.0.0.1']],
  ])('%s', (_, json, internalIPs) => {
    const result = parseNodeInventory(json);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.nodes.map((n) => n.name)).toEqual(['n1']);
    expect(result.nodes[0].internalIPs).toEqual(internalIPs);
  });

  it.each<[string, string, ExpectedProblem]>([
    ['fails on an empty input', '  \n', { message: /is empty/ }],
    ['fails on text that is not JSON', 'NAME STATUS ROLES\nn1 Ready <none>', { message: /is not JSON/ }],
    ['fails on YAML, with a hint to ask for JSON', 'apiVersion: v1\nkind: List\n', { message: /is not JSON/, hint: expect.stringContaining('-o json') }],
    ['fails on a JSON array', '[]', { message: /is an array, not a Kubernetes object/ }],
    ['fails on an object of another kind', JSON.stringify({ kind: 'Pod', metadata: { name: 'p' } }), { message: /of kind "Pod"/, path: 'kind' }],
    ['fails on an object without kind', JSON.stringify({ items: [] }), { message: /has no kind/, path: 'kind' }],
    ['fails on a List without items', JSON.stringify({ kind: 'List' }), { message: /the List has no items/, path: 'items' }],
    ['fails on a List whose items are not an array', JSON.stringify({ kind: 'List', items: {} }), { message: /an object, not an array/, path: 'items' }],
    ['fails on a List without nodes', list(), { message: /lists no nodes/, path: 'items' }],
    ['fails on a List of Pods', list(node('n1'), { kind: 'Pod', metadata: { name: 'p' } }), { message: /items\[1\] is of kind "Pod"/, path: 'items[1].kind' }],
    ['fails on an item that is not an object', list(node('n1'), 'n2'), { message: /items\[1\] is the string "n2"/, path: 'items[1]' }],
    ['fails on a node without name', list(node('n1'), { kind: 'Node', metadata: {} }), { message: /has no metadata.name/, path: 'items[1].metadata.name' }],
    ['fails on a node name that is not a string', list(node(7)), { message: /the number 7, not a string/, path: 'items[0].metadata.name' }],
    ['fails on a node name Kubernetes would refuse', list(node('Node_1')), { message: /"Node_1" is not a valid/, path: 'items[0].metadata.name' }],
    ['fails on a node listed twice', list(node('n1'), node('n1')), { message: /"n1" is listed twice \(first at items\[0\]\)/, path: 'items[1].metadata.name' }],
    ['fails on a bad IP, with its path', list(node('n1', [internal('10.0.0.1'), internal('10.0.0.256')])), { message: /"10.0.0.256" is not a valid IP address/, path: 'items[0].status.addresses[1].address' }],
    ['fails on an address with a zone', list(node('n1'), node('n2', [internal('fe80::1%eth0')])), { message: /zone/, hint: 'did you mean "fe80::1"?', path: 'items[1].status.addresses[0].address' }],
    ['fails on an address that is not a string', list(node('n1', [internal(null)])), { message: /InternalIP entry has the address null/, path: 'items[0].status.addresses[0].address' }],
    ['fails on addresses that are not an array', list({ kind: 'Node', metadata: { name: 'n1' }, status: { addresses: 'x' } }), { message: /addresses are the string "x"/, path: 'items[0].status.addresses' }],
    ['fails on an address entry that is not an object', list(node('n1', ['10.0.0.1'])), { message: /address entry is the string/, path: 'items[0].status.addresses[0]' }],
    ['fails on labels that are not an object', list(node('n1', [], ['a'])), { message: /labels are an array/, path: 'items[0].metadata.labels' }],
    ['fails on a label value that is not a string', list(node('n1', [], { zone: 1 })), { message: /label "zone" has the number 1/, path: 'items[0].metadata.labels["zone"]' }],
    ['fails on a single Node with a bad address, with a path without items', JSON.stringify(node('n1', [internal('10.0.0.1/32')])), { message: /is a network/, path: 'status.addresses[0].address' }],
  ])('%s', (_, json, expected) => {
    const result = parseNodeInventory(json);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(expect.objectContaining({ ...expected, message: expect.stringMatching(expected.message) }));
  });

  it('fails with every problem at once', () => {
    const result = parseNodeInventory(list(node('n1', [internal('x')]), node('N2'), node('n3', [internal('10.0.0.01')])));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(['items[0].status.addresses[0].address', 'items[1].metadata.name', 'items[2].status.addresses[0].address']);
  });
});
