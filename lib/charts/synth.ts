/**
 * Runs a cluster's charts and returns the exact objects that will be written: the
 * evaluator (lib/verify) and the writer (lib/gitops) both read these, never the spec.
 */
import { ApiObject, Chart } from 'cdk8s';
import { CalicoObject } from '../calico/object';
import { compareText } from '../calico/strings';
import { ProtectionPlan } from '../plan/plan';
import { buildCharts } from './charts';

export interface ChartObjects {
  /** The chart's id: `host-endpoints`, `calico-node-metrics`, … */
  readonly chart: string;
  readonly objects: readonly CalicoObject[];
}

export function synthesizePlan(plan: ProtectionPlan): ChartObjects[] {
  return buildCharts(plan)
    .map((chart) => ({ chart: chart.node.id, objects: chartJson(chart).map(normalize) }))
    .filter((c) => c.objects.length > 0);
}

/**
 * The chart's objects as `chart.toJson()` gives them. That call first builds a dependency graph
 * of every construct of the chart's App, validates them all, and orders the objects by the
 * graph: for the host endpoints' chart, 10,000 constructs, a fifth of its time. When no
 * construct of the App has a dependency or a validation (so the graph is the construct order
 * and validation finds nothing), each object's own toJson() gives the same list;
 * test/charts/synth.test.ts compares both for every chart of the examples.
 */
export function chartJson(chart: Chart): unknown[] {
  const constructs = chart.node.root.node.findAll();
  if (constructs.some((c) => c.node.dependencies.length > 0 || c.node.validate().length > 0)) return chart.toJson();
  return constructs.filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart).map((o) => o.toJson() as unknown);
}

/**
 * The object as written: label and annotation keys sorted, so the output never depends on
 * construction order, and the spec's keys in Calico's order. cdk8s's output is a fresh tree
 * (resolved and sanitised copies of the props), so the parts already in order are kept as they
 * are and only the others are copied.
 */
function normalize(raw: unknown): CalicoObject {
  const { apiVersion, kind, metadata: m, spec } = raw as CalicoObject;
  return {
    apiVersion,
    kind,
    metadata: {
      name: m.name,
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      ...(m.labels ? { labels: orderKeys(m.labels, SORTED) } : {}),
      ...(m.annotations ? { annotations: orderKeys(m.annotations, SORTED) } : {}),
    },
    ...(spec !== undefined ? { spec: orderKeys(spec, SPEC_ORDER) } : {}),
  };
}

/**
 * Keys in the order Calico's documents write them (the generated constructs emit them
 * alphabetically), so a diff of dist/ reads like the documents; other keys follow sorted.
 */
const SPEC_ORDER = rank([
  'node', 'interfaceName', 'expectedIPs', 'profiles',
  'selector', 'namespaceSelector', 'serviceAccountSelector', 'order', 'types', 'ingress', 'egress',
  'action', 'protocol', 'notProtocol', 'source', 'destination',
  'notSelector', 'nets', 'notNets', 'ports', 'notPorts',
  'port', 'net',
]);
const SORTED = rank([]);

function rank(keys: readonly string[]): (key: string) => number {
  const ranks = new Map(keys.map((k, i) => [k, i]));
  return (key) => ranks.get(key) ?? keys.length;
}

/**
 * `value` with every object's keys by `rankOf`, then sorted: `value` itself when they all are
 * already, otherwise a copy of what had to change.
 */
function orderKeys<T>(value: T, rankOf: (key: string) => number): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = orderKeys(value[i] as unknown, rankOf);
      if (item !== value[i] && copy === undefined) copy = value.slice(0, i);
      copy?.push(item);
    }
    return (copy ?? value) as T;
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  const compare = (a: string, b: string): number => rankOf(a) - rankOf(b) || compareText(a, b);
  let changed = false;
  for (let i = 1; i < keys.length && !changed; i++) changed = compare(keys[i - 1], keys[i]) > 0;
  if (changed) keys.sort(compare);
  const values = keys.map((k) => orderKeys(o[k], rankOf));
  if (!changed && values.every((v, i) => v === o[keys[i]])) return value;
  const copy: Record<string, unknown> = {};
  keys.forEach((k, i) => (copy[k] = values[i]));
  return copy as T;
}
