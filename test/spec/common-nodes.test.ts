/**
 * The fast reader's first reading takes the items of spec.nodes of the common shape straight
 * from its tree (commonNode in lib/spec/parse.ts): a shortcut only. For every text,
 * parseClusterSpec must return what it returns when every item is read field by field
 * (ParseOptions.nodes 'generic'): the same spec, key order included, the same findings, and
 * the same position for every field. Checked over random node lists, valid and broken in the
 * ways readNode has something to say about, over the example specs and over fleet specs.
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { CREATED_BY_LABEL } from '../../lib/calico/presets';
import { parseClusterSpec, ParseOptions, ParseResult } from '../../lib/spec/parse';
import { SpecReader } from '../../lib/spec/reader';
import { UnreadItems } from '../../lib/spec/simple-yaml';
import { ClusterSpec } from '../../lib/spec/types';
import { fleetCase, fleetSpec } from '../../bench/fleet';
import { EXAMPLES } from '../support/paths';
import { announce, fuzzParams } from '../fuzz/harness';

announce('test/spec/common-nodes.test.ts');

type NodesReader = NonNullable<ParseOptions['nodes']>;

function read(text: string, nodes: NodesReader | 'positioned', name = 'c'): ParseResult {
  const options = nodes === 'positioned' ? { reader: nodes } : { nodes };
  return parseClusterSpec(`clusters/${name}.yaml`, name, new TextEncoder().encode(text), options);
}

function withoutPositions(spec: ClusterSpec | undefined): Omit<ClusterSpec, 'positions'> | undefined {
  if (!spec) return undefined;
  const { positions: _positions, ...rest } = spec;
  return rest;
}

/**
 * Fails unless both ways of reading spec.nodes agree on the spec (with its key order), the
 * findings, the positions of `paths` asked for first and the whole listing, which must be the
 * positioned reader's; returns whether the spec was accepted.
 */
function expectSameReading(text: string, paths: readonly string[] = [], name = 'c'): boolean {
  const common = read(text, 'common-shape', name);
  const generic = read(text, 'generic', name);
  expect(common.findings).toEqual(generic.findings);
  expect(withoutPositions(common.spec)).toEqual(withoutPositions(generic.spec));
  // toEqual ignores the order of keys, which the labels' rendering follows.
  expect(JSON.stringify(withoutPositions(common.spec))).toBe(JSON.stringify(withoutPositions(generic.spec)));
  // A field asked for first is recorded from its item alone; the listing reads the whole spec.
  for (const p of paths) expect(common.spec?.positions.get(p)).toEqual(generic.spec?.positions.get(p));
  const listing = [...(read(text, 'common-shape', name).spec?.positions ?? [])];
  expect(listing).toEqual([...(generic.spec?.positions ?? [])]);
  expect(listing).toEqual([...(read(text, 'positioned', name).spec?.positions ?? [])]);
  return common.spec !== undefined;
}

/** A YAML value: a string (written quoted or plain), or a non-string scalar written as is. */
type Value = string | number | boolean | null | { readonly raw: string } | readonly Value[] | { readonly [key: string]: Value };

/** Written plain when the line reader takes it so (and it stays a string), quoted otherwise. */
function scalar(v: string): string {
  return /^[a-z][a-z0-9.-]*$/.test(v) && !['null', 'true', 'false'].includes(v) ? v : JSON.stringify(v);
}

function isRaw(v: Value): v is { readonly raw: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { raw?: unknown }).raw === 'string' && Object.keys(v).length === 1;
}

function flow(v: Value): string {
  if (v === null) return '~';
  if (typeof v === 'string') return scalar(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isRaw(v)) return v.raw;
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  return `{${Object.entries(v as { readonly [key: string]: Value }).map(([k, x]) => `${scalar(k)}: ${flow(x)}`).join(', ')}}`;
}

/** Block style where a collection is not empty, flow style inside it when `flowFrom` levels deep. */
function block(v: Value, indent: number, flowFrom: number): string {
  const pad = ' '.repeat(indent);
  if (flowFrom <= 0 || v === null || typeof v !== 'object' || isRaw(v)) return ` ${flow(v)}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []';
    return v.map((x: Value) => `\n${pad}-${block(x, indent + 2, flowFrom - 1).replace(/^\n */, ' ')}`).join('');
  }
  const entries = Object.entries(v as { readonly [key: string]: Value });
  if (entries.length === 0) return ' {}';
  return entries.map(([k, x]) => `\n${pad}${scalar(k)}:${block(x, indent + 2, flowFrom - 1)}`).join('');
}

function specText(mode: 'static' | 'auto', nodes: Value, flowFrom: number): string {
  return `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  hostEndpoints: {mode: ${mode}}
  nodes:${block(nodes, 4, flowFrom)}
`;
}

// Pools mixing what readNode takes with what it refuses, so that duplicates come up often.
const NODE_NAMES = ['n1', 'n2', 'n3', 'node-4.example', 'N_5', '', 'a'.repeat(254), '-n6'];
const INTERFACE_NAMES = ['eth0', 'eth1', '*', 'bond0.100', '', 'a'.repeat(16), 'eth*', '..', 'wg 0'];
const IPS = ['10.0.0.1', '10.0.0.2', '192.168.1.1', 'fd00::1', 'FD00::0001', 'fd00:0:0:0:0:0:0:1', 'fd00::2', '::ffff:10.0.0.2', '2001:db8::a', '10.0.0.256', '010.0.0.3', '10.0.0.4/32', 'fe80::1%eth0', 'x'];
const LABEL_KEYS = ['zone', 'role', 'example.com/tier', 'constructor', CREATED_BY_LABEL, 'running-calico', 'protected-etcd-server', 'allowed-x-client', 'Bad Key', '__proto__', 'a/b/c'];
const LABEL_VALUES = ['a', 'b', '', 'v1.2', 'bad value!', '-x', 'a'.repeat(64)];

/** A value readNode wants as a string, or (now and then) something else in its place. */
function mostly<T extends Value>(good: fc.Arbitrary<T>): fc.Arbitrary<Value> {
  return fc.oneof(
    { weight: 12, arbitrary: good },
    { weight: 1, arbitrary: fc.constantFrom<Value>(null, 5, true, { raw: '10' }, { raw: '1.5' }, [], {}, ['x'], { a: 'b' }) },
  );
}

const labels = fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('zone', 'role', 'example.com/tier') }, { weight: 1, arbitrary: fc.constantFrom(...LABEL_KEYS) }), mostly(fc.constantFrom(...LABEL_VALUES)), { maxKeys: 3 });

const iface = fc.record(
  {
    name: mostly(fc.constantFrom(...INTERFACE_NAMES)),
    expectedIPs: mostly(fc.array(mostly(fc.constantFrom(...IPS)), { minLength: 0, maxLength: 3 })),
    extra: fc.constantFrom<Value>('x', null),
  },
  { requiredKeys: [] },
);

const node = fc
  .tuple(
    fc.record(
      {
        name: mostly(fc.constantFrom(...NODE_NAMES)),
        labels: mostly(labels),
        interfaces: mostly(fc.array(mostly(iface), { minLength: 0, maxLength: 3 })),
        zone: fc.constant<Value>('a'),
      },
      { requiredKeys: [] },
    ),
    fc.boolean(),
  )
  // The fields in either order.
  .map(([fields, reversed]) => (reversed ? Object.fromEntries(Object.entries(fields).reverse()) : fields));

/** Items of the node shape, any field left out or misspelt now and then, and items of no node shape. */
const nodes = fc.array(fc.oneof({ weight: 8, arbitrary: node }, { weight: 1, arbitrary: fc.constantFrom<Value>(null, 'n1', []) }), { minLength: 0, maxLength: 6 });

/** Node lists of the common shape: valid unless two items share a name or an address. */
function validNodes(mode: 'static' | 'auto'): fc.Arbitrary<Value> {
  const ips = fc.uniqueArray(fc.constantFrom('10.0.0.1', '10.0.0.2', '10.1.0.9', 'fd00::1', 'FD00::0002', '2001:db8::a:0', '::ffff:10.9.0.1'), { minLength: 1, maxLength: 3 });
  const interfaces =
    mode === 'auto'
      ? fc.tuple(ips).map(([expectedIPs]) => [{ name: '*', expectedIPs }])
      : fc.uniqueArray(fc.record({ name: fc.constantFrom('eth0', 'eth1', 'bond0', '*'), expectedIPs: ips }, { requiredKeys: ['name'] }), { minLength: 1, maxLength: 3, selector: (i) => i.name });
  return fc.array(
    fc.record({ name: fc.constantFrom('n1', 'n2', 'n3', 'node.4', 'node-5'), labels: fc.dictionary(fc.constantFrom('zone', 'role', 'example.com/tier'), fc.constantFrom('a', 'b', '')), interfaces }, { requiredKeys: ['name', 'interfaces'] }),
    { minLength: 1, maxLength: 6 },
  );
}

/** Paths of the fields a later finding may name, where the nodes have them. */
function fieldPaths(list: Value): string[] {
  const out = ['spec.nodes', 'spec.nodes[0]', 'spec.nodes[0].name', 'spec.nodes[0].labels.zone', 'spec.nodes[1].interfaces[0].name', 'spec.hostEndpoints.mode'];
  if (Array.isArray(list) && list.length > 3) out.push('spec.nodes[3].interfaces[1].expectedIPs[0]', 'spec.nodes[3].interfaces[1]');
  return out;
}

describe('reading the nodes of the common shape straight from the tree', () => {
  it('reads random node lists, broken ones among them, as the generic reader does', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom<'static' | 'auto'>('static', 'auto'), nodes, fc.integer({ min: 1, max: 5 }), (mode, list, flowFrom) => {
        if (expectSameReading(specText(mode, list, flowFrom), fieldPaths(list))) accepted++;
      }),
      fuzzParams(0.03),
    );
    // Most lists are broken somewhere; some are not.
    expect(accepted).toBeGreaterThan(0);
  });

  it('reads random valid node lists as the generic reader does', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.constantFrom<'static' | 'auto'>('static', 'auto').chain((mode) => fc.tuple(fc.constant(mode), validNodes(mode))),
        fc.integer({ min: 1, max: 5 }),
        ([mode, list], flowFrom) => {
          if (expectSameReading(specText(mode, list, flowFrom), fieldPaths(list))) accepted++;
        },
      ),
      fuzzParams(0.03),
    );
    expect(accepted).toBeGreaterThan((fuzzParams(0.03).numRuns ?? 0) / 4);
  });

  it.each(fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')))('reads the example %s as the generic reader does', (file) => {
    const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    expect(expectSameReading(text, ['spec.nodes[0].interfaces[0].expectedIPs[0]', 'spec.nodes[1].labels'], file.replace(/\.yaml$/, ''))).toBe(true);
  });

  it.each(['deny-list', 'allow-list'] as const)("reads the benchmark's 1,000-node %s fleet as the generic reader does, without reading its nodes field by field", (approach) => {
    const c = fleetCase(1000, approach);
    const text = fleetSpec(c);
    expect(expectSameReading(text, ['spec.nodes[3].interfaces[1].expectedIPs[0]', 'spec.nodes[999].interfaces[0].expectedIPs[1]'], c.name)).toBe(true);
    // The shortcut is taken: the generic reader reads each node and each interface as a mapping.
    const mapping = jest.spyOn(SpecReader.prototype, 'mapping');
    try {
      read(text, 'generic', c.name);
      const generic = mapping.mock.calls.length;
      mapping.mockClear();
      read(text, 'common-shape', c.name);
      expect(generic - mapping.mock.calls.length).toBe(3000);
    } finally {
      mapping.mockRestore();
    }
  });

  /** A node as nodes import writes it, which the line reader reads from its lines (NodeItem). */
  const imported = (name: string, ...interfaces: readonly (readonly [string, string])[]): string[] => [
    `    - name: ${name}`,
    '      interfaces:',
    ...interfaces.flatMap(([iface, ips]) => [`        - name: ${iface}`, `          expectedIPs: [${ips}]`]),
  ];
  const mixedSpec = (items: readonly (readonly string[])[]): string => ['apiVersion: calico-shield/v1alpha1', 'kind: Cluster', 'spec:', '  approach: deny-list', '  nodes:', ...items.flat(), ''].join('\n');

  it.each([
    ['valid nodes read from their lines and from a tree', [imported('n1', ['eth0', '10.0.0.1, "fd00::1"']), ['    - {name: n2, interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]}'], imported('n3', ['eth0', '10.0.0.3'], ['eth1', ''])], 'accepted'],
    ['a name read from lines, then in a tree', [imported('n1', ['eth0', '10.0.0.1']), ['    - {name: n1, interfaces: [{name: eth1}]}']], 'refused'],
    ['a name in a tree, then read from lines', [['    - {name: n1, interfaces: [{name: eth1}]}'], imported('n1', ['eth0', '10.0.0.1'])], 'refused'],
    ['an address read from lines, then in a tree', [imported('n1', ['eth0', '"fd00::1"']), ['    - {name: n2, interfaces: [{name: eth0, expectedIPs: ["FD00::0001"]}]}']], 'refused'],
    ['an address in a tree, then read from lines', [['    - {name: n2, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]}'], imported('n1', ['eth0', '10.0.0.1'])], 'refused'],
    ['an address twice among nodes read from lines', [imported('n1', ['eth0', '10.0.0.1']), imported('n2', ['eth0', '10.0.0.1'])], 'refused'],
    ['an interface twice on a node read from lines', [imported('n1', ['eth0', '10.0.0.1'], ['eth0', '10.0.0.2'])], 'refused'],
    ['an empty quoted address', [imported('n1', ['eth0', '""'])], 'refused'],
    ['a bad name read from lines, then a good node', [imported('N1', ['eth0', '10.0.0.1']), imported('n2', ['eth0', '10.0.0.2'])], 'refused'],
  ] as const)('reads %s as the generic reader does', (_what, items, outcome) => {
    const text = mixedSpec(items);
    const fromLines = jest.spyOn(UnreadItems.prototype, 'node');
    try {
      expect(expectSameReading(text, ['spec.nodes[0].interfaces[0].expectedIPs[0]', 'spec.nodes[1].name', 'spec.nodes[1].interfaces[0]'])).toBe(outcome === 'accepted');
      // Not vacuous: the line reader read a node from its lines.
      expect(fromLines.mock.results.some((r) => r.value !== undefined)).toBe(true);
    } finally {
      fromLines.mockRestore();
    }
  });

  // Each a way readNode refuses an item (or takes it differently) that the common shape looks
  // like: every one must be refused, or read, exactly as readNode does.
  const lookalikes: readonly [string, 'static' | 'auto', string, 'accepted' | 'refused'][] = [
    ['a duplicate node name', 'static', '[{name: n1, interfaces: [{name: eth0}]}, {name: n1, interfaces: [{name: eth1}]}]', 'refused'],
    ['a bad node name', 'static', '[{name: N1, interfaces: [{name: eth0}]}]', 'refused'],
    ['a duplicate interface', 'static', '[{name: n1, interfaces: [{name: eth0}, {name: eth0}]}]', 'refused'],
    ['a bad interface name', 'static', '[{name: n1, interfaces: [{name: eth0/1}]}]', 'refused'],
    ['an address listed twice on one interface', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: [10.0.0.1, 10.0.0.1]}]}]', 'refused'],
    ['an address on two interfaces', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}, {name: eth1, expectedIPs: [10.0.0.1]}]}]', 'refused'],
    ['an address on two nodes', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]}, {name: n2, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]}]', 'refused'],
    ['one IPv6 address written two ways', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: ["fd00::1", "FD00::0001"]}]}]', 'refused'],
    ['an IPv4-mapped address and its IPv4 address', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]}, {name: n2, interfaces: [{name: eth0, expectedIPs: ["::ffff:10.0.0.1"]}]}]', 'refused'],
    ['a bad address', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: [10.0.0.256]}]}]', 'refused'],
    ['a number for an address', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: [10]}]}]', 'refused'],
    ['no interfaces', 'static', '[{name: n1, interfaces: []}]', 'refused'],
    ['an empty list of addresses', 'static', '[{name: n1, interfaces: [{name: eth0, expectedIPs: []}, {name: eth1}]}]', 'accepted'],
    ['a null name', 'static', '[{name: ~, interfaces: [{name: eth0}]}]', 'refused'],
    ['a null interface name', 'static', '[{name: n1, interfaces: [{name: ~}]}]', 'refused'],
    ['null labels', 'static', '[{name: n1, labels: ~, interfaces: [{name: eth0}]}]', 'refused'],
    ['a list for labels', 'static', '[{name: n1, labels: [a], interfaces: [{name: eth0}]}]', 'refused'],
    ['an unknown field', 'static', '[{name: n1, zone: a, interfaces: [{name: eth0}]}]', 'refused'],
    ['an unknown interface field', 'static', '[{name: n1, interfaces: [{name: eth0, mtu: "1500"}]}]', 'refused'],
    ['a label calico-shield writes, in static mode', 'static', '[{name: n1, labels: {running-calico: "true"}, interfaces: [{name: eth0}]}]', 'refused'],
    ['the constructor label, in static mode', 'static', '[{name: n1, labels: {constructor: a}, interfaces: [{name: eth0}]}]', 'refused'],
    ['the constructor label, in auto mode', 'auto', '[{name: n1, labels: {constructor: a}, interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]}]', 'accepted'],
    ["kube-controllers' label", 'auto', `[{name: n1, labels: {${CREATED_BY_LABEL}: x}, interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]}]`, 'refused'],
    ['two interfaces in auto mode', 'auto', '[{name: n1, interfaces: [{name: "*", expectedIPs: [10.0.0.1]}, {name: eth0, expectedIPs: [10.0.0.2]}]}]', 'refused'],
    ['a named interface in auto mode', 'auto', '[{name: n1, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]}]', 'refused'],
    ['no addresses in auto mode', 'auto', '[{name: n1, interfaces: [{name: "*"}]}]', 'refused'],
    ['interfaces sorted, addresses sorted and made canonical', 'static', '[{name: n1, labels: {zone: b, role: a}, interfaces: [{name: eth1, expectedIPs: ["FD00::0003", 10.0.0.9, "::ffff:10.0.0.1"]}, {name: eth0}]}]', 'accepted'],
  ];
  it.each(lookalikes)('reads %s as the generic reader does', (_what, mode, list, outcome) => {
    const text = specText(mode, { raw: list }, 1);
    expect(expectSameReading(text, ['spec.nodes[0].interfaces[0].name', 'spec.nodes[1].interfaces[0].expectedIPs[0]'])).toBe(outcome === 'accepted');
  });
});
