/**
 * Every YAML block of the two Calico documents calico-shield compiles, checked against the
 * compiled output: the output holds an equivalent object (kind, name, selector, order, types,
 * rules, ports, nets, host endpoint fields and labels), or the block's deviation from
 * docs/seed-deviations.md is applied to the document's object first — and named here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { FAILSAFE_DEFAULTS } from '../lib/calico/felix';
import { CalicoObject } from '../lib/calico/object';
import { matchesSelector, parseSelector, printSelector, sel, Selector, selectorEquals } from '../lib/calico/selector';
import { compileOk, ROOT } from './support/compile';

type Json = Record<string, unknown>;

interface Block {
  readonly doc: 'secure-metrics' | 'comms';
  /** 1-based index of the block in its document. */
  readonly index: number;
  readonly text: string;
}

/** Fenced blocks, de-indented; `shell` blocks only when they hold YAML (the failsafe list). */
function blocks(doc: Block['doc']): Block[] {
  const text = fs.readFileSync(path.join(ROOT, 'test/fixtures/seeds', `${doc}.md`), 'utf8');
  const out: Block[] = [];
  const fence = /^( *)```(yaml|shell)\n([\s\S]*?)^ *```/gm;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(text)) !== null) {
    const indent = m[1].length;
    const body = m[3]
      .split('\n')
      .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
      .join('\n');
    if (m[2] === 'shell' && !/^\s*failsafe\w+:/m.test(body)) continue;
    out.push({ doc, index: out.length + 1, text: body });
  }
  return out;
}

function seedObjects(block: Block): Json[] {
  return parseAllDocuments(block.text).flatMap((d) => {
    const v = (Array.isArray(d) ? undefined : d.toJS()) as Json | null;
    return v ? [v] : [];
  });
}

const parsed = (text: unknown): Selector => {
  const r = parseSelector(String(text ?? ''));
  if (!r.ok) throw new Error(`selector ${JSON.stringify(text)} does not parse: ${r.error.message}`);
  return r.selector;
};

/** Calico's default `types`: Ingress, plus Egress when egress rules exist (only Egress when no ingress rules). */
function effectiveTypes(spec: Json): string[] {
  if (Array.isArray(spec.types)) return [...(spec.types as string[])].sort();
  const hasIngress = Array.isArray(spec.ingress) && spec.ingress.length > 0;
  const hasEgress = Array.isArray(spec.egress) && spec.egress.length > 0;
  if (hasEgress && !hasIngress) return ['Egress'];
  return hasEgress ? ['Egress', 'Ingress'] : ['Ingress'];
}

/** A rule's meaning, with selectors printed canonically so equal trees compare equal. */
function ruleMeaning(rule: Json): Json {
  const entity = (e: unknown): Json | undefined => {
    if (!e || typeof e !== 'object') return undefined;
    const o = e as Json;
    return {
      ...(o.selector !== undefined ? { selector: printSelector(parsed(o.selector)) } : {}),
      ...(o.notSelector !== undefined ? { notSelector: printSelector(parsed(o.notSelector)) } : {}),
      ...(o.namespaceSelector !== undefined ? { namespaceSelector: printSelector(parsed(o.namespaceSelector)) } : {}),
      ...(o.nets !== undefined ? { nets: o.nets } : {}),
      ...(o.ports !== undefined ? { ports: (o.ports as unknown[]).map(Number) } : {}),
    };
  };
  return { action: rule.action, protocol: rule.protocol, source: entity(rule.source) ?? {}, destination: entity(rule.destination) ?? {} };
}

/** Asserts that `ours` means what `seed` means, in every field the documents set. */
function expectEquivalent(seed: Json, ours: CalicoObject): void {
  const sm = seed.metadata as Json;
  const ss = seed.spec as Json;
  const os = (ours.spec ?? {}) as Json;
  expect(ours.kind).toBe(seed.kind);
  expect(ours.metadata.name).toBe(sm.name);
  expect(ours.metadata.namespace).toBe(sm.namespace);
  for (const [k, v] of Object.entries((sm.labels as Json | undefined) ?? {})) expect(ours.metadata.labels?.[k]).toBe(v);
  switch (seed.kind) {
    case 'GlobalNetworkPolicy':
    case 'NetworkPolicy':
      expect(selectorEquals(parsed(os.selector), parsed(ss.selector))).toBe(true);
      expect(os.order).toBe(ss.order);
      expect(effectiveTypes(os)).toEqual(effectiveTypes(ss));
      for (const dir of ['ingress', 'egress']) {
        expect(((os[dir] as Json[] | undefined) ?? []).map(ruleMeaning)).toEqual(((ss[dir] as Json[] | undefined) ?? []).map(ruleMeaning));
      }
      break;
    case 'GlobalNetworkSet':
      expect([...(os.nets as string[])].sort()).toEqual([...(ss.nets as string[])].sort());
      break;
    case 'HostEndpoint':
      expect(os.node).toBe(ss.node);
      expect(os.interfaceName).toBe(ss.interfaceName);
      expect([...(os.expectedIPs as string[])].sort()).toEqual([...(ss.expectedIPs as string[])].sort());
      break;
    default:
      throw new Error(`no equivalence for kind ${String(seed.kind)}`);
  }
}

function find(objects: readonly CalicoObject[], kind: unknown, name: unknown, namespace?: unknown): CalicoObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name && x.metadata.namespace === namespace);
  if (!o) throw new Error(`no ${String(kind)} ${String(name)} in the compiled output`);
  return o;
}

const clone = (o: Json): Json => JSON.parse(JSON.stringify(o)) as Json;
const spec = (o: Json): Json => o.spec as Json;
const rules = (o: Json): Json[] => spec(o).ingress as Json[];

/** D7: the kube-controllers rule gets namespaceSelector all() and global(); deny-list adds a Deny. */
function fixD7(seed: Json): Json {
  const o = clone(seed);
  const [rule] = rules(o);
  const source = rule.source as Json;
  const selector = source.selector ?? source.notSelector;
  const allow = (namespaceSelector: string): Json => ({ ...rule, action: 'Allow', source: { selector, namespaceSelector } });
  spec(o).ingress = [allow('all()'), allow('global()'), ...(rule.action === 'Deny' ? [{ action: 'Deny', protocol: 'TCP', destination: rule.destination }] : [])];
  return o;
}

interface Case {
  readonly block: string;
  readonly cluster: string;
  /** The deviation applied to the document's object, from docs/seed-deviations.md. */
  readonly deviation?: string;
  readonly fix?: (seed: Json) => Json;
}

const CASES: Readonly<Record<string, Case>> = {
  'secure-metrics#1': { block: 'deny-list default-host', cluster: 'clusters/example.yaml' },
  'secure-metrics#2': { block: 'deny-list host endpoints', cluster: 'clusters/example.yaml' },
  'secure-metrics#3': { block: 'deny-list calico-node policy', cluster: 'clusters/example.yaml' },
  'secure-metrics#4': { block: 'deny-list calico-prometheus-set', cluster: 'clusters/example.yaml' },
  'secure-metrics#5': {
    block: 'deny-list Typha policy',
    cluster: 'clusters/example.yaml',
    deviation: 'D1: named restrict-typha-prometheus, not the calico-node policy it would replace',
    fix: (s) => ({ ...clone(s), metadata: { name: 'restrict-typha-prometheus' } }),
  },
  'secure-metrics#6': {
    block: 'deny-list kube-controllers policy',
    cluster: 'clusters/example.yaml',
    deviation: 'D7: namespaceSelector all() and global(), so labelled sources outside calico-system match',
    fix: fixD7,
  },
  'secure-metrics#7': { block: 'allow-list host endpoints', cluster: 'test/fixtures/clusters/seed-allow-list.yaml' },
  'secure-metrics#8': { block: 'allow-list calico-node policy', cluster: 'test/fixtures/clusters/seed-allow-list.yaml' },
  'secure-metrics#9': { block: 'allow-list calico-prometheus-set', cluster: 'test/fixtures/clusters/seed-allow-list.yaml' },
  'secure-metrics#10': { block: 'allow-list Typha policy', cluster: 'test/fixtures/clusters/seed-allow-list.yaml' },
  'secure-metrics#11': {
    block: 'allow-list kube-controllers policy',
    cluster: 'test/fixtures/clusters/seed-allow-list.yaml',
    deviation: 'D7: namespaceSelector all() and global(), so labelled sources outside calico-system match',
    fix: fixD7,
  },
  'comms#1': {
    block: 'bl-default-allow policy',
    cluster: 'test/fixtures/clusters/seed-comms.yaml',
    deviation: "D4: one default-allow policy, the metrics document's default-host selecting running-calico",
    fix: (s) => {
      const o = clone(s);
      o.metadata = { name: 'default-host' };
      spec(o).selector = 'running-calico == "true"';
      return o;
    },
  },
  'comms#2': {
    block: 'protected-xyz-server policy',
    cluster: 'test/fixtures/clusters/seed-comms.yaml',
    deviation: 'D5: clients must have allowed-xyz-client == "true", not merely the label (has())',
    fix: (s) => {
      const o = clone(s);
      (rules(o)[0].source as Json).notSelector = 'allowed-xyz-client == "true"';
      return o;
    },
  },
  'comms#3': {
    block: 'HostEndpoint template',
    cluster: 'test/fixtures/clusters/seed-comms.yaml',
    deviation: 'D2, D3, D4: string label values, <node>.<interface> names, running-calico instead of bl-default-allow',
    fix: (s) => {
      const o = clone(s);
      const labels = Object.fromEntries(Object.keys((o.metadata as Json).labels as Json).map((k) => [k === 'bl-default-allow' ? 'running-calico' : k, 'true']));
      o.metadata = { name: 'kubeadm-master.eth0', labels };
      o.spec = { node: 'kubeadm-master', interfaceName: 'eth0', expectedIPs: ['10.100.0.15'] };
      return o;
    },
  },
};

const ALL = [...blocks('secure-metrics'), ...blocks('comms')];

describe('the Calico documents', () => {
  it('can find every YAML block of both documents', () => {
    // 11 blocks in "Secure Calico Prometheus endpoints", 3 YAML blocks and the failsafe
    // list in "Securing Calico's own communications".
    expect(ALL.filter((b) => b.doc === 'secure-metrics')).toHaveLength(11);
    expect(ALL.filter((b) => b.doc === 'comms')).toHaveLength(4);
  });

  it.each(ALL.filter((b) => CASES[`${b.doc}#${b.index}`]).map((b) => [`${b.doc}#${b.index}`, CASES[`${b.doc}#${b.index}`].block, b] as const))(
    'can compile %s (%s) into an equivalent object',
    (key, _name, block) => {
      const c = CASES[key];
      const { objects } = compileOk(c.cluster);
      const seeds = seedObjects(block);
      expect(seeds.length).toBeGreaterThan(0);
      for (const seed of seeds) {
        const expected = c.fix ? c.fix(seed) : seed;
        const meta = expected.metadata as Json;
        expectEquivalent(expected, find(objects, expected.kind, meta.name, meta.namespace));
      }
      if (c.deviation) {
        // The deviation is real: the document's own object is not what calico-shield writes.
        const seed = seeds[0];
        const meta = (c.fix?.(seed).metadata ?? seed.metadata) as Json;
        const ours = find(objects, c.fix?.(seed).kind ?? seed.kind, meta.name, meta.namespace);
        expect(() => expectEquivalent(seed, ours)).toThrow();
      }
    },
  );

  it('fails the deny-list Typha block as written: D1, it would replace the calico-node policy', () => {
    const [node] = seedObjects(ALL.find((b) => b.doc === 'secure-metrics' && b.index === 3) as Block);
    const [typha] = seedObjects(ALL.find((b) => b.doc === 'secure-metrics' && b.index === 5) as Block);
    expect((typha.metadata as Json).name).toBe((node.metadata as Json).name);
    const { objects } = compileOk('clusters/example.yaml');
    const names = objects.filter((o) => o.kind === 'GlobalNetworkPolicy').map((o) => o.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['restrict-calico-node-prometheus', 'restrict-typha-prometheus']));
  });

  it("can prune 2379 from Felix's real defaults: D6, the document's list also drops 5473 and 6443", () => {
    const block = ALL.find((b) => b.doc === 'comms' && b.index === 4) as Block;
    const seedList = ((parseAllDocuments(block.text)[0].toJS() as Json).failsafeInboundHostPorts as Json[]).map((e) => `${String(e.protocol)}:${String(e.port)}`);
    const { objects } = compileOk('test/fixtures/clusters/seed-comms.yaml');
    const felix = find(objects, 'FelixConfiguration', 'default');
    const list = (key: string): string[] => ((felix.spec as Json)[key] as Json[]).map((e) => `${String(e.protocol)}:${String(e.port)}`);
    const defaults = FAILSAFE_DEFAULTS['v3.32'];
    expect(list('failsafeInboundHostPorts')).toEqual(defaults.inbound.filter((e) => e.port !== 2379).map((e) => `${e.protocol}:${e.port}`));
    expect(list('failsafeOutboundHostPorts')).toEqual(defaults.outbound.filter((e) => e.port !== 2379).map((e) => `${e.protocol}:${e.port}`));
    // Every entry of the document's list is kept; the two it drops by mistake are kept too.
    expect(list('failsafeInboundHostPorts')).toEqual(expect.arrayContaining(seedList));
    expect(list('failsafeInboundHostPorts').filter((e) => !seedList.includes(e)).sort()).toEqual(['TCP:5473', 'TCP:6443']);
  });

  it('fails has(allowed-xyz-client) as written: D5, a "false" label would grant access', () => {
    const written = sel.has('allowed-xyz-client');
    const ours = sel.eq('allowed-xyz-client', 'true');
    const revoked = { 'allowed-xyz-client': 'false' };
    expect(selectorEquals(parsed('has(allowed-xyz-client)'), written)).toBe(true);
    expect(matchesSelector(written, revoked)).toBe(true);
    expect(matchesSelector(ours, revoked)).toBe(false);
  });

  it('names a deviation for every block calico-shield does not reproduce as written, and each is documented', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/seed-deviations.md'), 'utf8');
    for (const c of Object.values(CASES)) {
      if (!c.deviation) continue;
      for (const id of c.deviation.match(/D\d+/g) ?? []) expect(doc).toContain(`| ${id} |`);
    }
    // Every block is either compiled as written or has a case naming its deviation.
    const covered = ALL.filter((b) => CASES[`${b.doc}#${b.index}`] || (b.doc === 'comms' && b.index === 4));
    expect(covered).toHaveLength(ALL.length);
  });
});
