import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImportOptions, ImportReport, importNodes } from '../../lib/inventory/import-nodes';
import { InventoryNode, InventoryProblem, parseNodeInventory } from '../../lib/inventory/parse-node-inventory';
import { parseClusterSpec } from '../../lib/spec/parse';
import { ROOT, readSpec } from '../support/paths';

const ETH0: ImportOptions = { interfaceName: 'eth0', includeExternal: false, prune: false };

const node = (name: string, internalIPs: string[], externalIPs: string[] = []): InventoryNode => ({ name, internalIPs, externalIPs, labels: {} });

/** A cluster spec named demo: the header, then `body` (the rest of spec, indented by the caller). */
const spec = (body: string): string => `apiVersion: calico-shield/v1alpha1\nkind: Cluster\nmetadata:\n  name: demo\nspec:\n  approach: deny-list\n${body}`;

/** Imports and checks that calico-shield still reads the result as a valid spec. */
function imported(text: string, nodes: readonly InventoryNode[], options: Partial<ImportOptions> = {}, cluster = 'demo'): { text: string; report: ImportReport } {
  const result = importNodes(text, nodes, { ...ETH0, ...options });
  if (!result.ok) throw new Error(`import failed: ${JSON.stringify(result.problems)}`);
  const parsed = parseClusterSpec(`clusters/${cluster}.yaml`, cluster, new TextEncoder().encode(result.text));
  expect(parsed.findings).toEqual([]);
  return result;
}

function problemsOf(text: string, nodes: readonly InventoryNode[], options: Partial<ImportOptions> = {}): readonly InventoryProblem[] {
  const result = importNodes(text, nodes, { ...ETH0, ...options });
  if (result.ok) throw new Error(`import succeeded:\n${result.text}`);
  return result.problems;
}

/** The nodes a spec file already has, as an inventory: eth0's addresses are the InternalIPs. */
function inventoryOf(file: string): { text: string; cluster: string; nodes: InventoryNode[] } {
  const text = readSpec(file);
  const cluster = path.basename(file, '.yaml');
  const parsed = parseClusterSpec(file, cluster, new TextEncoder().encode(text));
  if (!parsed.spec) throw new Error(JSON.stringify(parsed.findings));
  const nodes = parsed.spec.nodes.map((n) => node(n.name, [...(n.interfaces.find((i) => i.name === 'eth0')?.expectedIPs ?? [])]));
  return { text, cluster, nodes };
}

describe('importNodes: re-import', () => {
  it.each(['clusters/example.yaml', 'clusters/allow-list-etcd.yaml'])('can re-import the nodes %s already has, byte for byte', (file) => {
    const { text, cluster, nodes } = inventoryOf(file);
    expect(nodes.length).toBeGreaterThan(0);
    const result = imported(text, nodes, {}, cluster);
    expect(result.text).toBe(text);
    expect(result.report).toEqual({ added: [], changed: [], gone: [], removed: [], unchanged: nodes.length, kept: [], skipped: [], relabelled: [] });
  });

  it('can import kubectl output into clusters/example.yaml, and then re-import it as a no-op', () => {
    const inventory = parseNodeInventory(fs.readFileSync(path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json'), 'utf8'));
    if (!inventory.ok) throw new Error(JSON.stringify(inventory.problems));
    const original = readSpec('clusters/example.yaml');
    const first = imported(original, inventory.nodes, { includeExternal: true }, 'example');
    expect(first.report.added).toEqual(['kubeadm-node-1', 'kubeadm-node-2']);
    expect(first.report.changed.map((c) => c.name)).toEqual(['kubeadm-master', 'kubeadm-node-0']);
    // Everything before spec.nodes and after it is untouched.
    const head = original.slice(0, original.indexOf('  nodes:'));
    const tail = original.slice(original.indexOf('  metrics:'));
    expect(first.text.startsWith(head)).toBe(true);
    expect(first.text.endsWith(tail)).toBe(true);
    // New nodes come with their role and topology labels (the default --labels), after the name.
    expect(first.text).toContain(
      [
        '    - name: kubeadm-node-2',
        '      labels: {topology.kubernetes.io/region: eu-west-1, topology.kubernetes.io/zone: eu-west-1b}',
        '      interfaces:',
        '        - name: eth0',
        '          expectedIPs: [10.100.0.18, 203.0.113.18, "2001:db8:18::1", "fd00:10:100::18"]',
      ].join('\n'),
    );
    // Nodes the spec had get theirs added, the control plane's role among them.
    expect(first.report.relabelled).toEqual(['kubeadm-master', 'kubeadm-node-0']);
    expect(first.text).toContain('      labels: {node-role.kubernetes.io/control-plane: "", topology.kubernetes.io/region: eu-west-1, topology.kubernetes.io/zone: eu-west-1a}\n');
    const second = imported(first.text, inventory.nodes, { includeExternal: true }, 'example');
    expect(second.text).toBe(first.text);
    expect(second.report).toEqual({ added: [], changed: [], gone: [], removed: [], unchanged: 4, kept: [], skipped: [], relabelled: [] });
  });

  it('can keep only the labels it is told to, and edit a block mapping of labels keeping the user\'s other labels and comments', () => {
    const inventory = parseNodeInventory(fs.readFileSync(path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json'), 'utf8'));
    if (!inventory.ok) throw new Error(JSON.stringify(inventory.problems));
    const spec = [
      'apiVersion: calico-shield/v1alpha1',
      'kind: Cluster',
      'spec:',
      '  approach: deny-list',
      '  nodes:',
      '    - name: kubeadm-master',
      '      labels:',
      '        # rack is kept by hand',
      '        team: platform   # row 4',
      '        topology.kubernetes.io/zone: old-zone',
      '      interfaces: [{name: eth0, expectedIPs: [10.100.0.15, "fd00:10:100::15"]}]',
      '  metrics: {calicoNode: {}}',
      '',
    ].join('\n');
    const master = inventory.nodes.filter((n) => n.name === 'kubeadm-master');
    const zoneOnly = imported(spec, master, { labels: ['topology.kubernetes.io/zone'] }, 'c');
    expect(zoneOnly.report.relabelled).toEqual(['kubeadm-master']);
    // The block keeps its other labels' lines and their comments; the imported label's line is replaced.
    expect(zoneOnly.text).toContain('      labels:\n        # rack is kept by hand\n        team: platform   # row 4\n        topology.kubernetes.io/zone: eu-west-1a\n      interfaces:');
    // The inventory has no zone any more: the line goes; with no label left, labels: {} (not labels: with no value).
    const zoneGone = master.map((n) => ({ ...n, labels: { 'kubernetes.io/hostname': n.name } }));
    const onlyZone = spec.replace('        # rack is kept by hand\n        team: platform   # row 4\n', '');
    expect(imported(onlyZone, zoneGone, { labels: ['topology.kubernetes.io/zone'] }, 'c').text).toContain('      labels: {}\n      interfaces:');
    // A changed label is rewritten in place, also on a last line without a line end.
    const last = 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: deny-list\n  metrics: {calicoNode: {}}\n  nodes:\n    - name: kubeadm-master\n      interfaces: [{name: eth0, expectedIPs: [10.100.0.15, "fd00:10:100::15"]}]\n      labels:\n        team: x\n        topology.kubernetes.io/zone: old';
    expect(imported(last, master, { labels: ['topology.kubernetes.io/zone'] }, 'c').text.endsWith('        team: x\n        topology.kubernetes.io/zone: eu-west-1a')).toBe(true);
    const none = imported(spec, master, { labels: [] }, 'c');
    expect(none.text).toBe(spec);
    expect(none.report.relabelled).toEqual([]);
  });
});

interface Case {
  readonly name: string;
  readonly before: string;
  readonly nodes: readonly InventoryNode[];
  readonly options?: Partial<ImportOptions>;
  readonly after: string;
  readonly report?: Partial<ImportReport>;
}

const COMMENTED = spec(`  nodes:
    # the control plane
    - name: cp-0   # tainted NoSchedule
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.10]
        # storage network, wired by hand
        - name: eth1
          expectedIPs: ["192.0.2.10"]

    # workers
    - name: worker-0
      interfaces:
        - name: eth0
          expectedIPs:
            - 10.0.0.20   # primary
            # the v6 address
            - 'fd00::20'

    - name: worker-1 # retiring
      interfaces:
        - name: eth0
          expectedIPs: [ 10.0.0.21 ]
    # more workers come with the next rack
  metrics:
    calicoNode: {}
# trailing comment
`);

/** spec.nodes with node a only, without a final line break; NODES_A_B adds node b after it. */
const NODE_A = `  nodes:
    - name: a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]`;
const NODES_A_B = `${NODE_A}
    - name: b
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.2]
`;

const cases: Case[] = [
  {
    name: 'can keep every comment and blank line when nothing changes',
    before: COMMENTED,
    nodes: [node('cp-0', ['10.0.0.10']), node('worker-0', ['fd00::20', '10.0.0.20']), node('worker-1', ['10.0.0.21'])],
    after: COMMENTED,
    report: { unchanged: 3, changed: [] },
  },
  {
    name: 'can append new nodes after the last one, separated and styled as the existing ones, before a closing comment',
    before: COMMENTED,
    nodes: [node('cp-0', ['10.0.0.10']), node('worker-0', ['10.0.0.20', 'fd00::20']), node('worker-1', ['10.0.0.21']), node('worker-3', ['10.0.0.23']), node('worker-2', ['10.0.0.22', 'fd00::22'])],
    after: COMMENTED.replace(
      '          expectedIPs: [ 10.0.0.21 ]\n',
      `          expectedIPs: [ 10.0.0.21 ]

    - name: worker-2
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.22, "fd00::22"]

    - name: worker-3
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.23]
`,
    ),
    report: { added: ['worker-2', 'worker-3'], unchanged: 3 },
  },
  {
    name: 'can change only the addresses of the imported interface, keeping spacing and the other interface',
    before: COMMENTED,
    nodes: [node('cp-0', ['fd00::10', '10.0.0.10']), node('worker-0', ['10.0.0.20', 'fd00::20']), node('worker-1', ['10.0.0.31'])],
    after: COMMENTED.replace('expectedIPs: [10.0.0.10]', 'expectedIPs: [10.0.0.10, "fd00::10"]').replace('[ 10.0.0.21 ]', '[ 10.0.0.31 ]'),
    report: {
      changed: [
        { name: 'cp-0', before: ['10.0.0.10'], after: ['10.0.0.10', 'fd00::10'] },
        { name: 'worker-1', before: ['10.0.0.21'], after: ['10.0.0.31'] },
      ],
      unchanged: 1,
    },
  },
  {
    name: 'can change a block list of addresses, keeping the lines and comments of the kept ones, IPv4 first',
    before: COMMENTED,
    nodes: [node('cp-0', ['10.0.0.10']), node('worker-0', ['fd00::20', '10.0.0.2']), node('worker-1', ['10.0.0.21'])],
    after: COMMENTED.replace(
      `            - 10.0.0.20   # primary
            # the v6 address
            - 'fd00::20'`,
      `            - 10.0.0.2
            # the v6 address
            - 'fd00::20'`,
    ),
    report: { changed: [{ name: 'worker-0', before: ['10.0.0.20', 'fd00::20'], after: ['10.0.0.2', 'fd00::20'] }] },
  },
  {
    name: 'can remove gone nodes with prune, with their comments and one blank line',
    before: COMMENTED,
    nodes: [node('cp-0', ['10.0.0.10']), node('worker-1', ['10.0.0.21'])],
    options: { prune: true },
    after: COMMENTED.replace(
      `    # workers
    - name: worker-0
      interfaces:
        - name: eth0
          expectedIPs:
            - 10.0.0.20   # primary
            # the v6 address
            - 'fd00::20'

`,
      '',
    ),
    report: { gone: ['worker-0'], removed: ['worker-0'], unchanged: 2 },
  },
  {
    name: 'can remove the last node with prune and append the new ones in its place',
    before: COMMENTED,
    nodes: [node('cp-0', ['10.0.0.10']), node('worker-0', ['10.0.0.20', 'fd00::20']), node('worker-5', ['10.0.0.25'])],
    options: { prune: true },
    after: COMMENTED.replace(
      `    - name: worker-1 # retiring
      interfaces:
        - name: eth0
          expectedIPs: [ 10.0.0.21 ]
`,
      `    - name: worker-5
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.25]
`,
    ),
    report: { added: ['worker-5'], gone: ['worker-1'], removed: ['worker-1'], unchanged: 2 },
  },
  {
    name: 'can prune every node and put the new ones where the first one was',
    before: COMMENTED,
    nodes: [node('x', ['10.9.9.9'])],
    options: { prune: true },
    after: spec(`  nodes:
    - name: x
      interfaces:
        - name: eth0
          expectedIPs: [10.9.9.9]
    # more workers come with the next rack
  metrics:
    calicoNode: {}
# trailing comment
`),
    report: { added: ['x'], gone: ['cp-0', 'worker-0', 'worker-1'], removed: ['cp-0', 'worker-0', 'worker-1'] },
  },
  {
    name: 'can keep the addresses of a node the inventory lists without any, and report it',
    before: COMMENTED,
    nodes: [node('cp-0', ['10.0.0.10']), node('worker-0', []), node('worker-1', []), node('worker-9', [])],
    after: COMMENTED,
    report: { changed: [], kept: ['worker-0', 'worker-1'], skipped: ['worker-9'], gone: [] },
  },
  {
    name: 'can fill an empty flow list of addresses in flow style, whatever the spec\'s usual style',
    before: spec(`  nodes:
    - name: a
      interfaces:
        - name: eth0
          expectedIPs:
            - 10.0.0.1
    - name: b
      interfaces:
        - name: eth0
          expectedIPs: []
`),
    nodes: [node('a', ['10.0.0.1']), node('b', ['10.0.0.2'])],
    after: spec(`  nodes:
    - name: a
      interfaces:
        - name: eth0
          expectedIPs:
            - 10.0.0.1
    - name: b
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.2]
`),
  },
  {
    name: 'can report gone nodes and keep them without prune',
    before: COMMENTED,
    nodes: [node('cp-0', ['10.0.0.10'])],
    after: COMMENTED,
    report: { gone: ['worker-0', 'worker-1'], removed: [], unchanged: 1 },
  },
  {
    name: 'can add the imported interface to a node that lacks it, after the others',
    before: spec(`  nodes:
    - name: n1
      interfaces:
        - name: eth1 # storage
          expectedIPs: [192.0.2.1]
  metrics: {}
`),
    nodes: [node('n1', ['10.0.0.1'])],
    after: spec(`  nodes:
    - name: n1
      interfaces:
        - name: eth1 # storage
          expectedIPs: [192.0.2.1]
        - name: eth0
          expectedIPs: [10.0.0.1]
  metrics: {}
`),
    report: { changed: [{ name: 'n1', before: [], after: ['10.0.0.1'] }] },
  },
  {
    name: 'can leave addresses the user put on another interface where they are',
    before: spec(`  nodes:
    - name: n1
      interfaces:
        - name: bond0
          expectedIPs: [10.0.0.1]
        - name: eth0
          expectedIPs: [10.0.0.9]
`),
    nodes: [node('n1', ['10.0.0.1', 'fd00::1'])],
    after: spec(`  nodes:
    - name: n1
      interfaces:
        - name: bond0
          expectedIPs: [10.0.0.1]
        - name: eth0
          expectedIPs: ["fd00::1"]
`),
    report: { changed: [{ name: 'n1', before: ['10.0.0.9'], after: ['fd00::1'] }] },
  },
  {
    name: 'can create spec.nodes after approach and calicoNamespace when missing',
    before: spec(`  calicoNamespace: kube-system
  # scraping
  metrics:
    calicoNode: {}
`),
    nodes: [node('b', ['10.0.0.2']), node('a', ['fd00::1', '10.0.0.1'])],
    after: spec(`  calicoNamespace: kube-system
  nodes:
    - name: a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1, "fd00::1"]
    - name: b
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.2]
  # scraping
  metrics:
    calicoNode: {}
`),
    report: { added: ['a', 'b'], unchanged: 0 },
  },
  {
    name: 'can fill an empty nodes list, keeping its comment',
    before: spec(`  nodes: [] # filled by calico-shield nodes import
  metrics: {}
`),
    nodes: [node('a', ['10.0.0.1'])],
    after: spec(`  nodes: # filled by calico-shield nodes import
    - name: a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
  metrics: {}
`),
    report: { added: ['a'] },
  },
  {
    name: 'can follow lists written at their key\'s indentation and block address lists',
    before: spec(`  nodes:
  - name: a
    interfaces:
    - name: eth0
      expectedIPs:
      - 10.0.0.1
  metrics: {}
`),
    nodes: [node('a', ['10.0.0.1']), node('b', ['10.0.0.2', 'fd00::2'])],
    after: spec(`  nodes:
  - name: a
    interfaces:
    - name: eth0
      expectedIPs:
      - 10.0.0.1
  - name: b
    interfaces:
    - name: eth0
      expectedIPs:
      - 10.0.0.2
      - "fd00::2"
  metrics: {}
`),
  },
  {
    name: 'can import ExternalIP addresses with includeExternal',
    before: spec(`  nodes:
    - name: edge
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
`),
    nodes: [node('edge', ['10.0.0.1'], ['203.0.113.1', '2001:db8::1'])],
    options: { includeExternal: true },
    after: spec(`  nodes:
    - name: edge
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1, 203.0.113.1, "2001:db8::1"]
`),
  },
  {
    name: 'can leave ExternalIP addresses out by default',
    before: spec(`  nodes:
    - name: edge
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
`),
    nodes: [node('edge', ['10.0.0.1'], ['203.0.113.1'])],
    after: spec(`  nodes:
    - name: edge
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
`),
    report: { unchanged: 1 },
  },
  {
    name: 'can import into the "*" interface, quoted',
    before: spec(`  nodes:
    - name: a
      interfaces:
        - name: "*"
          expectedIPs: [10.0.0.1]
`),
    nodes: [node('a', ['10.0.0.1', 'fd00::1']), node('b', ['10.0.0.2'])],
    options: { interfaceName: '*' },
    after: spec(`  nodes:
    - name: a
      interfaces:
        - name: "*"
          expectedIPs: [10.0.0.1, "fd00::1"]
    - name: b
      interfaces:
        - name: "*"
          expectedIPs: [10.0.0.2]
`),
  },
  {
    name: 'can add expectedIPs to an interface that has none, and to a flow-style interface',
    before: spec(`  nodes:
    - name: a
      interfaces:
        - name: eth0
    - name: b
      interfaces: [{name: eth0}]
`),
    nodes: [node('a', ['10.0.0.1']), node('b', ['10.0.0.2'])],
    after: spec(`  nodes:
    - name: a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
    - name: b
      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]
`),
  },
  {
    name: 'can append an interface to flow-style lists and items',
    before: spec(`  nodes:
    - name: a
      interfaces: [{name: eth1, expectedIPs: [192.0.2.1]}]
    - name: b
      interfaces:
        - {name: eth1, expectedIPs: [192.0.2.2]}
`),
    nodes: [node('a', ['10.0.0.1']), node('b', ['10.0.0.2'])],
    after: spec(`  nodes:
    - name: a
      interfaces: [{name: eth1, expectedIPs: [192.0.2.1]}, {name: eth0, expectedIPs: [10.0.0.1]}]
    - name: b
      interfaces:
        - {name: eth1, expectedIPs: [192.0.2.2]}
        - {name: eth0, expectedIPs: [10.0.0.2]}
`),
  },
  {
    name: 'can quote node names that YAML would read as numbers or booleans',
    before: spec(`  nodes:
    - name: a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
`),
    nodes: [node('a', ['10.0.0.1']), node('123', ['10.0.0.2']), node('true', ['10.0.0.3']), node('1e5', ['10.0.0.4'])],
    after: spec(`  nodes:
    - name: a
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
    - name: "123"
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.2]
    - name: "1e5"
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.4]
    - name: "true"
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.3]
`),
  },
  {
    name: 'can keep CRLF line ends',
    before: spec(`${NODE_A}\n`).replace(/\n/g, '\r\n'),
    nodes: [node('a', ['10.0.0.1']), node('b', ['10.0.0.2'])],
    after: spec(NODES_A_B).replace(/\n/g, '\r\n'),
  },
  {
    name: 'can append to a spec that does not end with a line break',
    before: spec(NODE_A),
    nodes: [node('a', ['10.0.0.1']), node('b', ['10.0.0.2'])],
    after: spec(NODES_A_B),
  },
];

/** A problem to find: its message matches, its hint and path are equal (or match an asymmetric matcher). */
interface ExpectedProblem {
  readonly message: RegExp;
  readonly hint?: string;
  readonly path?: string;
}

describe('importNodes', () => {
  it.each(cases)('$name', ({ before, nodes, options, after, report }) => {
    const result = imported(before, nodes, options);
    expect(result.text).toBe(after);
    if (report) expect(result.report).toMatchObject(report);
  });

  it('can prune every node of an empty inventory to an empty list', () => {
    const result = importNodes(COMMENTED, [], { ...ETH0, prune: true });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.text).toBe(spec('  nodes: []\n    # more workers come with the next rack\n  metrics:\n    calicoNode: {}\n# trailing comment\n'));
    expect(result.report.removed).toEqual(['cp-0', 'worker-0', 'worker-1']);
  });

  it('can import thousands of nodes, and re-import them as a no-op', () => {
    const count = 2000;
    const ip = (i: number): string => `10.${Math.floor(i / 250)}.0.${(i % 250) + 1}`;
    let text = spec('  nodes:\n');
    for (let i = 0; i < count; i++) text += `    # rack ${i % 40}\n    - name: node-${i}\n      interfaces:\n        - name: eth0\n          expectedIPs: [${ip(i)}]\n`;
    // A thousand nodes leave, a thousand join, every other one gains an IPv6 address.
    const nodes = Array.from({ length: count }, (_, k) => k + 1000).map((i) => node(`node-${i}`, i % 2 ? [ip(i)] : [ip(i), `fd00::${i.toString(16)}`]));
    const first = imported(text, nodes, { prune: true });
    expect(first.report.added).toHaveLength(1000);
    expect(first.report.removed).toHaveLength(1000);
    expect(first.report.changed).toHaveLength(500);
    expect(first.report.unchanged).toBe(500);
    expect(first.text).toContain('    # rack 0\n    - name: node-1000\n');
    expect(first.text).not.toContain('name: node-999\n');
    const second = imported(first.text, nodes, { prune: true });
    expect(second.text).toBe(first.text);
  }, 30_000);

  it('can leave a protected server\'s node in place without prune', () => {
    const { text } = inventoryOf('clusters/allow-list-etcd.yaml');
    const result = imported(text, [node('kubeadm-node-0', ['10.100.0.16', 'fd00:10:100::16'])], {}, 'allow-list-etcd');
    expect(result.text).toBe(text);
    expect(result.report.gone).toEqual(['kubeadm-master']);
  });
});

describe('importNodes: refusals', () => {
  const twoNodes = spec(`  nodes:
    - name: old
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1]
    - name: keep
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.2]
        - name: eth1
          expectedIPs: [192.0.2.2]
`);

  it.each<[string, string, readonly InventoryNode[], Partial<ImportOptions>, ExpectedProblem]>([
    ['fails on a spec that is not YAML', 'spec: [\n', [node('a', [])], {}, { message: /the spec is not valid YAML/ }],
    ['fails on spec.nodes that is not a list', spec('  nodes: {a: 1}\n'), [node('a', [])], {}, { message: /spec.nodes is a mapping, not a list/, path: 'spec.nodes' }],
    ['fails on a spec without spec', 'apiVersion: calico-shield/v1alpha1\n', [node('a', [])], {}, { message: /spec is nothing, not a mapping/, path: 'spec' }],
    ['fails on a node listed twice in the spec', spec('  nodes:\n    - name: a\n      interfaces: []\n    - name: a\n      interfaces: []\n'), [node('a', [])], {}, { message: /"a" is listed twice/, path: 'spec.nodes[1].name' }],
    ['fails on a bad address in the spec', spec('  nodes:\n    - name: a\n      interfaces:\n        - name: eth0\n          expectedIPs: [10.0.0.300]\n'), [node('a', [])], {}, { message: /"10.0.0.300" is not a valid IP address/, path: 'spec.nodes[0].interfaces[0].expectedIPs[0]' }],
    ['fails on a bad interface name', twoNodes, [node('keep', [])], { interfaceName: 'eth 0' }, { message: /"eth 0" is not a valid interface name/ }],
    [
      'fails when a new node takes the address of a gone node that is not pruned',
      twoNodes,
      [node('keep', ['10.0.0.2']), node('new', ['10.0.0.1'])],
      {},
      { message: /address 10.0.0.1 would be an expected IP of node "old" \(interface "eth0"\) and of node "new"/, hint: expect.stringContaining('--prune') },
    ],
    [
      'fails when a node takes an address the user gave another node\'s interface',
      twoNodes,
      [node('old', ['192.0.2.2']), node('keep', ['10.0.0.2'])],
      {},
      { message: /address 192.0.2.2 would be an expected IP of node "old"/, path: 'spec.nodes[1].interfaces[1].expectedIPs' },
    ],
    [
      'fails when two nodes share an external address',
      twoNodes,
      [node('old', ['10.0.0.1'], ['203.0.113.1']), node('keep', ['10.0.0.2'], ['203.0.113.1'])],
      { includeExternal: true },
      { message: /address 203.0.113.1/, hint: expect.stringContaining('without --external') },
    ],
    [
      'fails to prune a node that a protected server names',
      readSpec('clusters/allow-list-etcd.yaml'),
      [node('kubeadm-node-0', ['10.100.0.16', 'fd00:10:100::16'])],
      { prune: true },
      { message: /protected server "etcd" names node "kubeadm-master"/, path: 'spec.protectedServers[0].runsOn.nodes[0]' },
    ],
    [
      'fails to add a node to a flow-style nodes list',
      spec('  nodes: [{name: a, interfaces: [{name: eth0}]}]\n'),
      [node('a', []), node('b', ['10.0.0.2'])],
      {},
      { message: /flow list/, path: 'spec.nodes' },
    ],
    [
      'fails to edit an interface list shared through an anchor',
      spec('  nodes:\n    - name: a\n      interfaces: &ifs\n        - name: eth0\n    - name: b\n      interfaces: *ifs\n'),
      [node('a', ['10.0.0.1']), node('b', [])],
      {},
      { message: /shared through a YAML anchor or alias/, path: 'spec.nodes[0].interfaces[0].expectedIPs' },
    ],
    [
      'fails to add an interface to a list shared through an alias',
      spec('  nodes:\n    - name: a\n      interfaces: &ifs\n        - name: eth1\n    - name: b\n      interfaces: *ifs\n'),
      [node('a', []), node('b', ['10.0.0.2'])],
      {},
      { message: /shared through a YAML anchor or alias/, path: 'spec.nodes[1].interfaces' },
    ],
  ])('%s', (_, text, nodes, options, expected) => {
    expect(problemsOf(text, nodes, options)).toContainEqual(expect.objectContaining({ ...expected, message: expect.stringMatching(expected.message) }));
  });

  it('throws on inventory nodes that parseNodeInventory would refuse', () => {
    expect(() => importNodes(spec(''), [node('a', ['10.0.0.1/32'])], ETH0)).toThrow(/parseNodeInventory/);
    expect(() => importNodes(spec(''), [node('a', []), node('a', [])], ETH0)).toThrow(/parseNodeInventory/);
  });
});
