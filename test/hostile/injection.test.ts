/**
 * Selector injection: user text that ends up in a selector, a label or a name, made hostile.
 *
 * Every field that reaches a selector or an object name gets each hostile value (quotes,
 * operators, blanks and line breaks, look-alike and invisible characters, 10 kB). Each case is
 * either rejected with a finding that points at the value (file, line, column, field, no stack),
 * or compiled so that every selector of every emitted policy re-parses to the tree this test
 * builds itself, from the spec, with the `sel` builders (not with lib/plan): what each policy
 * must select, in the words of Calico's "Secure Calico Prometheus endpoints" and "Securing
 * Calico's own communications".
 */
import { isMap, LineCounter, parse, parseDocument, YAMLMap } from 'yaml';
import { CalicoObject, objectKey } from '../../lib/calico/object';
import { matchesSelector, parseSelector, printSelector, sel, Selector, selectorEquals } from '../../lib/calico/selector';
import { hasErrors } from '../../lib/spec/errors';
import { Json, specYaml } from '../support/arbitraries';
import { calicoCrds, clusterInput, compileProblems, selectorFields } from '../fuzz/invariants';

/** The values of a spec that user text can reach a selector, a label or a name through. */
interface Fields {
  readonly approach: 'deny-list' | 'allow-list';
  /** Whether the protected server also runs on workloads (runsOn.workloads), besides its node. */
  readonly onWorkloads: boolean;
  readonly calicoNamespace: string;
  /** The node the protected server runs on. */
  readonly node: string;
  readonly iface: string;
  readonly accessLabel: string;
  readonly podKey: string;
  readonly podValue: string;
  readonly server: string;
  readonly serverNamespace: string;
  readonly serverKey: string;
  readonly serverValue: string;
  readonly clientNamespace: string;
  readonly clientKey: string;
  readonly clientValue: string;
}

const DEFAULTS: Fields = {
  approach: 'deny-list',
  onWorkloads: true,
  calicoNamespace: 'calico-system',
  node: 'node-1',
  iface: 'eth0',
  accessLabel: 'calico-prometheus-access',
  podKey: 'k8s-app',
  podValue: 'calico-kube-controllers',
  server: 'etcd',
  serverNamespace: 'etcd',
  serverKey: 'app',
  serverValue: 'etcd',
  clientNamespace: 'backup',
  clientKey: 'app',
  clientValue: 'etcd-backup',
};

const CLIENT_NODE = 'client-node';
const METRICS_NETS = ['192.0.2.0/24'];
const CLIENT_NETS = ['198.51.100.0/24'];

function specOf(f: Fields): Json {
  return {
    apiVersion: 'calico-shield/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'hostile' },
    spec: {
      approach: f.approach,
      calicoNamespace: f.calicoNamespace,
      nodes: [
        { name: f.node, interfaces: [{ name: f.iface, expectedIPs: ['10.0.0.1'] }] },
        { name: CLIENT_NODE, interfaces: [{ name: 'eth0', expectedIPs: ['10.0.0.2'] }] },
      ],
      metrics: {
        accessLabel: f.accessLabel,
        allowedNets: METRICS_NETS,
        calicoNode: {},
        typha: {},
        kubeControllers: { podLabels: { [f.podKey]: f.podValue } },
      },
      protectedServers: [
        {
          name: f.server,
          port: 2379,
          runsOn: { nodes: [f.node], ...(f.onWorkloads ? { workloads: [{ namespace: f.serverNamespace, labels: { [f.serverKey]: f.serverValue } }] } : {}) },
          allowedClients: {
            workloads: [{ namespace: f.clientNamespace, labels: { [f.clientKey]: f.clientValue } }],
            nodes: [CLIENT_NODE],
            nets: CLIENT_NETS,
          },
        },
      ],
    },
  };
}

/** Where a hostile value sits: the YAML path to it, and the finding's field. */
interface Target {
  readonly field: keyof Fields;
  /** Path to the scalar, or to the label map whose key is the value. */
  readonly path: readonly (string | number)[];
  readonly isKey: boolean;
  /** Expected finding field (a prefix, for label maps whose key paths quote the key). */
  readonly findingField: string;
}

const server = ['spec', 'protectedServers', 0];
const TARGETS: readonly Target[] = [
  { field: 'calicoNamespace', path: ['spec', 'calicoNamespace'], isKey: false, findingField: 'spec.calicoNamespace' },
  { field: 'node', path: ['spec', 'nodes', 0, 'name'], isKey: false, findingField: 'spec.nodes[0].name' },
  { field: 'iface', path: ['spec', 'nodes', 0, 'interfaces', 0, 'name'], isKey: false, findingField: 'spec.nodes[0].interfaces[0].name' },
  { field: 'accessLabel', path: ['spec', 'metrics', 'accessLabel'], isKey: false, findingField: 'spec.metrics.accessLabel' },
  { field: 'podKey', path: ['spec', 'metrics', 'kubeControllers', 'podLabels'], isKey: true, findingField: 'spec.metrics.kubeControllers.podLabels' },
  { field: 'podValue', path: ['spec', 'metrics', 'kubeControllers', 'podLabels', DEFAULTS.podKey], isKey: false, findingField: 'spec.metrics.kubeControllers.podLabels' },
  { field: 'server', path: [...server, 'name'], isKey: false, findingField: 'spec.protectedServers[0].name' },
  { field: 'serverNamespace', path: [...server, 'runsOn', 'workloads', 0, 'namespace'], isKey: false, findingField: 'spec.protectedServers[0].runsOn.workloads[0].namespace' },
  { field: 'serverKey', path: [...server, 'runsOn', 'workloads', 0, 'labels'], isKey: true, findingField: 'spec.protectedServers[0].runsOn.workloads[0].labels' },
  { field: 'serverValue', path: [...server, 'runsOn', 'workloads', 0, 'labels', DEFAULTS.serverKey], isKey: false, findingField: 'spec.protectedServers[0].runsOn.workloads[0].labels' },
  { field: 'clientNamespace', path: [...server, 'allowedClients', 'workloads', 0, 'namespace'], isKey: false, findingField: 'spec.protectedServers[0].allowedClients.workloads[0].namespace' },
  { field: 'clientKey', path: [...server, 'allowedClients', 'workloads', 0, 'labels'], isKey: true, findingField: 'spec.protectedServers[0].allowedClients.workloads[0].labels' },
  { field: 'clientValue', path: [...server, 'allowedClients', 'workloads', 0, 'labels', DEFAULTS.clientKey], isKey: false, findingField: 'spec.protectedServers[0].allowedClients.workloads[0].labels' },
];

const HOSTILE: readonly (readonly [string, string])[] = [
  ['a double quote', '"'],
  ['a value that closes its literal', 'a" || all() || b == "'],
  ['a single-quoted break-out', "a' || all() || b == '"],
  ['||', 'a||b'],
  ['&&', 'a&&b'],
  [')', 'a)'],
  ['a selector tail', ') || has(x'],
  ['!', '!a'],
  ['a space', 'a b'],
  ['a leading space', ' a'],
  ['a trailing space', 'a '],
  ['a newline', 'a\nb'],
  ['a newline and an operator', 'a\n|| all()'],
  ['a tab', 'a\tb'],
  ['a carriage return', 'a\rb'],
  ['a line separator (U+2028)', 'a\u2028b'],
  ['a NUL', 'a\u0000b'],
  ['a Cyrillic а (U+0430)', '\u0430pp'],
  ['a Cyrillic е (U+0435)', '\u0435tcd'],
  ['a Greek ο (U+03BF)', 'calic\u03bf'],
  ['fullwidth letters', '\uff45\uff54\uff43\uff44'],
  ['a zero-width joiner', 'et\u200dcd'],
  ['a zero-width space', 'et\u200bcd'],
  ['a byte-order mark', '\ufeffetcd'],
  ['a no-break space', 'a\u00a0b'],
  ['10 kB', 'a'.repeat(10_240)],
  ['10 kB around an operator', `${'a'.repeat(5000)}"||"${'b'.repeat(5000)}`],
  ['nothing', ''],
  ['all()', 'all()'],
  ['has()', 'has(x)'],
  ['an in-set', 'a in {"b"}'],
  ['a comma', 'a,b'],
  ['braces', '{a}'],
  ['a YAML comment', 'a #b'],
  ['a backslash', 'a\\b'],
  ['a slash', 'a/b'],
  ['two slashes', 'a/b/c'],
  ['a wildcard', '*'],
  ['a dot only', '.'],
];

/** Values valid for most fields, so that the accepted path is exercised too. */
const PLAIN: readonly (readonly [string, string])[] = [
  ['a plain word', 'etcd2'],
  ['dots', 'a.b'],
  ['an underscore', 'a_b'],
  ['upper case', 'Abc'],
  ['63 characters', 'a'.repeat(63)],
];

// ---------------------------------------------------------------------------------------------
// What each policy must select, built from the spec with the `sel` builders

const TRUE = 'true';
/** Label Calico gives every WorkloadEndpoint: its pod's namespace. */
const NAMESPACE = 'projectcalico.org/namespace';
/** Label the documents put on every HostEndpoint. */
const RUNNING_CALICO = sel.eq('running-calico', TRUE);

interface IntendedRule {
  readonly action: 'Allow' | 'Deny';
  readonly selector?: Selector;
  readonly notSelector?: Selector;
  readonly namespaceSelector?: Selector;
  /** The rule's destination.selector (egress rules). */
  readonly destination?: Selector;
}

interface IntendedPolicy {
  readonly selector: Selector;
  readonly ingress: readonly IntendedRule[];
  readonly egress?: readonly IntendedRule[];
}

/** Policies by `Kind/namespace/name`. */
function intendedPolicies(f: Fields): Map<string, IntendedPolicy> {
  const deny = f.approach === 'deny-list';
  const metricsClients = sel.eq(f.accessLabel, TRUE);
  // Deny-list: deny the port to everything but the clients; allow-list: allow it to the clients.
  const protect = (clients: Selector): IntendedRule => (deny ? { action: 'Deny', notSelector: clients } : { action: 'Allow', selector: clients });
  const metrics: IntendedPolicy = { selector: RUNNING_CALICO, ingress: [protect(metricsClients)] };
  const kubeControllers: IntendedPolicy = {
    selector: sel.eq(f.podKey, f.podValue),
    ingress: [
      // A namespaced policy reaches pods of every namespace with all(), host endpoints and
      // network sets with global().
      { action: 'Allow', selector: metricsClients, namespaceSelector: sel.all() },
      { action: 'Allow', selector: metricsClients, namespaceSelector: sel.global() },
      ...(deny ? [{ action: 'Deny' as const }] : []),
    ],
  };
  const serverSelector = sel.or(
    sel.eq(`protected-${f.server}-server`, TRUE),
    ...(f.onWorkloads ? [sel.and(sel.eq(NAMESPACE, f.serverNamespace), sel.eq(f.serverKey, f.serverValue))] : []),
  );
  const clientSelector = sel.or(sel.eq(`allowed-${f.server}-client`, TRUE), sel.and(sel.eq(NAMESPACE, f.clientNamespace), sel.eq(f.clientKey, f.clientValue)));
  const policies = new Map<string, IntendedPolicy>([
    ['GlobalNetworkPolicy//restrict-calico-node-prometheus', metrics],
    ['GlobalNetworkPolicy//restrict-typha-prometheus', metrics],
    [`NetworkPolicy/${f.calicoNamespace}/restrict-kube-controllers-prometheus`, kubeControllers],
    [
      `GlobalNetworkPolicy//protected-${f.server}-server`,
      {
        selector: serverSelector,
        // Deny-list, server pods: the policy is the only one that selects them, so a lone
        // Deny of the non-clients would leave the clients to the end of the tier's deny too.
        ingress: deny && f.onWorkloads ? [{ action: 'Allow', selector: clientSelector }, { action: 'Deny' }] : [protect(clientSelector)],
      },
    ],
  ]);
  if (deny) policies.set('GlobalNetworkPolicy//default-host', { selector: RUNNING_CALICO, ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] });
  // Allow-list: the client hosts' own endpoints deny egress that no policy allows, so their
  // traffic to the server is allowed on the way out too (host endpoints only, never pods).
  if (!deny) {
    policies.set(`GlobalNetworkPolicy//allowed-${f.server}-client-egress`, {
      selector: sel.and(RUNNING_CALICO, sel.eq(`allowed-${f.server}-client`, TRUE)),
      ingress: [],
      egress: [{ action: 'Allow', destination: serverSelector }],
    });
  }
  return policies;
}

/** Labels the objects that policies select must carry, by `Kind/namespace/name` or HostEndpoint node. */
function intendedLabels(f: Fields): { readonly sets: Map<string, Record<string, string>>; readonly hosts: Map<string, Record<string, string>> } {
  return {
    sets: new Map([
      ['GlobalNetworkSet//calico-prometheus-set', { [f.accessLabel]: TRUE }],
      [`GlobalNetworkSet//allowed-${f.server}-client`, { [`allowed-${f.server}-client`]: TRUE }],
    ]),
    hosts: new Map([
      [f.node, { 'running-calico': TRUE, [`protected-${f.server}-server`]: TRUE }],
      [CLIENT_NODE, { 'running-calico': TRUE, [`allowed-${f.server}-client`]: TRUE }],
    ]),
  };
}

/** `and`/`or` operands in a fixed order: their order does not change what a selector selects. */
function unordered(s: Selector): Selector {
  if (s.kind === 'not') return sel.not(unordered(s.operand));
  if (s.kind !== 'and' && s.kind !== 'or') return s;
  const operands = s.operands.map(unordered).sort((a, b) => (printSelector(a) < printSelector(b) ? -1 : 1));
  return s.kind === 'and' ? sel.and(...operands) : sel.or(...operands);
}

function parsed(text: unknown, where: string): Selector {
  if (typeof text !== 'string') throw new Error(`${where}: selector is ${JSON.stringify(text)}, not a string`);
  const r = parseSelector(text);
  if (!r.ok) throw new Error(`${where}: ${JSON.stringify(text)} does not parse: ${r.error.message}`);
  return r.selector;
}

function expectSameSelector(where: string, actual: unknown, intended: Selector | undefined): void {
  if (intended === undefined) {
    expect({ where, selector: actual }).toEqual({ where, selector: undefined });
    return;
  }
  const a = unordered(parsed(actual, where));
  const b = unordered(intended);
  if (!selectorEquals(a, b)) throw new Error(`${where}: selects ${printSelector(a)}\n  but must select ${printSelector(b)}`);
}

type Rule = { readonly action?: unknown; readonly source?: Readonly<Record<string, unknown>>; readonly destination?: Readonly<Record<string, unknown>> };

function expectRules(where: string, actual: unknown, intended: readonly IntendedRule[] | undefined): void {
  const rules = (Array.isArray(actual) ? actual : []) as readonly Rule[];
  expect({ where, count: rules.length }).toEqual({ where, count: intended?.length ?? 0 });
  (intended ?? []).forEach((r, i) => {
    const rule = rules[i] ?? {};
    expect({ where, rule: i, action: rule.action }).toEqual({ where, rule: i, action: r.action });
    for (const field of ['selector', 'notSelector', 'namespaceSelector'] as const) {
      expectSameSelector(`${where} rule ${i} source.${field}`, rule.source?.[field], r[field]);
    }
    expectSameSelector(`${where} rule ${i} destination.selector`, rule.destination?.selector, r.destination);
  });
}

/** The emitted objects select what the spec says, and carry the labels that make them selected. */
function expectIntended(f: Fields, objects: readonly CalicoObject[]): void {
  const policies = intendedPolicies(f);
  const emitted = objects.filter((o) => o.kind === 'GlobalNetworkPolicy' || o.kind === 'NetworkPolicy');
  expect(emitted.map(objectKey).sort()).toEqual([...policies.keys()].sort());
  for (const o of emitted) {
    const p = policies.get(objectKey(o)) as IntendedPolicy;
    expectSameSelector(`${objectKey(o)} spec.selector`, o.spec?.selector, p.selector);
    expectRules(`${objectKey(o)} ingress`, o.spec?.ingress, p.ingress);
    expectRules(`${objectKey(o)} egress`, o.spec?.egress, p.egress);
  }
  const { sets, hosts } = intendedLabels(f);
  for (const [key, labels] of sets) {
    const set = objects.find((o) => objectKey(o) === key);
    expect({ key, labels: set?.metadata.labels }).toEqual({ key, labels: expect.objectContaining(labels) });
  }
  const metricsSet = objects.find((o) => objectKey(o) === 'GlobalNetworkSet//calico-prometheus-set');
  expect(metricsSet?.spec?.nets).toEqual(METRICS_NETS);
  for (const [node, labels] of hosts) {
    const heps = objects.filter((o) => o.kind === 'HostEndpoint' && o.spec?.node === node);
    expect(heps).toHaveLength(1);
    expect({ node, labels: heps[0]?.metadata.labels }).toEqual({ node, labels: expect.objectContaining(labels) });
  }
  // And the selectors, evaluated as Felix would, pick those objects.
  const server = objects.find((o) => objectKey(o) === `GlobalNetworkPolicy//protected-${f.server}-server`);
  const clientRule = (server?.spec?.ingress as readonly Rule[] | undefined)?.[0]?.source ?? {};
  const clients = parsed(clientRule.selector ?? clientRule.notSelector, 'client selector');
  const clientSet = objects.find((o) => objectKey(o) === `GlobalNetworkSet//allowed-${f.server}-client`);
  expect(matchesSelector(clients, clientSet?.metadata.labels ?? {}, { global: true })).toBe(true);
  expect(matchesSelector(parsed(server?.spec?.selector, 'server selector'), { 'running-calico': TRUE, ...hosts.get(f.node) }, { global: true })).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Positions

/** 1-based line and column of the key and of the value at `path` in `text`. */
function positionsOf(text: string, path: readonly (string | number)[], key: string | undefined): { line: number; col: number }[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const at = (offset: number | undefined): { line: number; col: number }[] => (offset === undefined ? [] : [lineCounter.linePos(offset)]);
  if (key === undefined) {
    const parent = doc.getIn(path.slice(0, -1), true);
    const pair = isMap(parent) ? (parent as YAMLMap).items.find((p) => (p.key as { value?: unknown } | null)?.value === path[path.length - 1]) : undefined;
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return [...at(node?.range?.[0]), ...at((pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0])];
  }
  const map = doc.getIn(path, true);
  const pair = isMap(map) ? (map as YAMLMap).items.find((p) => (p.key as { value?: unknown } | null)?.value === key) : undefined;
  return [...at((pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0]), ...at((pair?.value as { range?: [number, number, number] } | undefined)?.range?.[0])];
}

// ---------------------------------------------------------------------------------------------

/** The approaches, with the protected server on its node and pods, or on its node only. */
const VARIANTS: readonly Pick<Fields, 'approach' | 'onWorkloads'>[] = [
  { approach: 'deny-list', onWorkloads: true },
  { approach: 'deny-list', onWorkloads: false },
  { approach: 'allow-list', onWorkloads: true },
];

const CASES = TARGETS.flatMap((t) => [...HOSTILE, ...PLAIN].map(([what, value]) => ({ target: t, what, value })));

beforeAll(() => {
  calicoCrds();
});

describe('hostile text in selectors, labels and names', () => {
  it.each(CASES.map((c) => [c.target.field, c.what, c]))('%s holding %s: rejected at the value, or selects what the spec says', (_field, _what, c) => {
    for (const variant of VARIANTS) {
      const fields: Fields = { ...DEFAULTS, ...variant, [c.target.field]: c.value };
      if (c.target.path.includes('runsOn') && !fields.onWorkloads) continue;
      const spec = specOf(fields);
      const text = specYaml(spec);
      // The YAML says exactly what the test means.
      expect(parse(text)).toEqual(spec);
      const { result, problems } = compileProblems(clusterInput('hostile', text));
      expect(problems).toEqual([]);
      if (hasErrors(result.findings)) {
        const expected = positionsOf(text, c.target.path, c.target.isKey ? c.value : undefined);
        const here = result.findings.filter((f) => f.field?.startsWith(c.target.findingField) && expected.some((p) => p.line === f.line && p.col === f.col));
        expect({ value: c.value.slice(0, 80), findings: here.length }).not.toEqual({ value: c.value.slice(0, 80), findings: 0 });
      } else {
        expectIntended(fields, result.objects ?? []);
      }
    }
  });

  // compileProblems() re-parses every selector field of every emitted object; make sure the
  // walk reaches every kind of field the charts write.
  it.each(['deny-list', 'allow-list'] as const)('can find every selector field of a %s cluster', (approach) => {
    const { result } = compileProblems(clusterInput('hostile', specYaml(specOf({ ...DEFAULTS, approach, onWorkloads: false }))));
    const fields = new Set((result.objects ?? []).flatMap((o) => selectorFields(o.spec).map((f) => f.pointer.replace(/\/\d+/g, '/*'))));
    expect([...fields].sort()).toEqual(
      approach === 'deny-list'
        ? ['/ingress/*/source/namespaceSelector', '/ingress/*/source/notSelector', '/ingress/*/source/selector', '/selector']
        : ['/egress/*/destination/selector', '/ingress/*/source/namespaceSelector', '/ingress/*/source/selector', '/selector'],
    );
  });

  it.each(TARGETS.map((t) => [t.field]))('%s: can compile a plain value in every variant', (field) => {
    for (const variant of VARIANTS) {
      const { result } = compileProblems(clusterInput('hostile', specYaml(specOf({ ...DEFAULTS, ...variant, [field]: 'etcd2' }))));
      expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    }
  });
});
