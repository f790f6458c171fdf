/**
 * Runs a cluster's charts and returns the exact objects that will be written: the
 * evaluator (lib/verify) and the writer (lib/gitops) both read these, never the spec.
 */
import { ApiObject, ApiObjectMetadataDefinition, App, Chart, ImplicitTokenResolver, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { CalicoObject, type CalicoObjectMetadata } from '../calico/object';
import { compareText, sortSmall } from '../calico/strings';
import { ProtectionPlan } from '../plan/plan';
import { chartBuilds, type ChartBuilds } from './charts';
import { MANIFESTS } from './kinds';

export interface ChartObjects {
  /** The chart's id: `host-endpoints`, `calico-node-metrics`, … */
  readonly chart: string;
  readonly objects: readonly CalicoObject[];
}

export function synthesizePlan(plan: ProtectionPlan): ChartObjects[] {
  return synthesizeCharts(chartBuilds(plan));
}

/**
 * Each chart is built, rendered and dropped before the next is built, so its constructs die
 * young (the host endpoints' charts: lib/charts/charts.ts HOST_ENDPOINTS_PER_CHART).
 */
export function synthesizeCharts(chartList: readonly ChartBuilds[]): ChartObjects[] {
  const charts: ChartObjects[] = [];
  for (const { id, builds } of chartList) {
    const objects: CalicoObject[] = [];
    for (const build of builds) for (const o of chartJson(build())) objects.push(normalize(o));
    if (objects.length > 0) charts.push({ chart: id, objects });
  }
  return charts;
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
  const root = chart.node.root;
  if (!(root instanceof App)) return chart.toJson();
  const constructs = root.node.findAll();
  // Every validation first (one may add a dependency), then the dependencies.
  const invalid = constructs.map((c) => c.node.validate().length).some((n) => n > 0);
  if (invalid || constructs.some((c) => c.node.dependencies.length > 0)) return chart.toJson();
  const sortKeys = !process.env.CDK8S_DISABLE_SORT;
  const objects = constructs.filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
  return defaultResolvers(root) && plainPrimitives() ? objects.map((o) => objectJson(o, sortKeys)) : objects.map((o) => o.toJson() as unknown);
}

/**
 * Whether the App resolves with cdk8s's three built-in resolvers only, as they are (lib/app.js:145
 * puts its props' resolvers first).
 */
function defaultResolvers(app: App): boolean {
  const [lazy, implicit, union, ...more] = app.resolvers;
  const builtIn = (r: unknown, kind: { prototype: object }): boolean => r !== undefined && r !== null && Object.getPrototypeOf(r) === kind.prototype && !Object.hasOwn(r, 'resolve');
  return builtIn(lazy, LazyResolver) && builtIn(implicit, ImplicitTokenResolver) && builtIn(union, NumberStringUnionResolver) && more.length === 0;
}

/** Whether strings, numbers and booleans have no `resolve` or `value` a resolver would read (lib/resolve.js:70, 90). */
function plainPrimitives(): boolean {
  return [String.prototype, Number.prototype, Boolean.prototype, Object.prototype].every((p) => !('resolve' in p) && !('value' in p));
}

/**
 * One object exactly as its construct's toJson() renders it, without cdk8s's resolvers when
 * they could change nothing.
 *
 * Each Calico construct's toJson() is `{...GVK, ...toJson_<Kind>Props(super.toJson())}` and its
 * static manifest(props) is `{...GVK, ...toJson_<Kind>Props(props)}` (imports/*.ts). ApiObject's
 * toJson() (cdk8s 2.70.106, lib/api-object.js:143-151) resolves `{...props, metadata:
 * metadata.toJson()}`, sanitises it (lib/_util.js:4-31: null and undefined dropped, keys sorted
 * unless CDK8S_DISABLE_SORT is set) and applies the object's JSON patches. Resolving
 * (lib/resolve.js:101-127) hands every value to three resolvers, which replace a Lazy, a value
 * with a `resolve` function, or an object of another class with a string or number `value`, and
 * copies arrays and plain objects. For props and metadata of strings, numbers, booleans, arrays
 * and plain objects, as the host endpoints' chart builds them, no resolver replaces anything, so
 * `plainJson` gives the sanitised copy in one pass, and the class's manifest() renders it as
 * toJson() would, at a quarter of the cost for 10,000 host endpoints. Anything else (a patch, a
 * Lazy, the number-or-string values of the policies' ports) goes through toJson();
 * test/charts/synth.test.ts compares both for every object of the examples and random props.
 */
function objectJson(o: ApiObject, sortKeys: boolean): unknown {
  const manifest = MANIFESTS.get(o.constructor);
  // ApiObject keeps both private (lib/api-object.js:13 and 84): read, and checked, not assumed.
  const props: unknown = Reflect.get(o, 'props');
  const patches: unknown = Reflect.get(o, 'patches');
  // Rendered by the classes' own toJson(), resolved in this object's App.
  const own = !Object.hasOwn(o, 'toJson') && !Object.hasOwn(o.metadata, 'toJson') && Reflect.get(o.metadata, 'apiObject') === o;
  if (manifest !== undefined && own && isProps(props, o) && Array.isArray(patches) && patches.length === 0) {
    let data: unknown = NOT_PLAIN;
    try {
      const metadata = metadataJson(o.metadata);
      if (metadata !== NOT_PLAIN) data = propsJson(props, metadata, sortKeys);
    } catch {
      // A getter that throws, a cycle: toJson() fails on it as well, with the construct's path.
    }
    if (data !== NOT_PLAIN && typeof data === 'object' && data !== null) return manifest(data);
  }
  return o.toJson();
}

/** The props the object was constructed with: its kind and apiVersion are theirs. */
function isProps(props: unknown, o: ApiObject): props is Record<string, unknown> {
  return typeof props === 'object' && props !== null && Reflect.get(props, 'kind') === o.kind && Reflect.get(props, 'apiVersion') === o.apiVersion;
}

/**
 * `metadata.toJson()` (cdk8s 2.70.106, lib/metadata.js:113-124): the definition's fields over
 * its other attributes, resolved, and sanitised with keys sorted and empty arrays and objects
 * dropped. The fields are plain properties (lib/metadata.js:16-37), some of them private:
 * read, checked, and NOT_PLAIN when one is not what that version keeps.
 */
function metadataJson(m: ApiObjectMetadataDefinition): unknown {
  const additional: unknown = Reflect.get(m, '_additionalAttributes');
  const labels: unknown = Reflect.get(m, 'labels');
  const annotations: unknown = Reflect.get(m, 'annotations');
  const finalizers: unknown = Reflect.get(m, 'finalizers');
  const ownerReferences: unknown = Reflect.get(m, 'ownerReferences');
  if (!isObject(additional) || !isObject(labels) || !isObject(annotations) || !Array.isArray(finalizers) || !Array.isArray(ownerReferences)) return NOT_PLAIN;
  // The additional attributes are the definition's options (lib/metadata.js:57): the six fields
  // below override theirs, and any other attribute is copied beside them, as the spread does.
  const fields: Readonly<Record<string, unknown>> = { annotations, finalizers, labels, name: m.name, namespace: m.namespace, ownerReferences };
  const others = Object.keys(additional).filter((key) => !Object.hasOwn(fields, key));
  // The spread would copy these as own keys, which the resolvers and sanitizeValue read specially.
  if (others.includes('constructor') || others.includes('__proto__')) return NOT_PLAIN;
  // Sorted (metadata.toJson() always sorts): the six fields alone need no sort.
  const keys = others.length === 0 ? METADATA_FIELDS : sortSmall([...METADATA_FIELDS, ...others], compareText);
  const copy: Record<string, unknown> = {};
  let empty = true;
  for (const key of keys) {
    const v = plainJson(Object.hasOwn(fields, key) ? fields[key] : (additional as Record<string, unknown>)[key], METADATA, 1);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    if (v !== undefined) {
      copy[key] = v;
      empty = false;
    }
  }
  return empty ? undefined : copy;
}

/** The fields metadata.toJson() writes over the additional attributes of the same name, sorted. */
const METADATA_FIELDS: readonly string[] = ['annotations', 'finalizers', 'labels', 'name', 'namespace', 'ownerReferences'];

/** How `metadata.toJson()` sanitises (lib/metadata.js:113-124). */
const METADATA: Sanitize = { sortKeys: true, filterEmpty: true };

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What plainJson returns for a value cdk8s's resolvers might replace. */
const NOT_PLAIN = Symbol('not plain');

/** sanitizeValue's options (lib/_util.js:4): sortKeys, and filterEmptyArrays and filterEmptyObjects together. */
interface Sanitize {
  readonly sortKeys: boolean;
  readonly filterEmpty: boolean;
}

/**
 * Nesting past which plainJson leaves the value to toJson(), whose recursion (resolve, then
 * sanitizeValue) runs out of stack sooner than plainJson's would.
 */
const MAX_DEPTH = 1000;

/**
 * plainJson of `{...props, metadata}` with `metadata` already plainJson's (metadataJson), which
 * is therefore not walked again: the props' own keys, `metadata` in its place, sorted or not.
 */
function propsJson(props: Record<string, unknown>, metadata: unknown, sortKeys: boolean): unknown {
  if (!plainObject(props)) return NOT_PLAIN;
  const keys = Object.keys(props);
  // Where the spread puts it: in place of an own enumerable `metadata`, else last.
  if (!keys.includes('metadata')) keys.push('metadata');
  if (sortKeys) sortSmall(keys, compareText);
  const options: Sanitize = { sortKeys, filterEmpty: false };
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const v = key === 'metadata' ? metadata : plainJson(props[key], options, 1);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    if (v !== undefined) copy[key] = v;
  }
  return copy;
}

/**
 * Whether resolving and sanitising an object copies it key by key: a plain object without
 * what the resolvers and sanitizeValue read specially (`constructor` and `resolve`, whether
 * own, inherited or not enumerable) or a `__proto__` key, which would not be copied as a key.
 */
function plainObject(o: Record<string, unknown>): boolean {
  return Object.getPrototypeOf(o) === Object.prototype && !Object.hasOwn(o, 'constructor') && !Object.hasOwn(o, '__proto__') && typeof o.resolve !== 'function';
}

/** cdk8s's sanitizeValue(resolve(value)) for plain data; NOT_PLAIN for anything else. */
function plainJson(value: unknown, options: Sanitize, depth = 0): unknown {
  if (value === null || value === undefined) return undefined;
  if (depth > MAX_DEPTH) return NOT_PLAIN;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value;
  if (type !== 'object') return NOT_PLAIN;
  if (Array.isArray(value)) {
    // The resolvers look at an array's own `resolve` and `value` too.
    if (Object.getPrototypeOf(value) !== Array.prototype || Reflect.get(value, 'resolve') !== undefined || Reflect.get(value, 'value') !== undefined) return NOT_PLAIN;
    if (options.filterEmpty && value.length === 0) return undefined;
    let plain = true;
    const copy = value.map((item: unknown) => {
      const v = plainJson(item, options, depth + 1);
      if (v === NOT_PLAIN) plain = false;
      return v;
    });
    return plain ? copy : NOT_PLAIN;
  }
  const o = value as Record<string, unknown>;
  if (!plainObject(o)) return NOT_PLAIN;
  const keys = Object.keys(o);
  if (options.sortKeys) sortSmall(keys, compareText);
  const copy: Record<string, unknown> = {};
  let empty = true;
  for (const key of keys) {
    const v = plainJson(o[key], options, depth + 1);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    if (v !== undefined) {
      copy[key] = v;
      empty = false;
    }
  }
  return options.filterEmpty && empty ? undefined : copy;
}

/**
 * The object as written: label and annotation keys sorted, so the output never depends on
 * construction order, and the spec's keys in Calico's order. cdk8s's output is a fresh tree
 * (resolved and sanitised copies of the props), so the parts already in order are kept as they
 * are and only the others are copied.
 */
function normalize(raw: unknown): CalicoObject {
  const { apiVersion, kind, metadata: m, spec } = raw as CalicoObject;
  // Built field by field (10,000 host endpoints): each spread of a conditional object is one more object.
  const metadata: { -readonly [K in keyof CalicoObjectMetadata]: CalicoObjectMetadata[K] } = { name: m.name };
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.labels) metadata.labels = orderKeys(m.labels, SORTED);
  if (m.annotations) metadata.annotations = orderKeys(m.annotations, SORTED);
  return spec !== undefined ? { apiVersion, kind, metadata, spec: orderKeys(spec, SPEC_ORDER) } : { apiVersion, kind, metadata };
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

/** How one kind of mapping orders its keys: by rank (a key without one after those with), then by code unit. */
type KeyOrder = (a: string, b: string) => number;

function rank(keys: readonly string[]): KeyOrder {
  const ranks = new Map(keys.map((k, i) => [k, i]));
  const rankOf = (key: string): number => ranks.get(key) ?? keys.length;
  return keys.length === 0 ? compareText : (a, b) => rankOf(a) - rankOf(b) || compareText(a, b);
}

/**
 * `value` with every object's keys in `order`: `value` itself when they all are already,
 * otherwise a copy of what had to change.
 */
function orderKeys<T>(value: T, order: KeyOrder): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = orderKeys(value[i] as unknown, order);
      if (item !== value[i] && copy === undefined) copy = value.slice(0, i);
      copy?.push(item);
    }
    return (copy ?? value) as T;
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  let changed = false;
  for (let i = 1; i < keys.length && !changed; i++) changed = order(keys[i - 1] as string, keys[i] as string) > 0;
  if (changed) sortSmall(keys, order);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = orderKeys(o[key], order);
    if (copy === undefined && (changed || v !== o[key])) {
      // The keys before this one are unchanged and in order: copied as they are.
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j] as string] = o[keys[j] as string];
    }
    if (copy !== undefined) copy[key] = v;
  }
  return (copy ?? value) as T;
}
