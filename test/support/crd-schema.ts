/**
 * Checks objects against Calico's pinned CRD schemas the way the Kubernetes API server does, but
 * reports unknown fields instead of dropping them.
 *
 * The API server validates a custom resource against `spec.versions[].schema.openAPIV3Schema`
 * after reading the Kubernetes extensions below. Each one means here what it means there:
 *
 * - `x-kubernetes-int-or-string: true`: the value is an integer or a string, whatever `type` and
 *   `anyOf` say (the API server overrides the type the same way). Calico's rule `ports`,
 *   `notPorts`, `protocol`, `notProtocol`, HostEndpoint `ports[].protocol` and FelixConfiguration
 *   `natPortRange`, `kubeNodePortRanges`, `bpfPSNATPorts`, `istioDSCPMark` (declared
 *   `type: integer`) use it.
 * - `x-kubernetes-preserve-unknown-fields: true`: the object keeps undeclared fields.
 * - Any other object lets the API server prune undeclared fields silently. For calico-shield an
 *   undeclared field is a bug, so it becomes `additionalProperties: false` and a violation
 *   (unless the schema sets `additionalProperties`, as label-like maps do).
 * - `x-kubernetes-list-type`: `set` means unique items (`uniqueItems`), `map` means unique
 *   `x-kubernetes-list-map-keys` tuples, and `atomic` only affects server-side apply.
 * - `x-kubernetes-map-type` (`granular`, `atomic`): affects server-side apply merges only, so
 *   nothing to check.
 * - `nullable: true`: `null` is allowed. Without it the API server drops a `null` (or applies
 *   the default); calico-shield reports it, for the same reason as unknown fields.
 * - `format`: see {@link FORMATS}.
 * - `x-kubernetes-validations`: CEL rules, which this validator does not evaluate. For the kinds
 *   calico-shield emits, v3.32.1 declares these rules:
 *   - HostEndpoint `spec`: "at least one of interfaceName or expectedIPs must be specified";
 *     "node must be specified".
 *   - GlobalNetworkPolicy `spec`: "preDNAT and doNotTrack cannot both be true"; "preDNAT policy
 *     cannot have any egress rules"; "preDNAT policy cannot have 'Egress' type"; "applyOnForward
 *     must be true if either preDNAT or doNotTrack is true".
 *   - GlobalNetworkPolicy and NetworkPolicy `spec.ingress[]`/`spec.egress[]`: "rules with HTTP
 *     match must have protocol TCP or unset"; "HTTP match is only valid on Allow rules"; "ports
 *     and notPorts cannot be specified with services". On their `icmp`/`notICMP`: "ICMP code
 *     specified without an ICMP type".
 *   - FelixConfiguration: "nodeSelector must not be set on the 'default' or per-node ('node.*')
 *     FelixConfiguration" (whole object); "routeTableRange and routeTableRanges cannot both be
 *     set" (`spec`).
 *   - GlobalNetworkSet: none.
 *
 * The API server handles `metadata` itself, not through the CRD schema (`type: object`). calico-shield
 * writes only `name`, `namespace`, `labels` and `annotations`, so only those are accepted, and
 * label and annotation values must be strings. Loading throws if a CRD uses an extension or a
 * format not listed here, so that nothing is skipped without notice.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export interface SchemaViolation {
  /** JSON pointer into the validated object; for a missing field, where the field belongs. */
  readonly path: string;
  readonly message: string;
}

export interface CrdValidators {
  /** Kinds defined by the CRDs, sorted. */
  readonly kinds: readonly string[];
  /** What the CRD schema rejects in `object`; `[]` when valid (CEL rules are not evaluated). */
  validate(object: unknown): readonly SchemaViolation[];
}

type SchemaNode = Record<string, unknown>;

/** Kubernetes extensions handled as described at the top of this file. */
const EXTENSIONS = new Set([
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);

/**
 * Formats, checked as the API server checks them.
 *
 * The API server ignores formats it does not support, such as `int32` and `int64`.
 * controller-gen writes `format: int32` for Go `uint32` fields too: FelixConfiguration
 * `iptablesMarkMask: 0xffff0000` is valid although it does not fit in an int32.
 */
const FORMATS = { int32: true, int64: true, 'date-time': isDateTime } as const;

const METADATA_SCHEMA: SchemaNode = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string', minLength: 1 },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
  additionalProperties: false,
};

/**
 * Compiles a CRD `pattern`, written for Go's RE2, as a JavaScript RegExp.
 *
 * FelixConfiguration patterns start with `^(?i)` for case-insensitive values
 * (`^(?i)(Off|Info|Debug)?$`). JavaScript has no such inline group, so it becomes the `i` flag.
 * Most other RE2-only syntax (`(?P<name>…)`, `\z`) makes `new RegExp` throw under the `u` flag,
 * so the CRD fails to load instead of being misread.
 */
const goPattern = Object.assign(
  (pattern: string, flags: string): RegExp => {
    const caseless = /^(\^?)\(\?i\)/.exec(pattern);
    return caseless === null
      ? new RegExp(pattern, flags)
      : new RegExp(caseless[1] + pattern.slice(caseless[0].length), `${flags}i`);
  },
  { code: 'goPattern' }, // ajv names the engine by `code` only in standalone code, which is not generated here
);

/** Reads every CRD in `crdDir` and compiles the schema of each served version. */
export function loadCrdValidators(crdDir: string): CrdValidators {
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, code: { regExp: goPattern } });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-map-keys',
    type: 'array',
    schemaType: 'array',
    validate: (keys: readonly string[], items: readonly unknown[]) => firstDuplicate(keys, items) === -1,
  });

  const served = new Map<string, ReadonlyMap<string, ValidateFunction>>();
  const files = readdirSync(crdDir).filter((file) => file.endsWith('.yaml'));
  for (const file of files.sort()) {
    const crd = readCrd(join(crdDir, file));
    if (served.has(crd.kind)) throw new Error(`${file}: kind ${crd.kind} is defined twice in ${crdDir}`);
    const versions = new Map<string, ValidateFunction>();
    for (const version of crd.versions) {
      const where = `${file}#${version.name}`;
      const schema = toAjvSchema(version.schema, where);
      schema.properties = { ...asObject(schema.properties, `${where}/properties`), metadata: METADATA_SCHEMA };
      versions.set(`${crd.group}/${version.name}`, ajv.compile(schema));
    }
    served.set(crd.kind, versions);
  }
  const kinds = [...served.keys()].sort();

  return {
    kinds,
    validate(object) {
      if (!isObject(object)) return [{ path: '', message: `${show(object)} is not a Kubernetes object` }];
      const versions = typeof object.kind === 'string' ? served.get(object.kind) : undefined;
      if (versions === undefined) {
        const problem = object.kind === undefined ? 'kind is missing' : `unknown kind ${show(object.kind)}`;
        return [{ path: '/kind', message: `${problem}; the Calico CRDs define ${kinds.join(', ')}` }];
      }
      const check = typeof object.apiVersion === 'string' ? versions.get(object.apiVersion) : undefined;
      if (check === undefined) {
        const expected = [...versions.keys()].map((v) => `"${v}"`).join(' or ');
        const problem = object.apiVersion === undefined ? 'apiVersion is missing' : `${show(object.apiVersion)} is not served for ${object.kind}`;
        return [{ path: '/apiVersion', message: `${problem}; use ${expected}` }];
      }
      if (check(object)) return [];
      const unique = new Map<string, SchemaViolation>();
      for (const error of check.errors ?? []) {
        const violation = toViolation(error);
        unique.set(`${violation.path}\n${violation.message}`, violation);
      }
      return [...unique.values()];
    },
  };
}

interface Crd {
  readonly kind: string;
  readonly group: string;
  readonly versions: readonly { readonly name: string; readonly schema: SchemaNode }[];
}

/** Served versions of one CRD file; a file that is not a CRD is a bug in crds/ and throws. */
function readCrd(file: string): Crd {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  const crd = asObject(doc, file);
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1' || crd.kind !== 'CustomResourceDefinition') {
    throw new Error(`${file}: expected an apiextensions.k8s.io/v1 CustomResourceDefinition`);
  }
  const spec = asObject(crd.spec, `${file}: spec`);
  const kind = asObject(spec.names, `${file}: spec.names`).kind;
  if (typeof kind !== 'string' || typeof spec.group !== 'string') {
    throw new Error(`${file}: spec.group and spec.names.kind must be strings`);
  }
  if (!Array.isArray(spec.versions)) throw new Error(`${file}: spec.versions must be a list`);
  const versions = spec.versions
    .map((entry: unknown) => asObject(entry, `${file}: spec.versions[]`))
    .filter((version) => version.served === true)
    .map((version) => ({
      name: String(version.name),
      schema: asObject(asObject(version.schema, `${file}: ${String(version.name)}.schema`).openAPIV3Schema, `${file}: openAPIV3Schema`),
    }));
  return { kind, group: spec.group, versions };
}

/**
 * Rewrites one CRD schema node into the JSON Schema ajv checks, with the Kubernetes meaning.
 *
 * Unknown fields are decided on nodes with `type: object`. A structural schema sets `type` on every
 * such node and never inside `allOf`/`anyOf`/`oneOf`/`not`, so the fields a value branch leaves
 * out are not unknown fields.
 */
function toAjvSchema(node: SchemaNode, where: string): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    const at = `${where}/${key}`;
    if (key.startsWith('x-kubernetes-') && !EXTENSIONS.has(key)) {
      throw new Error(`${at}: calico-shield's CRD validator does not handle ${key}`);
    }
    if (key === 'format' && !(typeof value === 'string' && Object.hasOwn(FORMATS, value))) {
      throw new Error(`${at}: calico-shield's CRD validator does not know format ${show(value)}`);
    }
    if (key === 'properties') {
      const properties = Object.entries(asObject(value, at));
      out[key] = Object.fromEntries(properties.map(([name, child]) => [name, toAjvSchema(asObject(child, `${at}/${name}`), `${at}/${name}`)]));
    } else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value !== 'boolean')) {
      out[key] = toAjvSchema(asObject(value, at), at);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      if (!Array.isArray(value)) throw new Error(`${at}: must be a list`);
      out[key] = value.map((branch: unknown, i) => toAjvSchema(asObject(branch, `${at}/${i}`), `${at}/${i}`));
    } else {
      out[key] = value;
    }
  }

  if (node['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
    // controller-gen repeats the same choice as anyOf; dropping it avoids a second error.
    if (isIntOrStringAnyOf(out.anyOf)) delete out.anyOf;
  }
  if (out.type === undefined) delete out.nullable; // no type: null is already allowed
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  const preserves = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.type === 'object' && out.additionalProperties === undefined && !preserves) {
    out.additionalProperties = false;
  }
  return out;
}

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  return (
    Array.isArray(anyOf) &&
    anyOf.length === 2 &&
    anyOf.every((branch: unknown) => isObject(branch) && Object.keys(branch).length === 1) &&
    anyOf.some((branch: unknown) => isObject(branch) && branch.type === 'integer') &&
    anyOf.some((branch: unknown) => isObject(branch) && branch.type === 'string')
  );
}

/** Index of the first item whose `keys` repeat an earlier item's (`x-kubernetes-list-type: map`), or -1. */
function firstDuplicate(keys: readonly string[], items: readonly unknown[]): number {
  const seen = new Set<string>();
  return items.findIndex((item) => {
    const tuple = JSON.stringify(keys.map((key) => (isObject(item) ? item[key] : undefined)));
    if (seen.has(tuple)) return true;
    seen.add(tuple);
    return false;
  });
}

function toViolation(error: ErrorObject): SchemaViolation {
  const params: Record<string, unknown> = error.params;
  const value = error.data;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const why = error.instancePath === '/metadata'
        ? 'calico-shield writes only name, namespace, labels and annotations'
        : 'the CRD schema does not declare it, and the API server would drop it silently';
      return { path: `${error.instancePath}/${escapePointer(field)}`, message: `unknown field "${field}": ${why}` };
    }
    case 'required': {
      const field = String(params.missingProperty);
      return { path: `${error.instancePath}/${escapePointer(field)}`, message: `required field "${field}" is missing` };
    }
    case 'type': {
      const expected = String(params.type).split(',');
      return { path: error.instancePath, message: `${show(value)} must be ${expected.join(' or ')}${typeHint(value, expected)}` };
    }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String) : [];
      const near = allowed.find((option) => typeof value === 'string' && option.toLowerCase() === value.toLowerCase());
      const hint = near === undefined ? '' : `. Did you mean "${near}"?`;
      return { path: error.instancePath, message: `${show(value)} is not one of ${allowed.join(', ')}${hint}` };
    }
    case 'uniqueItems': {
      const items: readonly unknown[] = Array.isArray(value) ? value : [];
      const index = Math.max(Number(params.i), Number(params.j)); // ajv reports the pair in either order
      return { path: `${error.instancePath}/${index}`, message: `${show(items[index])} is listed twice (x-kubernetes-list-type: set)` };
    }
    case 'x-kubernetes-list-map-keys': {
      const keys = Array.isArray(error.schema) ? error.schema.map(String) : [];
      const items: readonly unknown[] = Array.isArray(value) ? value : [];
      const index = firstDuplicate(keys, items);
      return { path: `${error.instancePath}/${index}`, message: `repeats the ${keys.join(', ')} of an earlier item (x-kubernetes-list-type: map)` };
    }
    default:
      return { path: error.instancePath, message: isScalar(value) ? `${show(value)} ${error.message}` : String(error.message) };
  }
}

/** YAML's unquoted `true` or `5000` is the usual cause of a type error; say which way to quote. */
function typeHint(value: unknown, expected: readonly string[]): string {
  if (expected.includes('string') && (typeof value === 'boolean' || typeof value === 'number')) {
    return `; quote it: "${String(value)}"`;
  }
  const numeric = expected.includes('number') || expected.includes('integer');
  if (numeric && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return `; write it without quotes: ${value}`;
  }
  return '';
}

const RFC3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** The API server's `date-time` format: RFC 3339, with a date that exists. */
function isDateTime(text: string): boolean {
  const match = RFC3339_DATE_TIME.exec(text);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // An impossible day (2023-02-29) rolls over into the next month.
  return date.getUTCMonth() === month - 1 && hour <= 23 && minute <= 59 && second <= 59;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  return isScalar(value) ? JSON.stringify(value) : Array.isArray(value) ? 'a list' : 'an object';
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value)) throw new Error(`${where}: expected a mapping, found ${show(value)}`);
  return value;
}
