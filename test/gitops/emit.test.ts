import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { emitYaml, yamlText } from '../../lib/gitops/emit';
import { needsQuotes } from '../../lib/gitops/scalars';
import { CLUSTERS } from '../support/cli';
import { compileOk, compileText, ROOT } from '../support/compile';

const specs = [
  ...CLUSTERS.map((name) => `clusters/${name}.yaml`),
  ...fs.readdirSync(path.join(ROOT, 'test/fixtures/clusters')).filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/clusters/${f}`),
];

/** Characters of selectors, names, addresses and the YAML indicators that change quoting. */
const tricky = fc.string({
  unit: fc.constantFrom(...'aZ09_-./:@=,()|&!"\' {}[]#?*%`>~+<\t\\é'.split(''), 'true', 'null', '0x1', '1e5', '.5', ': ', ' #', 'yes', 'y', 'on', '0b1', '0o7', '1_0', '2001-12-14'),
  maxLength: 12,
});
/** Names as Calico objects have them, so the fast path is exercised as well as the fallback. */
const name = fc.stringMatching(/^[a-z][a-z0-9./-]{0,10}$/);
const scalarArb = fc.oneof(tricky, name, fc.integer({ min: -1000, max: 100000 }));
const objectArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarArb, tie('map'), fc.array(tie('value'), { maxLength: 3 })),
  map: fc.dictionary(fc.oneof({ weight: 9, arbitrary: name }, { weight: 1, arbitrary: tricky }), tie('value'), { maxKeys: 4 }),
}));

describe('emitYaml', () => {
  it.each(specs)('can write every object compiled from %s exactly as yamlText does', (spec) => {
    const { objects } = compileOk(spec);
    // The loop below must check something.
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      const fast = emitYaml(o as unknown as Record<string, unknown>);
      expect(fast).toBeDefined();
      expect(fast).toBe(yamlText(o));
    }
  });

  it('can write random objects exactly as yamlText does, or leave them to it', () => {
    let fastCount = 0;
    fc.assert(
      fc.property(objectArb.map, (o) => {
        const fast = emitYaml(o as Record<string, unknown>);
        if (fast !== undefined) {
          fastCount++;
          expect(fast).toBe(yamlText(o));
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
    // The fast path must actually be exercised, not always fall back.
    expect(fastCount).toBeGreaterThan(300);
  });

  it('can write names of the form it takes for plain without checks as yamlText does', () => {
    // lib/gitops/emit.ts SURELY_PLAIN: a letter other than e/E, then letters, digits, . - /, six or more.
    const surely = fc.stringMatching(/^[A-DF-Za-df-z][A-Za-z0-9./-]{5,12}$/);
    // The forms next to it, which take the checks: what the checks say must hold as well; with
    // the characters that need quotes (`:`, `#`, quotes, a space), so that a SURELY_PLAIN that
    // took one of them is caught (found by review).
    const near = fc.stringMatching(/^[A-Za-z0-9.+-][A-Za-z0-9./_ :#"'eE-]{0,10}$/);
    fc.assert(
      fc.property(surely, near, (s, t) => {
        const o = { [`k-${s.length}`]: s };
        expect(emitYaml(o)).toBe(yamlText(o));
        const p = { k: t };
        const fast = emitYaml(p);
        if (fast !== undefined) expect(fast).toBe(yamlText(p));
      }),
      { numRuns: 3000, seed: 7 },
    );
    for (const s of ['node-00001.eth0', 'node-1:', 'abcdef:', 'abcdef#x', 'abcdef x', "abcdef'", 'True.x', 'yes-no', 'Infinity', 'NaN-1', 'y.1.2.3', 'e10000', 'E-5.5.5', 'false', 'FALSE', 'True', 'Null', 'off']) expect([s, emitYaml({ a: s })]).toEqual([s, yamlText({ a: s })]);
    // Dotted quads, and the numbers next to them.
    const quad = fc.stringMatching(/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/);
    fc.assert(
      fc.property(quad, (s) => {
        expect(emitYaml({ a: s })).toBe(yamlText({ a: s }));
        expect(emitYaml({ a: s })).toBe(`a: ${s}\n`);
      }),
      { numRuns: 2000, seed: 11 },
    );
    for (const s of ['10.0.0.1', '0.0.0.0', '1.2.3', '1.2', '12.5', '1e5', '1.2.3.4.5', '0:1:2.3']) expect([s, emitYaml({ a: s })]).toEqual([s, yamlText({ a: s })]);
  });

  it.each([
    ['a plain selector', { selector: 'running-calico == "true"' }, 'selector: running-calico == "true"\n'],
    ['a quoted label value', { labels: { a: 'true' } }, 'labels:\n  a: "true"\n'],
    ['a list of maps', { ingress: [{ action: 'Allow', ports: [9091] }] }, 'ingress:\n  - action: Allow\n    ports:\n      - 9091\n'],
    ['an empty list', { nets: [] }, 'nets: []\n'],
  ])('can write %s', (_name, o, expected) => {
    expect(emitYaml(o)).toBe(expected);
  });

  it.each([
    ['a value with a newline', { a: 'x\ny' }],
    ['a boolean', { a: true }],
    ['a nested list', { a: [[1]] }],
    ['a fraction', { a: 1.5 }],
    ['an empty object', {}],
  ])('fails over to yaml for %s', (_name, o) => {
    expect(emitYaml(o)).toBeUndefined();
  });
});

/** Both YAML versions `yaml` implements: 1.1 (yes/no/on/off, 0b…, 012, 1_000, 1:20, timestamps) and 1.2 core. */
const read = (text: string, version: '1.1' | '1.2'): unknown[] => parseAllDocuments(text, { version }).map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);

/** Strings that some reader of dist/ resolves to a non-string when plain, and which reader. */
const AMBIGUOUS: readonly [string, string][] = [
  ['yes', 'YAML 1.1 bool; go-yaml v2 resolve.go:37'],
  ['Y', 'YAML 1.1 bool; go-yaml v2'],
  ['n', 'YAML 1.1 bool; go-yaml v2'],
  ['on', 'YAML 1.1 bool; go-yaml v2'],
  ['OFF', 'YAML 1.1 bool; go-yaml v2'],
  ['true', 'YAML 1.2 core bool; go-yaml v3 resolveMapList'],
  ['Null', 'YAML 1.2 core null'],
  ['~', 'YAML 1.2 core null'],
  ['0b101', 'YAML 1.1 binary int; go-yaml v3 resolve: 0b prefix'],
  ['-0b1', 'go-yaml v3 resolve: -0b prefix'],
  ['1_000', 'YAML 1.1 int; go-yaml: ParseInt after removing "_"'],
  ['0o17', 'YAML 1.2 octal; go-yaml v3 resolve: 0o prefix'],
  ['012', 'YAML 1.1 octal; Go ParseInt(s, 0, 64) reads 012 as octal'],
  ['0x1F', 'YAML 1.2 hex; Go ParseInt base 0'],
  ['08', 'go-yaml yamlStyleFloat (08 is not octal, but is a float)'],
  ['1e3', 'YAML 1.2 float; go-yaml yamlStyleFloat'],
  ['.5', 'YAML 1.2 float; go-yaml ParseFloat for a leading "."'],
  ['1:20', 'YAML 1.1 base 60 int (80)'],
  ['2001-12-14', 'YAML 1.1 timestamp; go-yaml v3 parseTimestamp "2006-1-2"'],
  ['2001-12-14t21:59:43.10-05:00', 'YAML 1.1 timestamp; go-yaml v3 parseTimestamp'],
  ['.inf', 'YAML 1.2 float'],
  ['e0', "the yaml library's YAML 1.1 exponent float"],
  ['1e_5', 'go-yaml removes "_" before ParseFloat'],
  ['0_x1', 'go-yaml removes "_" before ParseInt(s, 0, 64): 0x1'],
  ['0_o7', 'go-yaml removes "_" before its 0o branch'],
  ['<<', 'merge key'],
  ['=', 'YAML 1.1 value key'],
];

/** Strings every reader keeps as strings: they stay plain. */
const PLAIN_STRINGS = ['10.100.0.15', '1.2.3', 'ip-10-0-0-1', 'kubeadm-node-0', 'eth0', 'yesterday', 'node-0x1', 'a1_000', 'calico-system', 'running-calico == "true"', 'v1.2', 'e', '0e'];

describe('quoting for every reader of dist/', () => {
  it.each(AMBIGUOUS)('fails to write %s plain (%s)', (value) => {
    expect(needsQuotes(value)).toBe(true);
    const text = emitYaml({ metadata: { labels: { app: value }, namespace: value }, spec: { node: value, selector: value } });
    expect(text).toBe(`metadata:\n  labels:\n    app: "${value}"\n  namespace: "${value}"\nspec:\n  node: "${value}"\n  selector: "${value}"\n`);
    for (const version of ['1.1', '1.2'] as const) expect(read(text ?? '', version)).toEqual([{ metadata: { labels: { app: value }, namespace: value }, spec: { node: value, selector: value } }]);
  });

  it.each(PLAIN_STRINGS)('can write %s plain, read back as the same string by YAML 1.1 and 1.2', (value) => {
    expect(needsQuotes(value)).toBe(false);
    for (const version of ['1.1', '1.2'] as const) expect(parse(`a: ${value}\n`, { version })).toEqual({ a: value });
  });

  it('can quote an ambiguous key as well as a value (the fast path leaves such keys to yamlText)', () => {
    const o = { labels: { y: 'n', '012': '0x1F' } };
    expect(yamlText(o)).toBe('labels:\n  "y": "n"\n  "012": "0x1F"\n');
    expect(emitYaml(o)).toBeUndefined();
  });

  it('can write random strings that YAML 1.1 and 1.2 both read back as written', () => {
    const digitsAndSigns = fc.string({ unit: fc.constantFrom(...'0123456789+-._:eExXoObBabfnoyY tT'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(fc.oneof(digitsAndSigns, tricky), (value) => {
        const text = yamlText({ a: value, [value]: 'k' });
        for (const version of ['1.1', '1.2'] as const) expect(parse(text, { version })).toEqual({ a: value, [value]: 'k' });
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it.each(specs)('can read every file compiled from %s alike with a YAML 1.1 and a YAML 1.2 reader', (spec) => {
    const { files } = compileOk(spec);
    const yamlFiles = files.filter((f) => f.path.endsWith('.yaml'));
    expect(yamlFiles.length).toBeGreaterThan(0);
    for (const f of yamlFiles) expect(read(f.content, '1.1')).toEqual(read(f.content, '1.2'));
  });
});

describe('a spec whose names and labels look like other YAML types', () => {
  // Each value is a valid Kubernetes name or label value and a string in the spec (YAML 1.2),
  // but a boolean, number or timestamp to some reader of dist/ if written plain.
  const spec = [
    'apiVersion: calico-shield/v1alpha1',
    'kind: Cluster',
    'spec:',
    '  approach: deny-list',
    '  nodes:',
    '    - name: "0x1f"',
    '      labels: {zone: "yes", rack: "012", since: "2001-12-14"}',
    '      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]',
    '    - name: "1e3"',
    '      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]',
    '  protectedServers:',
    '    - name: etcd',
    '      port: 2379',
    '      runsOn: {nodeSelector: {zone: "yes"}}',
    '      allowedClients:',
    '        workloads: [{namespace: "012", labels: {app: "on", tier: "1_000"}}]',
    '',
  ].join('\n');

  it('can compile it into objects every reader reads as written', () => {
    const r = compileText(spec, 'look-alike');
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const files = (r.files ?? []).filter((f) => f.path.endsWith('.yaml'));
    const objects = files.flatMap((f) => read(f.content, '1.2'));
    for (const f of files) expect(read(f.content, '1.1')).toEqual(read(f.content, '1.2'));
    // The values are the spec's strings, in every object that carries them.
    const heps = objects.filter((o): o is { kind: string; spec: { node: string }; metadata: { labels: Record<string, string> } } => (o as { kind?: string }).kind === 'HostEndpoint');
    expect(heps.map((h) => h.spec.node).sort()).toEqual(['0x1f', '1e3']);
    expect(heps.find((h) => h.spec.node === '0x1f')?.metadata.labels).toEqual(expect.objectContaining({ zone: 'yes', rack: '012', since: '2001-12-14' }));
    const text = files.map((f) => f.content).join('');
    expect(text).toContain('node: "0x1f"');
    expect(text).toContain('zone: "yes"');
    expect(text).toContain('since: "2001-12-14"');
  });
});
