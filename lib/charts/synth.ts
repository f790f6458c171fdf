/**
 * Runs a cluster's charts and returns the exact objects that will be written: the
 * evaluator (lib/verify) and the writer (lib/gitops) both read these, never the spec.
 */
import { CalicoObject } from '../calico/object';
import { ProtectionPlan } from '../plan/plan';
import { buildCharts } from './charts';

export interface ChartObjects {
  /** The chart's id: `host-endpoints`, `calico-node-metrics`, … */
  readonly chart: string;
  readonly objects: readonly CalicoObject[];
}

export function synthesizePlan(plan: ProtectionPlan): ChartObjects[] {
  return buildCharts(plan)
    .map((chart) => ({ chart: chart.node.id, objects: chart.toJson().map(normalize) }))
    .filter((c) => c.objects.length > 0);
}

/** Sorted label and annotation keys, so the output never depends on construction order. */
function normalize(raw: unknown): CalicoObject {
  const o = raw as CalicoObject;
  const sortKeys = (r: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined =>
    r ? Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]])) : undefined;
  const labels = sortKeys(o.metadata.labels);
  const annotations = sortKeys(o.metadata.annotations);
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.metadata.name,
      ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    },
    ...(o.spec !== undefined ? { spec: orderKeys(o.spec) as Record<string, unknown> } : {}),
  };
}

/**
 * Keys in the order Calico's documents write them (the generated constructs emit them
 * alphabetically), so a diff of dist/ reads like the documents; other keys follow sorted.
 */
const KEY_ORDER = [
  'node', 'interfaceName', 'expectedIPs', 'profiles',
  'selector', 'namespaceSelector', 'serviceAccountSelector', 'order', 'types', 'ingress', 'egress',
  'action', 'protocol', 'notProtocol', 'source', 'destination',
  'notSelector', 'nets', 'notNets', 'ports', 'notPorts',
  'port', 'net',
];
const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  entries.sort(([a], [b]) => (RANK.get(a) ?? KEY_ORDER.length) - (RANK.get(b) ?? KEY_ORDER.length) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, orderKeys(v)]));
}
