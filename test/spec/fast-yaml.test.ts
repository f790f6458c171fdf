/**
 * The fast reader (lib/spec/fast-yaml.ts) is a shortcut only: for every text, parseClusterSpec
 * must return what the positioned reader alone returns — the same spec, the same findings at
 * the same positions, and the same position for every field a later finding may ask for
 * (js-yaml's node events give the fast reader its positions).
 * Checked over the fuzz corpus (random specs, mutated and text-mutated seeds) and over the
 * YAML constructs where js-yaml and the yaml library could disagree.
 */
import fc from 'fast-check';
import { fastRoot, spansLines } from '../../lib/spec/fast-yaml';
import { simpleRoot, UnreadItems } from '../../lib/spec/simple-yaml';
import { parseClusterSpec, ParseResult } from '../../lib/spec/parse';
import { ClusterSpec } from '../../lib/spec/types';
import { mutatedSeed, randomSpecText, seeds, textMutatedSeed } from '../support/arbitraries';
import { announce, fuzzParams } from '../fuzz/harness';

announce('test/spec/fast-yaml.test.ts');

function read(text: string, reader: 'fast-first' | 'positioned', name = 'c'): ParseResult {
  return parseClusterSpec(`clusters/${name}.yaml`, name, new TextEncoder().encode(text), { reader });
}

function withoutPositions(spec: ClusterSpec | undefined): Omit<ClusterSpec, 'positions'> | undefined {
  if (!spec) return undefined;
  const { positions: _positions, ...rest } = spec;
  return rest;
}

/** Fails unless both ways of reading agree; returns whether the fast reader took the text. */
function expectSameReading(text: string, name = 'c'): boolean {
  const fast = read(text, 'fast-first', name);
  const positioned = read(text, 'positioned', name);
  expect(fast.findings).toEqual(positioned.findings);
  expect(withoutPositions(fast.spec)).toEqual(withoutPositions(positioned.spec));
  // Every field's position, in the order the reader met them.
  expect([...(fast.spec?.positions ?? [])]).toEqual([...(positioned.spec?.positions ?? [])]);
  return fastRoot(text) !== undefined;
}

const SPEC = (body: string): string => `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
${body}`;

const NODE = (line: string): string => SPEC(`  nodes:
    - name: n1
      labels: {${line}}
      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]
`);

describe('the fast reader', () => {
  it('takes a plain spec and reads it as the positioned reader does', () => {
    const text = SPEC(`  nodes:
    - name: n1
      labels: {zone: "1", role: worker}
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1, "fd00::1"]
  metrics:
    calicoNode: {port: 9091}
`);
    expect(fastRoot(text)).toBeDefined();
    expect(expectSameReading(text)).toBe(true);
    expect(read(text, 'fast-first').spec?.positions.get('spec.metrics.calicoNode.port')).toEqual({ line: 12, col: 24 });
  });

  it('reads a spec whose later node the line reader gives up on as the positioned reader does', () => {
    // The line reader leaves spec.nodes unread, reads n1, then gives up on n2's label value,
    // a block scalar: js-yaml's path reads the whole text again.
    const valid = SPEC(`  nodes:
    - name: n1
      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]
    - name: n2
      labels:
        zone: >-
          west
      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]
`);
    // n2's lines go on past what its mapping takes (not YAML): the positioned reader's findings.
    const broken = SPEC(`  nodes:
    - name: n1
      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]
    - name: n2
      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]
     zone: west
`);
    // A finding before the nodes, or in an item before the one given up on: the first reading
    // stops there, and what is reported is the positioned reader's.
    const findingFirst = valid.replace('approach: deny-list', 'approach: nope');
    const findingInNodes = valid.replace('expectedIPs: [10.0.0.1]', 'expectedIPs: [10.0.0.256]');
    for (const text of [valid, broken, findingFirst, findingInNodes]) {
      expect(simpleRoot(text)).toBeUndefined();
      expect(simpleRoot(text, { unreadNodes: true })).toBeDefined();
      expectSameReading(text);
    }
    expect(read(findingFirst, 'fast-first').findings.map((f) => f.code)).toEqual(['bad-approach']);
    expect(read(findingInNodes, 'fast-first').findings.map((f) => [f.code, f.line])).toEqual([['bad-ip', 7]]);
    // The first reading stops at the item with the finding: the item after it is never read
    // (found by review: the positioned reader's findings are the same either way).
    const item = jest.spyOn(UnreadItems.prototype, 'item');
    const node = jest.spyOn(UnreadItems.prototype, 'node');
    try {
      read(findingInNodes, 'fast-first');
      const asked = [...item.mock.calls, ...node.mock.calls].map(([i]) => i);
      expect(asked).toContain(0);
      expect(asked).not.toContain(1);
    } finally {
      item.mockRestore();
      node.mockRestore();
    }
    expect(read(valid, 'fast-first').spec?.nodes[1]?.labels).toEqual({ zone: 'west' });
    expect(read(valid, 'fast-first').spec?.positions.get('spec.nodes[1].labels.zone')).toEqual({ line: 10, col: 15 });
    expect(read(broken, 'fast-first').findings.map((f) => f.code)).toEqual(read(broken, 'positioned').findings.map((f) => f.code));
    expect(read(broken, 'fast-first').findings.length).toBeGreaterThan(0);
  });

  it("gives a node field's position when asked first, before any listing (recorded then)", () => {
    const text = SPEC(`  nodes:
    - name: n1
      labels: {zone: "1", topology.kubernetes.io/zone: a}
      interfaces:
        - name: eth0
          expectedIPs: [10.0.0.1, "fd00::1"]
    - name: n2
      interfaces: [{name: eth0}]
  metrics:
    calicoNode: {port: 9091}
`);
    const positioned = read(text, 'positioned').spec?.positions;
    const quotedKey = [...(positioned ?? [])].map(([path]) => path).find((path) => path.includes('topology'));
    expect(quotedKey).toMatch(/^spec\.nodes\[0\]\.labels\[/);
    for (const path of ['spec.nodes[0].interfaces[0].expectedIPs[1]', 'spec.nodes[1].interfaces[0].name', `${quotedKey}`, 'spec.nodes[0].labels.zone', 'spec.nodes', 'spec.metrics.calicoNode']) {
      const fast = read(text, 'fast-first').spec?.positions;
      expect(fast?.get(path)).toEqual(positioned?.get(path));
      expect(fast?.get(path)).toBeDefined();
    }
    const fast = read(text, 'fast-first').spec?.positions;
    expect(fast?.has('spec.nodes[0].name')).toBe(true);
    expect(fast?.has('spec.nodes[1]')).toBe(true);
    expect(fast?.has('spec.nodes[2]')).toBe(false);
    expect([...(fast ?? [])]).toEqual([...(positioned ?? [])]);
  });

  // Each of these is where js-yaml and the yaml library may read the text differently, or where
  // the positioned reader has a check of its own: the fast reader must leave them alone.
  const leftToThePositionedReader: readonly [string, string][] = [
    ['an anchor and alias', SPEC('  metrics: &m {calicoNode: {}}\n  x: *m\n')],
    ['a tag', NODE('zone: !!str 1')],
    ['a custom tag', NODE('zone: !vault x')],
    ['a merge key', NODE('<<: {zone: a}')],
    ['a directive', `%YAML 1.2\n---\n${SPEC('')}`],
    ['a boolean key', NODE('true: x')],
    ['a null key', NODE('~: x')],
    ['an integer key', NODE('80: x')],
    ['a quoted integer key, which a JavaScript object would reorder', NODE('zone: a, "80": x')],
    ['a flow sequence as a key', SPEC('  [approach]: allow-list\n')],
    ['a flow mapping as a key', SPEC('  {a: b}: c\n')],
    ['an explicit key', SPEC('  ? approach\n  : allow-list\n')],
    ['a tab', SPEC('  nodes:\t[]\n')],
    ['a carriage return', SPEC('  nodes: []\r\n')],
    ['a character beyond ASCII', NODE('zone: "é"')],
    ['a hexadecimal number', SPEC('  metrics: {calicoNode: {port: 0x2383}}\n')],
    ['an octal number', SPEC('  metrics: {calicoNode: {port: 0o21603}}\n')],
    ['an exponent', SPEC('  metrics: {calicoNode: {port: 9.091e3}}\n')],
    ['a fraction', SPEC('  metrics: {calicoNode: {port: 9091.0}}\n')],
    ['a signed number', SPEC('  metrics: {calicoNode: {port: +9091}}\n')],
    ['a leading zero', SPEC('  metrics: {calicoNode: {port: 09091}}\n')],
    ['infinity', SPEC('  metrics: {calicoNode: {port: .inf}}\n')],
    ['a duplicate key', SPEC('  approach: allow-list\n')],
    ['two documents', `${SPEC('')}---\n${SPEC('')}`],
    ['an alias with no anchor', SPEC('  nodes: *missing\n')],
    // Found by review: shapes the yaml library refuses or reads otherwise, which js-yaml accepted.
    ['a flow list that goes on at a lower indent', SPEC('  metrics:\n    allowedNets: [10.0.100.0/24,\n    10.0.101.0/24]\n    calicoNode: {}\n')],
    ['a comment without a space before it', SPEC('  metrics: {calicoNode: {}}# c\n')],
    ['an empty key in a flow mapping', NODE(': c')],
    ['a single-quoted string folded over lines', NODE("zone: 'a  \n\n        b'")],
    ['a double-quoted string folded over lines', NODE('zone: "a\\t  \n        b"')],
    ['a line of 1,000 characters', NODE(`zone: ${'a'.repeat(1000)}`)],
    ['a flow list as a key, its colon right after it', SPEC('  nodes: [{name: n1, labels: {[zone]:"a"}, interfaces: [{name: eth0}]}]\n')],
    ['content on the line of ---', `---{apiVersion: calico-shield/v1alpha1, kind: Cluster, spec: {approach: deny-list}}\n`],
    ['a mapping on the line of ---', `--- apiVersion: calico-shield/v1alpha1\n    kind: Cluster\n    spec: {approach: deny-list}\n`],
    ['a \\U escape beyond U+10FFFF', NODE('zone: "\\U00110000"')],
    ['a block scalar with an indentation indicator', NODE('zone: a').replace('approach: deny-list', 'approach: |2\n      deny-list\n     ')],
    ['a JSON spec written over lines (flow collections across lines)', JSON.stringify({ apiVersion: 'calico-shield/v1alpha1', kind: 'Cluster', spec: { approach: 'allow-list', nodes: [{ name: 'n1', interfaces: [{ name: 'eth0', expectedIPs: ['10.0.0.1'] }] }] } }, null, 1)],
  ];
  it.each(leftToThePositionedReader)('leaves %s to the positioned reader', (_what, text) => {
    expect(fastRoot(text)).toBeUndefined();
    expectSameReading(text);
  });

  // Shapes the fast reader takes, each read exactly as the positioned reader reads it.
  const taken: readonly [string, string][] = [
    ['a document start marker', `---\n${SPEC('')}`],
    ['a document end marker', `${SPEC('')}...\n`],
    ['comments', `# a comment\n${SPEC('  # another\n')}`],
    ['a block scalar', NODE('zone: a').replace('approach: deny-list', 'approach: >-\n    deny-list')],
    ['a folded plain scalar', NODE('zone: a').replace('approach: deny-list', 'approach: deny-\n    list')],
    ['escapes in double quotes', NODE('zone: "a\\x41\\u0042"')],
    ['single quotes', NODE("zone: 'it''s'")],
    ['a quoted number', NODE('zone: "1"')],
    ['a plain number as a label value', NODE('zone: 1')],
    ['a boolean as a label value', NODE('zone: true')],
    ['null as a label value', NODE('zone: null')],
    ['an empty label value', NODE('zone:')],
    ['a string that looks like YAML 1.1 booleans', NODE('zone: yes, b: on, c: 1_000')],
    ['an unknown field', SPEC('  aproach: allow-list\n')],
    ['a missing approach', 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec: {}\n'],
    ['a list where a mapping belongs', SPEC('  metrics: []\n')],
    ['a __proto__ key', NODE('__proto__: x')],
    ['a colon in a plain scalar', NODE('zone: a:b')],
    ['a question mark inside a scalar', NODE('zone: a?b')],
    ['a scalar root', 'just text\n'],
    ['a sequence root', '- a\n- b\n'],
  ];
  it.each(taken)('reads %s as the positioned reader does', (_what, text) => {
    expect(expectSameReading(text)).toBe(true);
  });

  it('agrees with the positioned reader on the fuzz corpus', () => {
    const all = seeds();
    for (const s of all) expect(expectSameReading(s.text, s.name)).toBe(true);
    let fast = 0;
    let cases = 0;
    let accepted = 0;
    const count = (text: string, name = 'c'): void => {
      cases++;
      if (expectSameReading(text, name)) fast++;
      if (read(text, 'fast-first', name).spec) accepted++;
    };
    fc.assert(fc.property(randomSpecText('c'), (text) => count(text)), fuzzParams(0.03));
    fc.assert(fc.property(mutatedSeed(all), (m) => count(m.text, m.name)), fuzzParams(0.03));
    fc.assert(fc.property(textMutatedSeed(all), (m) => count(m.text, m.name)), fuzzParams(0.03));
    if (process.env.FUZZ_RUNS !== undefined) console.log(`fast reader: ${cases} texts, ${fast} taken by the fast reader, ${accepted} accepted, every one read as the positioned reader reads it`);
    // Both ways must be common, or the comparison says little about one of them.
    expect(fast).toBeGreaterThan(cases / 5);
    expect(cases - fast).toBeGreaterThan(cases / 10);
    expect(accepted).toBeGreaterThan(cases / 20);
  }, 120_000);
});

describe('the filter of values over two lines', () => {
  /** The filter as it was first written, line by line: what spansLines must agree with. */
  function byLines(text: string): boolean {
    for (const line of text.split('\n')) {
      let depth = 0;
      let quote = '';
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote === '"') {
          if (c === '\\') i++;
          else if (c === '"') quote = '';
        } else if (quote === "'") {
          if (c === "'") quote = '';
        } else if (c === '#' && (i === 0 || line[i - 1] === ' ')) break;
        else if (c === '"' || c === "'") quote = c;
        else if (c === '[' || c === '{') depth++;
        else if (c === ']' || c === '}') depth--;
      }
      if (depth !== 0 || quote !== '') return true;
    }
    return false;
  }

  it('reads every text as the line-by-line filter does', () => {
    for (const text of ['a: "x\\', 'a: "x\\"\n', 'a: "x\\\nb"', "a: 'it''s'\n", 'a: [x,\n y]\n', 'a: x # [\n', 'a: x#[\n', '#[\n', 'a: x\n#[\n', '#\n{', 'a: {b: "}"}\n', '']) {
      expect([text, spansLines(text)]).toEqual([text, byLines(text)]);
    }
    const chars = fc.constantFrom('a', ' ', '\n', '#', '"', "'", '\\', '[', ']', '{', '}', ':', '-');
    let spanning = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 40 }).map((cs) => cs.join('')), (text) => {
        runs++;
        expect(spansLines(text)).toBe(byLines(text));
        if (byLines(text)) spanning++;
      }),
      fuzzParams(0.2),
    );
    for (const s of seeds()) expect(spansLines(s.text)).toBe(byLines(s.text));
    // Both answers are common among the random texts.
    expect(spanning).toBeGreaterThan(runs / 10);
    expect(runs - spanning).toBeGreaterThan(runs / 10);
  });
});
