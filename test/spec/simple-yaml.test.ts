/**
 * The line reader (lib/spec/simple-yaml.ts) is the fast reader's first try: whatever it takes
 * it must read exactly as js-yaml's path (composedRoot) does, node for node and offset for
 * offset, and as the yaml library reads the values; whatever it cannot take it must give up on.
 * test/spec/fast-yaml.test.ts compares the whole fast reader with the positioned reader.
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { composedRoot, fastRoot } from '../../lib/spec/fast-yaml';
import { SpecNode } from '../../lib/spec/nodes';
import { NotSimple, simpleRoot, unreadItems, type UnreadItems } from '../../lib/spec/simple-yaml';
import { commonShape } from '../../lib/spec/parse';
import { fleetCase, fleetSpec } from '../../bench/fleet';
import { twoInterfaceSpec } from '../support/fleet-spec';
import { EXAMPLES } from '../support/paths';
import { mutatedSeed, randomSpecText, seeds, textMutatedSeed } from '../support/arbitraries';
import { announce, fuzzParams } from '../fuzz/harness';

announce('test/spec/simple-yaml.test.ts');

/** The plain value a SpecNode tree stands for. */
function value(node: SpecNode | null): unknown {
  if (node === null) return null;
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(value);
  if (node.kind === 'map') return Object.fromEntries(node.items.map((p) => [value(p.key), value(p.value)]));
  throw new Error(`no ${node.kind} in the line reader's output`);
}

/**
 * The tree with every item the line reader left unread (SimpleOptions.unreadNodes) read in
 * place; undefined when one of them is not of the line reader's shape, as the whole text then
 * is not.
 */
function readAll(node: SpecNode | null | undefined): SpecNode | null | undefined {
  if (node === undefined || node === null) return node;
  const unread = unreadItems(node);
  try {
    if (unread) return { kind: 'seq', start: node.start, items: Array.from({ length: unread.length }, (_, i) => readAll(unread.item(i)) as SpecNode) };
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
  if (node.kind === 'seq') {
    const items = node.items.map(readAll);
    return items.includes(undefined) ? undefined : { ...node, items: items as SpecNode[] };
  }
  if (node.kind === 'map') {
    const items = node.items.map((p) => ({ key: p.key, value: readAll(p.value) }));
    return items.some((p) => p.value === undefined) ? undefined : { ...node, items: items as { key: SpecNode | null; value: SpecNode | null }[] };
  }
  return node;
}

/** Whether the tree has a node standing for unread items. */
function hasUnread(node: SpecNode | null | undefined): boolean {
  if (node === undefined || node === null) return false;
  if (unreadItems(node)) return true;
  if (node.kind === 'seq') return node.items.some(hasUnread);
  if (node.kind === 'map') return node.items.some((p) => hasUnread(p.value));
  return false;
}

/**
 * Fails unless reading spec.nodes's items only when asked gives the tree of the whole reading,
 * or gives up on an item exactly when the whole reading gives up on the text: for any text,
 * YAML or not (parseClusterSpec asks for unread items on every text the filters pass).
 */
function expectSameUnread(text: string): void {
  expect(readAll(simpleRoot(text, { unreadNodes: true }))).toStrictEqual(simpleRoot(text));
}

/**
 * Fails unless the line reader gave up or read the text as js-yaml's path and the yaml library
 * do; returns whether it took the text. Only texts the fast reader's filters pass reach it.
 * Reading spec.nodes's items only when asked must agree too (expectSameUnread).
 */
function expectSameOrGiveUp(text: string): boolean {
  expectSameUnread(text);
  // The filters refused it (the line reader is never asked), or both readers gave up.
  if (fastRoot(text) === undefined) return false;
  const simple = simpleRoot(text);
  if (simple === undefined) return false;
  expect(simple).toStrictEqual(composedRoot(text));
  expect(value(simple)).toEqual(parse(text));
  return true;
}

/** One character of YAML's syntax put in, taken out or swapped at a random place. */
const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'delete', 'replace'), c: fc.constantFrom(' ', '\n', '-', ':', '#', '"', "'", '[', ']', '{', '}', ',', 'a', '0') });

/** The text with the edits made, one after the other. */
function applyEdits(text: string, edits: readonly { readonly at: number; readonly op: string; readonly c: string }[]): string {
  let t = text;
  for (const e of edits) {
    const at = e.at % (t.length + 1);
    t = e.op === 'insert' ? t.slice(0, at) + e.c + t.slice(at) : e.op === 'delete' ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + e.c + t.slice(at + 1);
  }
  return t;
}

/** The items the line reader left unread in a text's spec.nodes, if it left any. */
function unreadOf(text: string): UnreadItems | undefined {
  const root = simpleRoot(text, { unreadNodes: true });
  const spec = root?.kind === 'map' ? root.items.find((p) => p.key?.kind === 'scalar' && p.key.value === 'spec')?.value : undefined;
  const nodes = spec?.kind === 'map' ? spec.items.find((p) => p.key?.kind === 'scalar' && p.key.value === 'nodes')?.value : undefined;
  return nodes ? unreadItems(nodes) : undefined;
}

/** unreadOf, for a text that has unread items. */
function unreadIn(text: string): UnreadItems {
  const unread = unreadOf(text);
  if (!unread) throw new Error(`no unread spec.nodes in ${JSON.stringify(text)}`);
  return unread;
}

describe('the line reader', () => {
  it.each(fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')))('reads the example %s as js-yaml does', (file) => {
    const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    expect(simpleRoot(text)).toBeDefined();
    expect(expectSameOrGiveUp(text)).toBe(true);
  });

  it("reads the benchmark's fleet specs and the size tests' flow-style spec", () => {
    for (const text of [fleetSpec(fleetCase(40, 'deny-list')), fleetSpec(fleetCase(40, 'allow-list')), twoInterfaceSpec(40)]) {
      expect(simpleRoot(text)).toBeDefined();
      expect(expectSameOrGiveUp(text)).toBe(true);
    }
  });

  it('reads sequences at their key’s indentation, compact mappings and comments where they may stand', () => {
    const text = [
      '---',
      '# a comment',
      'apiVersion: calico-shield/v1alpha1',
      'spec:',
      '  nodes:',
      '  - name: n1   # trailing comment',
      '    interfaces:',
      '    -   name: eth0',
      '        expectedIPs:',
      '        - 10.0.0.1',
      '        - fd00::1',
      '',
      '      # an indented comment',
      '  -   name: n2',
      "      labels: {zone: 'a''b', role: \"x y\", n: null, t: true, c: 3}",
      '      interfaces: []',
      '  metrics: {calicoNode: {}, allowedNets: [10.0.0.0/8, "fd00::/8"]}',
      '',
    ].join('\n');
    expect(expectSameOrGiveUp(text)).toBe(true);
    const root = simpleRoot(text);
    expect(value(root ?? null)).toEqual(parse(text));
    // Offsets: each node at its first character, as the positioned reader reports it.
    const spec = root?.kind === 'map' ? root.items[1]?.value : undefined;
    const nodes = spec?.kind === 'map' ? spec.items[0]?.value : undefined;
    expect(nodes?.kind).toBe('seq');
    expect(nodes?.start).toBe(text.indexOf('  - name: n1') + 2);
  });

  // Each of these is valid YAML the line reader does not read: js-yaml's path does.
  const givenUp: readonly [string, string][] = [
    ['an empty value', 'a:\nb: 1\n'],
    ['a plain scalar over two lines', 'a: one\n  two\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a folded scalar', 'a: >\n  text\n'],
    ['a sequence in a sequence', 'a:\n  - - x\n'],
    ['a lone dash', 'a:\n  -\n    b: 1\n'],
    ['a quoted key', '"a": 1\n'],
    ['a key starting with a digit', '1a: x\n'],
    ['an escape in double quotes', 'a: "x\\ty"\n'],
    ['an IPv6 address unquoted in a flow list', 'a: [fd00::1]\n'],
    ['a flow mapping key without a space after its colon', 'a: {b:c}\n'],
    ['a trailing comma', 'a: [x, ]\n'],
    ['a trailing comma in a flow mapping', 'a: {b: c, }\n'],
    ['a single-pair mapping in a flow list', 'a: [x: y]\n'],
    ['a float', 'a: 1.5\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['a root sequence', '- a\n'],
    ['a plain scalar starting with two dashes', 'a: --x\n'],
  ];
  it.each(givenUp)('gives up on %s, valid YAML that js-yaml or the positioned reader then reads', (_what, text) => {
    expect(parseAllDocuments(text, { uniqueKeys: false }).flatMap((d) => ('errors' in d ? d.errors : [d]))).toEqual([]);
    expect(simpleRoot(text)).toBeUndefined();
  });

  it('gives up on a duplicate key, and on texts that are not YAML', () => {
    for (const text of ['a: -\n', 'a: x:\n', 'a: 10.0.0.1#on: []\n', 'a: 1\na: 2\n', 'a: {b: 1, b: 2}\n', 'a: [x\n', 'a: "x\n', 'a: 1\n b: 2\n', 'a:\n  b: 1\n c: 2\n']) {
      expect(simpleRoot(text)).toBeUndefined();
    }
  });

  it('agrees with js-yaml and the yaml library over the fuzz corpus', () => {
    const all = seeds();
    let taken = 0;
    const count = (text: string): void => {
      if (expectSameOrGiveUp(text)) taken++;
    };
    fc.assert(fc.property(randomSpecText('c'), count), fuzzParams(0.03));
    fc.assert(fc.property(mutatedSeed(all).map((m) => m.text), count), fuzzParams(0.03));
    fc.assert(fc.property(textMutatedSeed(all).map((m) => m.text), count), fuzzParams(0.03));
    expect(taken).toBeGreaterThan(0);
  });

  /** Trees of the shapes specs have, with scalars from the edges of the line reader's rules. */
  const scalar = fc.oneof(
    { arbitrary: fc.constantFrom('node-1', 'eth0', '10.0.0.1', '10.0.0.0/8', 'fd00::1', 'a b', 'x,y', '(a)', 'a:b', 'a=b', 'null', 'true', 'False', 'yes', '0', '7', '-x', "it's"), weight: 10 },
    { arbitrary: fc.constantFrom('~', 'Null', '007', '-1', '+1', '1.5', '.5', '1e3', '0x1f', '0o7', '.inf', '--x', '...', '@x', 'a: b', 'a #b', 'say "hi"', '', ' x', 'x ', 'x\\y', 'x:', '-', '- x', '-- x', '? x', ': x'), weight: 1 },
  );
  const key = fc.oneof(
    { arbitrary: fc.constantFrom('a', 'b', 'name', 'node-role.kubernetes.io/control-plane', 'x_y', 'y', 'on'), weight: 10 },
    { arbitrary: fc.constantFrom('true', 'null', '1a', '__proto__', '-a'), weight: 1 },
  );
  type Tree = string | Tree[] | { [k: string]: Tree };
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('t'), { maxLength: 3 }),
      fc.dictionary(key, tie('t'), { maxKeys: 3, noNullPrototype: true }),
    ),
  })).t;
  const style = fc.record({
    indent: fc.integer({ min: 1, max: 4 }),
    sameIndentLists: fc.boolean(),
    flow: fc.constantFrom('never', 'leaves', 'always'),
    quote: fc.constantFrom('never', 'double', 'single', 'mixed'),
    comments: fc.boolean(),
    header: fc.boolean(),
  });
  type Style = typeof style extends fc.Arbitrary<infer S> ? S : never;

  function scalarText(s: string, st: Style, salt: number): string {
    const q = st.quote === 'mixed' ? (['never', 'double', 'single'] as const)[salt % 3] : st.quote;
    if (q === 'double') return `"${s}"`;
    if (q === 'single') return `'${s.split("'").join("''")}'`;
    return s;
  }
  function flowText(t: Tree, st: Style, salt: number): string {
    if (typeof t === 'string') return scalarText(t, st, salt);
    if (Array.isArray(t)) return `[${t.map((x, i) => flowText(x, st, salt + i)).join(', ')}]`;
    return `{${Object.entries(t).map(([k, v], i) => `${k}: ${flowText(v, st, salt + i)}`).join(', ')}}`;
  }
  const isLeafCollection = (t: Tree): boolean => typeof t !== 'string' && Object.values(t).every((v) => typeof v === 'string');
  /** The lines of `t` as a block value at `depth` spaces. */
  function blockLines(t: Tree, depth: number, st: Style, salt: number): string[] {
    const pad = ' '.repeat(depth);
    const comment = st.comments && salt % 4 === 0 ? [`${' '.repeat(depth + (salt % 3))}# note`] : [];
    if (Array.isArray(t)) {
      return t.flatMap((item, i) => {
        if (typeof item === 'string' || item.length === 0 || Object.keys(item).length === 0 || st.flow === 'always' || (st.flow === 'leaves' && isLeafCollection(item))) {
          return [...comment, `${pad}- ${flowText(item, st, salt + i)}${st.comments && i === 0 ? ' # c' : ''}`];
        }
        if (Array.isArray(item)) return [`${pad}-`, ...blockLines(item, depth + st.indent, st, salt + i)];
        const inner = blockLines(item, depth + 2, st, salt + i);
        return [`${pad}- ${(inner[0] ?? '').trimStart()}`, ...inner.slice(1)];
      });
    }
    if (typeof t === 'string') return [`${pad}${scalarText(t, st, salt)}`];
    return Object.entries(t).flatMap(([k, v], i) => {
      if (typeof v === 'string' || st.flow === 'always' || (st.flow === 'leaves' && isLeafCollection(v)) || Object.keys(v).length === 0) {
        return [...comment, `${pad}${k}: ${flowText(v, st, salt + i)}`];
      }
      const nested = Array.isArray(v) && st.sameIndentLists ? depth : depth + st.indent;
      return [`${pad}${k}:`, ...blockLines(v, nested, st, salt + i)];
    });
  }
  /** Trees of the nodes' shape, with keys and scalars the line reader mostly takes. */
  const nodeKey = fc.constantFrom('a', 'b', 'name', 'x_y', 'node-role.kubernetes.io/control-plane');
  const nodeTree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree; leaf: Tree; map: Tree }>((tie) => ({
    leaf: fc.constantFrom('node-1', 'eth0', '10.0.0.1', '10.0.0.0/8', 'fd00::1', 'a b', 'x,y', '(a)', 'a=b', '7', 'true', 'null'),
    map: fc.dictionary(nodeKey, tie('t'), { maxKeys: 3, noNullPrototype: true }),
    t: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), fc.array(fc.oneof(tie('leaf'), tie('map')), { maxLength: 3 }), tie('map')),
  })).t;
  const nodeItem = fc.oneof({ arbitrary: fc.dictionary(nodeKey, nodeTree, { minKeys: 1, maxKeys: 3, noNullPrototype: true }), weight: 6 }, { arbitrary: tree, weight: 1 });
  /** A root whose spec.nodes is a list of trees, before and after other keys: what SimpleOptions.unreadNodes leaves unread. */
  const nodesRoot = fc
    .record({ before: fc.dictionary(nodeKey, nodeTree, { maxKeys: 2, noNullPrototype: true }), items: fc.array(nodeItem, { minLength: 1, maxLength: 4 }), after: fc.dictionary(nodeKey, nodeTree, { maxKeys: 2, noNullPrototype: true }), first: fc.boolean() })
    .map(({ before, items, after, first }): Record<string, Tree> => ({ ...before, spec: first ? { nodes: items, ...after } : { ...after, nodes: items } }));
  const document = fc
    .record({ root: fc.dictionary(key, tree, { minKeys: 1, maxKeys: 4, noNullPrototype: true }), st: style, salt: fc.nat(100) })
    .map(({ root, st, salt }) => `${st.header ? '---\n' : ''}${blockLines(root, 0, st, salt).join('\n')}\n`);

  it('agrees with js-yaml and the yaml library on random block-style texts, edited or not', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(document, fc.array(edit, { maxLength: 2 }), (text, edits) => {
        const t = applyEdits(text, edits);
        runs++;
        let ok = false;
        try {
          parse(t);
          ok = true;
        } catch {
          // Not YAML: the fast reader must not take it (its filters, then the line reader, then js-yaml).
          expect(fastRoot(t)).toBeUndefined();
          expectSameUnread(t);
        }
        if (ok && expectSameOrGiveUp(t)) taken++;
      }),
      fuzzParams(0.05),
    );
    // The generator reaches both sides: most texts are read, some given up on.
    expect(taken).toBeGreaterThan(runs / 5);
    expect(taken).toBeLessThan(runs);
  });

  it.each([
    ['a plain scalar item going on to the next line (valid YAML, js-yaml reads it)', 'spec:\n  nodes:\n  - name: n1\n  - a\n    b\n  x: 1\n'],
    ['a line between the item\'s dash and its keys (not YAML)', 'spec:\n  nodes:\n    - name: n1\n    - name: n2\n      x: 1\n     y: 2\n'],
  ])('leaves spec.nodes unread, and gives up on reading an item with %s, as on the whole text', (_what, text) => {
    expect(simpleRoot(text)).toBeUndefined();
    const unread = unreadOf(text);
    expect(unread?.length).toBe(2);
    expect(unread?.item(0)).toEqual({ kind: 'map', start: text.indexOf('name: n1'), items: [{ key: { kind: 'scalar', start: text.indexOf('name: n1'), end: text.indexOf('name: n1'), value: 'name' }, value: expect.objectContaining({ value: 'n1' }) }] });
    expect(() => unread?.item(1)).toThrow(NotSimple);
  });

  it('reads the items of spec.nodes it left unread as it reads them in place, or gives up on the text', () => {
    let runs = 0;
    let unread = 0;
    fc.assert(
      fc.property(nodesRoot, style, fc.nat(100), fc.array(edit, { maxLength: 1 }), (root, st, salt, edits) => {
        const t = applyEdits(`${blockLines(root, 0, { ...st, flow: st.flow === 'always' ? 'leaves' : st.flow }, salt).join('\n')}\n`, edits);
        runs++;
        // The whole reading against the one that leaves items unread, whatever the text; and
        // js-yaml's path's, when the filters pass it.
        expectSameUnread(t);
        if (hasUnread(simpleRoot(t, { unreadNodes: true }))) unread++;
        if (fastRoot(t) !== undefined) expectSameOrGiveUp(t);
      }),
      fuzzParams(0.05),
    );
    expect(unread).toBeGreaterThan(runs / 5);
  });

  it('leaves only the items of the root\'s spec.nodes unread, not lists of other keys named nodes', () => {
    const text = [
      'nodes:',
      '- a',
      'metadata:',
      '  nodes:',
      '  - b',
      'spec:',
      '  protectedServers:',
      '  - name: s',
      '    runsOn:',
      '      nodes:',
      '      - c',
      '  nodes:',
      '  - name: n1',
      '  x:',
      '    nodes:',
      '    - d',
      // A `spec` inside another mapping is not the root's (found by review).
      '  y:',
      '    spec:',
      '      nodes:',
      '      - e',
      '',
    ].join('\n');
    const root = simpleRoot(text, { unreadNodes: true });
    expect(readAll(root)).toStrictEqual(simpleRoot(text));
    // Every unread list in the tree: the one of spec.nodes.
    const unread: string[] = [];
    const walk = (node: SpecNode | null, path: string): void => {
      if (node === null) return;
      if (unreadItems(node)) unread.push(path);
      if (node.kind === 'map') for (const p of node.items) walk(p.value, `${path}.${String(p.key?.kind === 'scalar' ? p.key.value : '?')}`);
      if (node.kind === 'seq') node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    };
    walk(root ?? null, '');
    expect(unread).toEqual(['.spec.nodes']);
  });
});

describe('the nodes read straight from their lines', () => {
  /** Names and addresses NodeItem takes, and the ones next to them it must leave to the tree. */
  const tricky = fc.oneof(fc.constantFrom('fd00::1', '007', '1e3', '12', 'null', 'True', 'no', '*', 'a b', '-x', 'x#y', "it's", 'x:', '1.5', '~'), fc.stringMatching(/^[A-Za-z0-9._:-]{1,8}$/));
  const value = fc.oneof({ arbitrary: fc.constantFrom('node-1', 'n', 'eth0', 'bond0.100', 'a_b', 'x-1.y', 'A9'), weight: 12 }, { arbitrary: tricky, weight: 1 });
  const address = fc.oneof(
    { arbitrary: fc.constantFrom('10.0.0.1', '"fd00::1"', '"10.0.0.2"', '192.168.1.1', 'fd00'), weight: 12 },
    { arbitrary: tricky, weight: 1 },
    { arbitrary: tricky.map((v) => `"${v}"`), weight: 1 },
  );
  const iface = fc.record({ name: value, ips: fc.option(fc.array(address, { maxLength: 3 }), { nil: undefined }) });
  const item = fc.record({ name: value, interfaces: fc.array(iface, { minLength: 0, maxLength: 3 }), underKey: fc.boolean() });
  /** Items written as nodes import writes them, the interfaces' dashes under their key or at its indentation. */
  const itemLines = (it: { name: string; interfaces: { name: string; ips?: string[] }[]; underKey: boolean }): string[] => {
    const dash = it.underKey ? '      ' : '    ';
    return [
      `  - name: ${it.name}`,
      '    interfaces:',
      ...it.interfaces.flatMap((f) => [`${dash}- name: ${f.name}`, ...(f.ips === undefined ? [] : [`${dash}  expectedIPs: [${f.ips.join(', ')}]`])]),
    ];
  };

  it('reads a node only as the tree of its lines holds it, and only where the tree reads it', () => {
    let runs = 0;
    let direct = 0;
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 3 }), fc.array(edit, { maxLength: 1 }), fc.boolean(), fc.boolean(), (items, edits, deeper, keyAfter) => {
        // The nodes' dashes at their key's indentation or deeper; maybe another key of spec after them.
        const lines = items.flatMap(itemLines).map((l) => (deeper ? `  ${l}` : l));
        const t = applyEdits(['spec:', '  nodes:', ...lines, ...(keyAfter ? ['  approach: deny-list'] : []), ''].join('\n'), edits);
        runs++;
        const unread = unreadOf(t);
        for (let i = 0; unread && i < unread.length; i++) {
          const node = unread.node(i);
          if (node === undefined) continue;
          direct++;
          // The tree reads the same lines without giving up, and holds just this.
          expect(commonShape(unread.item(i))).toEqual({ node });
        }
      }),
      fuzzParams(0.1),
    );
    // Most texts have a node read straight from its lines.
    expect(direct).toBeGreaterThan(runs / 3);
  });

  const withItem = (lines: readonly string[]): string => ['spec:', '  nodes:', ...lines, '  - name: last', '    interfaces:', '      - name: eth0', ''].join('\n');

  it.each([
    ['expectedIPs a column too deep', ['      - name: eth0', '         expectedIPs: [10.0.0.1]']],
    ['expectedIPs two columns too deep', ['      - name: eth0', '          expectedIPs: [10.0.0.1]']],
    ['expectedIPs a column short', ['      - name: eth0', '       expectedIPs: [10.0.0.1]']],
    ['an interface a column out', ['      - name: eth0', '     - name: eth1']],
    ['an interface a column in', ['      - name: eth0', '       - name: eth1']],
    ['no interface under interfaces', []],
    ['a trailing comment', ['      - name: eth0 # the first']],
    ['a comma without its space', ['      - name: eth0', '        expectedIPs: [10.0.0.1,10.0.0.2]']],
    ['a plain IPv6 address', ['      - name: eth0', '        expectedIPs: [fd00::1]']],
  ])('leaves a node with %s to the tree', (_what, interfaceLines) => {
    const unread = unreadIn(withItem(['  - name: n1', '    interfaces:', ...interfaceLines]));
    expect(unread.length).toBe(2);
    expect(unread.node(0)).toBeUndefined();
    // The last item, written as nodes import writes it, is read from its lines.
    expect(unread.node(1)).toEqual({ name: 'last', interfaces: [{ name: 'eth0', expectedIPs: [] }] });
  });

  it('reads a node from its lines past comment and blank lines, with its list deeper than its key, before more keys of spec', () => {
    const text = ['spec:', '  nodes:', '      - name: n1', '        # the node', '', '        interfaces:', '        - name: eth0', '          expectedIPs: [10.0.0.1, "fd00::1"]', '  # between', '        - name: eth1', '          expectedIPs: []', '  approach: deny-list', ''].join('\n');
    const unread = unreadIn(text);
    expect(unread.node(0)).toEqual({ name: 'n1', interfaces: [{ name: 'eth0', expectedIPs: ['10.0.0.1', 'fd00::1'] }, { name: 'eth1', expectedIPs: [] }] });
    expect(commonShape(unread.item(0))).toEqual({ node: unread.node(0) });
  });

  it("reads the benchmark's fleet without a tree", () => {
    const unread = unreadIn(fleetSpec(fleetCase(40, 'deny-list')));
    expect(unread.length).toBe(40);
    for (let i = 0; i < 40; i++) {
      expect(unread.node(i)).toBeDefined();
      expect(commonShape(unread.item(i))).toEqual({ node: unread.node(i) });
    }
  });
});
