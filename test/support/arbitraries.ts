/**
 * fast-check arbitraries for cluster specs: hostile strings, random specs, and mutations of
 * known-good specs (the example clusters and a few more seeds).
 *
 * Specs are generated as plain data and written with the `yaml` package, so a string stays a
 * string whatever it holds; the text mutations then break the YAML itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { EXAMPLES } from './paths';

/** A YAML document as plain data. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Fragments that mean something to Calico's selector lexer, to YAML, or to a reader's eye:
 * quotes and operators, blanks and line breaks, look-alike letters (Cyrillic а U+0430, е U+0435,
 * Greek ο U+03BF, fullwidth ａ U+FF41), invisible characters (zero-width joiner and space,
 * byte-order mark, no-break space) and YAML indicators.
 */
const HOSTILE_FRAGMENTS: readonly string[] = [
  '"', "'", '||', '&&', '(', ')', '!', '{', '}', ',', '==', '!=', ' in {', ' not in {', 'has(', 'all()', 'global()',
  ' ', '\t', '\n', '\r\n', '\r', '\u2028', '\u0000', '\u007f',
  '\u0430', '\u0435', '\u03bf', '\uff41', '\u200d', '\u200b', '\ufeff', '\u00a0',
  '#', ': ', '- ', '&a', '*a', '%', '@', '`', '\\', '/', '.', '-', '_', '*', '~', '?', '|', '>',
];

const LOWER_ALNUM = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const ALNUM = [...LOWER_ALNUM, ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
/**
 * Strings of these characters. (An array joined, rather than fc.string with a custom unit, which
 * rebuilds a lookup table for every value and would cost more than compiling the spec.)
 */
const chars = (set: readonly string[], minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...set), { minLength, maxLength }).map((a) => a.join(''));

/** `maxLength` characters at most, from `edge` at both ends and `middle` in between. */
const word = (edge: readonly string[], middle: readonly string[], maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...edge) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom(...edge), chars(middle, 0, maxLength - 2), fc.constantFrom(...edge))
        .map(([a, m, z]) => `${a}${m}${z}`),
    },
  );

/** Strings of hostile fragments and letters: what an attacker or a bad copy-paste puts in a spec. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), word(LOWER_ALNUM, LOWER_ALNUM, 6)), { minLength: 1, maxLength: 6 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(10_240), `${'a'.repeat(5000)}"||"${'b'.repeat(5000)}`, 'а'.repeat(64), '\u200d'.repeat(100), '') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

const DNS_MIDDLE = [...LOWER_ALNUM, '-'];
const dnsLabel = (maxLength = 63): fc.Arbitrary<string> =>
  fc.oneof({ weight: 6, arbitrary: word(LOWER_ALNUM, DNS_MIDDLE, 12) }, { weight: 1, arbitrary: word(LOWER_ALNUM, DNS_MIDDLE, maxLength) });
const dnsSubdomain: fc.Arbitrary<string> = fc.array(dnsLabel(20), { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
const labelName = word(ALNUM, [...ALNUM, '-', '_', '.'], 20);
const labelKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: labelName },
  { weight: 1, arbitrary: fc.tuple(dnsSubdomain, labelName).map(([p, n]) => `${p}/${n}`) },
);
const labelValue: fc.Arbitrary<string> = fc.oneof({ weight: 6, arbitrary: labelName }, { weight: 1, arbitrary: fc.constant('') });
const interfaceName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('eth0', 'eth1', 'ens3', 'bond0.100', '*', 'wg0', 'vxlan.calico', 'cali_x', 'Eth0', 'all-interfaces'),
  chars([...ALNUM, '_', '-'], 1, 15),
);

/** An IPv4 network with its host bits cleared, as calico-shield wants it. */
const canonicalCidr: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([n, p]) => {
      const masked = p === 0 ? 0 : p === 32 ? n : (n & ~(2 ** (32 - p) - 1)) >>> 0;
      return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${p}`;
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('2001:db8::/32', 'fd00::/8', '::/0', '2001:db8:1::/48', 'fe80::1/128') },
);
/** Networks with host bits set, prefixes out of range, any IPv6 text. */
const sloppyCidr: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 33 })).map(([ip, p]) => `${ip}/${p}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 129 })).map(([ip, p]) => `${ip}/${p}`),
  fc.ipV4(),
);

/**
 * How hostile a generated spec is: a clean spec uses only valid values (it may still break a
 * rule that spans fields, such as a duplicate address); a dirty one mixes in hostile strings,
 * wrong types and sloppy addresses.
 */
interface Flavour {
  /** A valid value, or now and then a hostile string. */
  readonly mostly: <T>(valid: fc.Arbitrary<T>) => fc.Arbitrary<T | string>;
  readonly ip: fc.Arbitrary<string>;
  readonly cidr: fc.Arbitrary<string>;
  readonly port: fc.Arbitrary<Json>;
  readonly protocol: fc.Arbitrary<Json>;
  readonly clean: boolean;
}

const CLEAN: Flavour = {
  mostly: (valid) => valid,
  ip: fc.oneof({ weight: 3, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: fc.ipV6() }),
  cidr: canonicalCidr,
  port: fc.integer({ min: 1, max: 65535 }),
  protocol: fc.constantFrom('TCP', 'UDP'),
  clean: true,
};

const DIRTY: Flavour = {
  mostly: (valid) => fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: hostileString }),
  ip: fc.oneof({ weight: 4, arbitrary: fc.ipV4() }, { weight: 2, arbitrary: fc.ipV6() }, { weight: 1, arbitrary: fc.ipV4Extended() }),
  cidr: fc.oneof({ weight: 3, arbitrary: canonicalCidr }, { weight: 1, arbitrary: sloppyCidr }),
  port: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 65535 }) },
    { weight: 1, arbitrary: fc.constantFrom<Json>(0, -1, 65536, 70000, 9091.5, '9091', true, null, 1e21) },
  ),
  protocol: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('TCP', 'UDP') }, { weight: 1, arbitrary: fc.constantFrom('tcp', 'SCTP', '6', ' TCP') }),
  clean: false,
};

/** A reference to a node: a number picks one of the spec's nodes, a string is written as is. */
type NodeRef = number | string;

function resolveRefs(refs: readonly NodeRef[] | undefined, nodeNames: readonly Json[], clean: boolean): Json[] | undefined {
  const names = refs?.map((r) => (typeof r === 'number' ? (nodeNames[r % Math.max(1, nodeNames.length)] ?? 'no-such-node') : r));
  return clean && names ? [...new Set(names)] : names;
}

function specOf(name: string, f: Flavour): fc.Arbitrary<Json> {
  const labels: fc.Arbitrary<Json> = fc.dictionary(f.mostly(labelKey), f.mostly(labelValue), { minKeys: 1, maxKeys: 3 });
  const workloads: fc.Arbitrary<Json> = fc.array(fc.record({ namespace: f.mostly(dnsLabel()), labels }, { requiredKeys: ['labels'] }), { minLength: 1, maxLength: 2 });
  const nets: fc.Arbitrary<Json> = fc.uniqueArray(f.mostly(f.cidr), { minLength: 1, maxLength: 3 });
  const nodeRefs = fc.array(f.clean ? fc.nat() : fc.oneof({ weight: 8, arbitrary: fc.nat() }, { weight: 1, arbitrary: hostileString }), { minLength: 1, maxLength: 2 });
  const node = fc.record({
    name: f.mostly(dnsSubdomain),
    interfaces: fc.uniqueArray(
      fc.record({ name: f.mostly(interfaceName), expectedIPs: fc.uniqueArray(f.mostly(f.ip), { maxLength: 2 }) }, { requiredKeys: ['name'] }),
      { minLength: 1, maxLength: 2, selector: (i) => i.name },
    ),
  });
  const server = fc.record(
    {
      name: f.mostly(dnsLabel(46)),
      protocol: f.protocol,
      port: f.port,
      runsOn: fc.record({ nodes: nodeRefs, workloads }, { requiredKeys: [] }),
      allowedClients: fc.record({ workloads, nodes: nodeRefs, nets }, { requiredKeys: [] }),
    },
    { requiredKeys: ['name', 'port', 'runsOn'] },
  );
  const metrics: fc.Arbitrary<Json> = fc.record(
    {
      accessLabel: f.mostly(labelKey),
      allowedNets: nets,
      calicoNode: fc.record({ port: f.port }, { requiredKeys: [] }),
      typha: fc.record({ port: f.port }, { requiredKeys: [] }),
      kubeControllers: fc.record({ port: f.port, podLabels: labels }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );
  const failsafeEntry: fc.Arbitrary<Json> = fc.record({ protocol: f.protocol, port: f.port, net: f.mostly(f.cidr) }, { requiredKeys: ['protocol', 'port'] });
  const failsafe: fc.Arbitrary<Json> = fc.record(
    {
      inbound: fc.uniqueArray(failsafeEntry, { maxLength: 3, selector: (e) => JSON.stringify(e) }),
      outbound: fc.uniqueArray(failsafeEntry, { maxLength: 3, selector: (e) => JSON.stringify(e) }),
    },
    { requiredKeys: [] },
  );
  const rare = <T>(valid: fc.Arbitrary<T>, broken: fc.Arbitrary<T>): fc.Arbitrary<T> => (f.clean ? valid : fc.oneof({ weight: 20, arbitrary: valid }, { weight: 1, arbitrary: broken }));
  return fc
    .record(
      {
        apiVersion: rare(fc.constant('calico-shield/v1alpha1'), fc.constantFrom('calico-shield/v1', 'v1alpha1')),
        kind: rare(fc.constant('Cluster'), fc.constant('cluster')),
        metadataName: fc.option(rare(fc.constant(name), hostileString)),
        approach: rare(fc.constantFrom('deny-list', 'allow-list'), hostileString),
        calicoVersion: fc.option(rare(fc.constantFrom('v3.30', 'v3.31', 'v3.32'), fc.constantFrom('v3.29', 'v3.31.7', '3.32'))),
        calicoNamespace: fc.option(f.mostly(fc.constantFrom('calico-system', 'kube-system', 'tigera-operator'))),
        nodes: fc.uniqueArray(node, { minLength: f.clean ? 1 : 0, maxLength: 2, selector: (n) => n.name }),
        metrics: fc.option(metrics),
        servers: fc.uniqueArray(server, { maxLength: 2, selector: (s) => s.name }),
        failsafe: fc.option(failsafe, { freq: 4 }),
        // Mostly a routed cluster without NAT (the other environments make many specs unsafe
        // on purpose, which the environment tests cover), sometimes the others.
        environment: fc.constantFrom<Json>(
          { install: 'manifests', ipPools: [{ cidr: '192.168.0.0/16', natOutgoing: false }], encapsulation: 'None' },
          { install: 'manifests', ipPools: [{ cidr: '192.168.0.0/16', natOutgoing: false }], encapsulation: 'None' },
          { install: 'manifests', ipPools: [{ cidr: '192.168.0.0/16', natOutgoing: false }], encapsulation: 'None' },
          { install: 'manifests', encapsulation: 'VXLAN', natOutgoingExclusions: 'IPPoolsAndHostIPs' },
          { install: 'operator', natOutgoingExclusions: 'IPPoolsAndHostIPs', wireguard: true },
        ),
      },
      { requiredKeys: ['apiVersion', 'kind', 'metadataName', 'approach', 'nodes', 'servers', 'environment'] },
    )
    .map((r) => {
      const nodeNames = r.nodes.map((n) => n.name);
      const servers: Json[] = r.servers.map((s) => {
        const runsOn: { [key: string]: Json } = {};
        const runsOnNodes = resolveRefs(s.runsOn.nodes, nodeNames, f.clean);
        if (runsOnNodes) runsOn.nodes = runsOnNodes;
        if (s.runsOn.workloads) runsOn.workloads = s.runsOn.workloads;
        const out: { [key: string]: Json } = { name: s.name, port: s.port, runsOn };
        if (s.protocol !== undefined) out.protocol = s.protocol;
        if (s.allowedClients) {
          const c = s.allowedClients;
          const clientNodes = resolveRefs(c.nodes, nodeNames, f.clean);
          out.allowedClients = { ...(c.workloads ? { workloads: c.workloads } : {}), ...(clientNodes ? { nodes: clientNodes } : {}), ...(c.nets ? { nets: c.nets } : {}) };
        }
        return out;
      });
      const spec: { [key: string]: Json } = {};
      // A clean spec keeps to its minor's fields: v3.30 has no natOutgoingExclusions.
      if (r.calicoVersion !== undefined && r.calicoVersion !== null) {
        spec.calicoVersion = f.clean && r.calicoVersion === 'v3.30' && JSON.stringify(r.environment).includes('natOutgoingExclusions') ? 'v3.31' : r.calicoVersion;
      }
      spec.approach = r.approach;
      spec.environment = r.environment;
      if (r.calicoNamespace !== undefined && r.calicoNamespace !== null) spec.calicoNamespace = r.calicoNamespace;
      if (r.nodes.length > 0) spec.nodes = r.nodes;
      if (r.metrics !== undefined && r.metrics !== null) spec.metrics = r.metrics;
      if (servers.length > 0) spec.protectedServers = servers;
      if (r.failsafe !== undefined && r.failsafe !== null) spec.failsafe = r.failsafe;
      return {
        apiVersion: r.apiVersion,
        kind: r.kind,
        ...(r.metadataName !== null ? { metadata: { name: r.metadataName } } : {}),
        spec,
      };
    });
}

/**
 * A random cluster spec for `clusters/<name>.yaml`: half of them clean (valid values only),
 * half dirty (hostile strings, wrong types and sloppy addresses mixed in), so both the
 * accepted and the rejected path are exercised. Written in block style by the `yaml` package
 * or as JSON, which is YAML 1.2 flow style (and much faster to write).
 */
export function randomSpecText(name: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.oneof(specOf(name, CLEAN), specOf(name, DIRTY)), fc.boolean())
    .map(([spec, asJson]) => (asJson ? JSON.stringify(spec, null, 1) : specYaml(spec)));
}

/** Writes spec data as YAML, the way a tool would (strings quoted where YAML needs it). */
export function specYaml(spec: Json): string {
  return stringify(spec, { lineWidth: 0 });
}


// ---------------------------------------------------------------------------------------------
// Seeds and mutations

export interface Seed {
  /** The cluster name, i.e. the file's base name. */
  readonly name: string;
  readonly text: string;
}

/** Seeds beyond clusters/: servers on workloads, failsafe lists, pod labels, interface "*". */
const EXTRA_SEEDS: readonly Seed[] = [
  {
    name: 'workloads',
    text: `apiVersion: calico-shield/v1alpha1
kind: Cluster
metadata:
  name: workloads
spec:
  approach: deny-list
  calicoNamespace: kube-system
  nodes:
    - name: node-a.example.com
      interfaces:
        - name: "*"
        - name: bond0.100
          expectedIPs: ["2001:db8::1", 192.0.2.10]
  metrics:
    accessLabel: example.com/metrics
    kubeControllers:
      port: 9095
      podLabels: {k8s-app: calico-kube-controllers, tier: control}
  protectedServers:
    - name: dns
      protocol: UDP
      port: 53
      runsOn:
        workloads:
          - namespace: kube-system
            labels: {k8s-app: kube-dns}
      allowedClients:
        workloads:
          - labels: {dns-client: "true"}
        nets: ["2001:db8:1::/48", 10.0.0.0/8]
`,
  },
  {
    name: 'failsafe',
    text: `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: allow-list
  nodes:
    - name: n1
      interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]
    - name: n2
      interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]
  failsafe:
    inbound:
      - {protocol: TCP, port: 22}
      - {protocol: TCP, port: 6443, net: 10.0.0.0/8}
    outbound:
      - {protocol: UDP, port: 53}
  protectedServers:
    - name: api
      port: 6443
      runsOn: {nodes: [n1]}
      allowedClients: {nodes: [n2]}
`,
  },
];

/** The example clusters (their copies in test/fixtures/examples/) plus {@link EXTRA_SEEDS}: each compiles without findings. */
export function seeds(): Seed[] {
  const examples = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), text: readFileSync(join(EXAMPLES, f), 'utf8') }));
  return [...examples, ...EXTRA_SEEDS];
}

/** Every key the spec format knows, for renames that look like typos or moves. */
const KNOWN_KEYS = [
  'apiVersion', 'kind', 'metadata', 'name', 'spec', 'approach', 'calicoNamespace', 'calicoVersion', 'nodes', 'interfaces',
  'expectedIPs', 'metrics', 'accessLabel', 'allowedNets', 'calicoNode', 'typha', 'kubeControllers', 'port', 'podLabels',
  'protectedServers', 'protocol', 'runsOn', 'workloads', 'namespace', 'labels', 'allowedClients', 'nets', 'failsafe',
  'inbound', 'outbound', 'net',
];

/** A change to the spec's data, applied to the node that `pick` selects (modulo the candidates). */
type Mutation =
  | { readonly kind: 'delete'; readonly pick: number }
  | { readonly kind: 'duplicate'; readonly pick: number }
  | { readonly kind: 'replace'; readonly pick: number; readonly value: Json }
  | { readonly kind: 'rename'; readonly pick: number; readonly key: string };

/** A change to the spec's text, on line `line` (modulo the line count). */
type TextMutation =
  | { readonly kind: 'indent'; readonly line: number; readonly delta: number }
  | { readonly kind: 'tab'; readonly line: number }
  | { readonly kind: 'inject'; readonly line: number; readonly col: number; readonly token: string }
  | { readonly kind: 'raw-value'; readonly line: number; readonly token: string }
  | { readonly kind: 'duplicate-line'; readonly line: number }
  | { readonly kind: 'delete-line'; readonly line: number }
  | { readonly kind: 'swap-lines'; readonly line: number; readonly other: number };

/** Scalars YAML reads in surprising ways, and tags and aliases, written raw into a value. */
const RAW_VALUES = [
  'yes', 'no', 'on', 'off', 'y', 'n', '~', 'null', 'Null', 'true', 'True', 'FALSE', '0755', '0o17', '0x1F', '1e3', '.inf', '-.inf', '.nan',
  '-0', '+1', '9091.0', '1_000', '2001-12-14', '12:30:00', '""', "''", '[]', '{}', '*a', '&a x', '!!str 1', '!!int "1"', '!!binary aGk=',
  '!!timestamp 2001-12-14', '!!set {a}', '!Ref x', '"\\u0430"', '"\\x00"', '|', '>-', '"unterminated', "'it''s'", '[a, b', '{a: 1', 'a: b: c',
  '- x', '? x', '@x', '`x`', '%x', 'a #b', '#c', '*a9', '<<: *a',
];

/** YAML indicators and directives, injected anywhere. */
const SYNTAX_TOKENS = [
  '&a ', '*a', '{', '}', '[', ']', ': ', '- ', '---\n', '...\n', '? ', '!!str ', '!tag ', '%YAML 1.1\n---\n', '|', '>', '#', '"', "'",
  '@', '`', ',', '\t', '\\', '\u00a0', '\ufeff', '\r', '\r\n', '\u2028', '\u0000', '<<: *a\n', 'a: &a [*a]\n', '\n\n', ' ',
];

const scalarValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom<Json>(0, -1, 1, 53, 9091, 65535, 65536, 2 ** 53, 1e21, -0) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom<Json>('x'.repeat(10_000), 'é'.repeat(4000), [], {}, [null], { '': '' }) },
  { weight: 3, arbitrary: fc.oneof(dnsLabel(), labelKey, labelValue, CLEAN.ip, canonicalCidr, interfaceName, fc.constantFrom('TCP', 'UDP', 'deny-list', 'allow-list')) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 65535 }) },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: scalarValue }),
  fc.record({
    kind: fc.constant('rename' as const),
    pick: fc.nat(),
    key: fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.constantFrom(...KNOWN_KEYS).map((k) => k.slice(1)), hostileString, fc.constantFrom('<<', '', 'Name', 'nodes ')),
  }),
);

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), delta: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ kind: fc.constant('tab' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('inject' as const), line: fc.nat(), col: fc.nat(), token: fc.oneof(fc.constantFrom(...SYNTAX_TOKENS), hostileString) }),
  fc.record({ kind: fc.constant('raw-value' as const), line: fc.nat(), token: fc.constantFrom(...RAW_VALUES) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('delete-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), line: fc.nat(), other: fc.nat() }),
);

interface Slot {
  readonly parent: Json[] | { [key: string]: Json };
  readonly key: number | string;
}

/** Every non-root node of `value`, depth first, as the container and key that hold it. */
function slots(value: Json): Slot[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [{ parent: value, key: i }, ...slots(v)]);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [{ parent: value, key: k }, ...slots(v)]);
}

/** Applies a mutation to `spec` in place. */
function applyMutation(spec: Json, m: Mutation): void {
  const all = slots(spec);
  const candidates = m.kind === 'duplicate' ? all.filter((s) => Array.isArray(s.parent)) : m.kind === 'rename' ? all.filter((s) => !Array.isArray(s.parent)) : all;
  if (candidates.length === 0) return;
  const { parent, key } = candidates[m.pick % candidates.length];
  if (Array.isArray(parent)) {
    const i = key as number;
    if (m.kind === 'delete') parent.splice(i, 1);
    else if (m.kind === 'duplicate') parent.splice(i, 0, structuredClone(parent[i]));
    else if (m.kind === 'replace') parent[i] = m.value;
    return;
  }
  const k = key as string;
  if (m.kind === 'delete') delete parent[k];
  else if (m.kind === 'replace') parent[k] = m.value;
  else if (m.kind === 'rename') {
    const entries = Object.entries(parent).map(([ek, ev]): [string, Json] => [ek === k ? m.key : ek, ev]);
    for (const ek of Object.keys(parent)) delete parent[ek];
    for (const [ek, ev] of entries) parent[ek] = ev;
  }
}

/** Applies a text mutation; the result may well not be YAML any more. */
function applyTextMutation(text: string, m: TextMutation): string {
  const lines = text.split('\n');
  const i = m.line % lines.length;
  const line = lines[i];
  switch (m.kind) {
    case 'indent':
      lines[i] = m.delta >= 0 ? ' '.repeat(m.delta) + line : line.slice(Math.min(-m.delta, line.length - line.trimStart().length));
      break;
    case 'tab':
      lines[i] = `\t${line.trimStart()}`;
      break;
    case 'inject': {
      const col = m.col % (line.length + 1);
      lines[i] = line.slice(0, col) + m.token + line.slice(col);
      break;
    }
    case 'raw-value': {
      const match = /^(\s*(?:- )?(?:[^:#'"]+:\s+|- ))/.exec(line);
      lines[i] = match ? match[1] + m.token : `${line} ${m.token}`;
      break;
    }
    case 'duplicate-line':
      lines.splice(i, 0, line);
      break;
    case 'delete-line':
      lines.splice(i, 1);
      break;
    case 'swap-lines': {
      const j = m.other % lines.length;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      break;
    }
  }
  return lines.join('\n');
}

/** A seed, mutated, under its cluster name. */
export interface MutatedSeed {
  readonly name: string;
  readonly text: string;
}

/**
 * A seed changed by up to three data mutations (then written as YAML block style or as JSON),
 * then, in half of the cases, by one to three text mutations.
 */
export function mutatedSeed(all: readonly Seed[]): fc.Arbitrary<MutatedSeed> {
  // Parsed once: parsing a seed costs more than compiling a broken one.
  const data = new Map(all.map((s) => [s, parse(s.text) as Json]));
  return fc
    .record({
      seed: fc.constantFrom(...all),
      mutations: fc.array(mutation, { maxLength: 3 }),
      // Most text mutations break the YAML; half of the cases keep it intact.
      textMutations: fc.oneof(fc.constant([]), fc.array(textMutation, { minLength: 1, maxLength: 3 })),
      asJson: fc.boolean(),
    })
    .map(({ seed, mutations, textMutations, asJson }) => {
      let text = seed.text;
      if (mutations.length > 0) {
        const copy = structuredClone(data.get(seed) ?? null);
        for (const m of mutations) applyMutation(copy, m);
        text = asJson ? JSON.stringify(copy, null, 1) : specYaml(copy);
      }
      for (const m of textMutations) text = applyTextMutation(text, m);
      return { name: seed.name, text };
    });
}

/** A seed's own text (comments and layout kept) changed by one to three text mutations. */
export function textMutatedSeed(all: readonly Seed[]): fc.Arbitrary<MutatedSeed> {
  return fc
    .record({ seed: fc.constantFrom(...all), textMutations: fc.array(textMutation, { minLength: 1, maxLength: 3 }) })
    .map(({ seed, textMutations }) => ({ name: seed.name, text: textMutations.reduce(applyTextMutation, seed.text) }));
}
