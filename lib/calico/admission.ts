/**
 * Calico's admission rules for the objects calico-shield writes: what calico-apiserver (and, in
 * etcd mode, calicoctl) refuses before an object is stored.
 *
 * The CRD schema is a small part of what the API server checks; the rest is libcalico-go's
 * validator, run on every create and update of a projectcalico.org/v3 object. This module
 * mirrors that validator, at the pinned Calico version, for every kind and field calico-shield
 * can emit, so an object the cluster would refuse stops the synth instead of stopping Argo CD at
 * a sync wave. With the native v3 CRDs (a v3.32 tech preview) the validator does not run at
 * all and an invalid object is stored and breaks later (kube-controllers panics on an
 * interfacePattern it cannot compile): there this check is the only gate.
 *
 * Every rule names the source line it follows, in {@link CALICO_SOURCE}: the comments cite
 * v3.32.1, and a violation cites the line of the cluster's own release (the table
 * {@link OLDER_LINES} gives the same rule's line at v3.31.7 and v3.30.7). The validator is the
 * same in the three minors for the kinds calico-shield writes, but for what the table and the
 * rules below that take a release say: before v3.32 a rule with ports needs a protocol even for
 * named ports, a default-tier policy name is stored with `default.` in front, FelixConfiguration
 * has no natOutgoingExclusions before v3.31 and host endpoint templates no interfacePattern.
 *
 * Pure: no I/O. A violation is data; the pipeline turns it into an `invalid-object` error.
 */
import { RE2JS } from 're2js';
import { CalicoObject } from './object';
import { parseCidr, parseIp, type ParsedCidr } from './net';
import { parseSelector } from './selector';
import { memoize } from './strings';
import { checkLabelKey, checkLabelValue, quote } from './validate';
import { CALICO_RELEASES, type CalicoMinor } from './versions';

export const CALICO_SOURCE = 'https://github.com/projectcalico/calico';

/** One rule an object breaks, in Calico's words. */
export interface Violation {
  /** `Kind name` or `Kind namespace/name`. */
  readonly object: string;
  /** The object's field, e.g. `spec.ingress[0].source.nets`. */
  readonly field: string;
  /** What Calico says, e.g. `rule contains both IPv4 and IPv6 CIDRs`. */
  readonly message: string;
  /** The source line the rule follows at the cluster's release, e.g. `libcalico-go/lib/validator/v3/validator.go:1428 validateRule`. */
  readonly rule: string;
}

/** A source line at v3.32.1. */
interface Cite {
  readonly file: string;
  readonly line: number;
  readonly fn: string;
}

// Source locations, libcalico-go/lib/validator/v3/validator.go at v3.32.1 unless named.
const V = 'libcalico-go/lib/validator/v3/validator.go';
const at = (line: number, fn: string, file = V): Cite => ({ file, line, fn });
const POLICY_COMMON = 'api/pkg/apis/projectcalico/v3/policy_common.go';
const HOST_ENDPOINT = 'api/pkg/apis/projectcalico/v3/hostendpoint.go';
const FELIX_CONFIG = 'api/pkg/apis/projectcalico/v3/felixconfig.go';
const KUBE_CONTROLLERS = 'api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go';
const NETWORK_POLICY = 'api/pkg/apis/projectcalico/v3/networkpolicy.go';
const PORT = 'api/pkg/lib/numorstring/port.go';
const K8S_NAMESPACE = 'k8s.io/apimachinery/pkg/api/validation ValidateNamespaceName';

/**
 * The same rule's line at v3.31.7 and v3.30.7, by its `file:line` at v3.32.1 (undefined where
 * the release has no such rule). Each pair was found by the line's text in the same function
 * of the tag's file; test/calico/admission-versions.test.ts checks every entry against the
 * three tags' lines kept in test/fixtures/calico/validator-lines.txt.
 */
export const OLDER_LINES: ReadonlyMap<string, readonly [v3_31: number, v3_30: number | undefined, fn?: string]> = new Map<string, readonly [number, number | undefined, string?]>([
  ['api/pkg/apis/projectcalico/v3/felixconfig.go:570', [535, undefined]],
  ['api/pkg/apis/projectcalico/v3/felixconfig.go:1170', [1088, 1033]],
  ['api/pkg/apis/projectcalico/v3/hostendpoint.go:58', [52, 52]],
  ['api/pkg/apis/projectcalico/v3/hostendpoint.go:87', [77, 77]],
  ['api/pkg/apis/projectcalico/v3/hostendpoint.go:93', [81, 81]],
  ['api/pkg/apis/projectcalico/v3/hostendpoint.go:105', [89, 89]],
  ['api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go:152', [112, 112]],
  ['api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go:172', [130, 129]],
  ['api/pkg/apis/projectcalico/v3/networkpolicy.go:57', [52, 52]],
  ['api/pkg/apis/projectcalico/v3/policy_common.go:120', [97, 97]],
  ['api/pkg/apis/projectcalico/v3/policy_common.go:128', [101, 101]],
  ['api/pkg/lib/numorstring/port.go:44', [89, 89, 'PortFromString']],
  ['api/pkg/lib/numorstring/port.go:56', [51, 51]],
  ['api/pkg/lib/numorstring/port.go:74', [69, 69]],
  ['api/pkg/lib/numorstring/port.go:83', [78, 78]],
  ['api/pkg/lib/numorstring/port.go:86', [81, 81]],
  ['api/pkg/lib/numorstring/port.go:97', [97, 97]],
  ['api/pkg/lib/numorstring/port.go:114', [114, 114]],
  ['libcalico-go/lib/validator/v3/validator.go:342', [309, 309]],
  ['libcalico-go/lib/validator/v3/validator.go:348', [315, 315]],
  ['libcalico-go/lib/validator/v3/validator.go:420', [387, 387]],
  ['libcalico-go/lib/validator/v3/validator.go:459', [426, 426]],
  ['libcalico-go/lib/validator/v3/validator.go:475', [442, 442]],
  ['libcalico-go/lib/validator/v3/validator.go:517', [484, 484]],
  ['libcalico-go/lib/validator/v3/validator.go:598', [565, 565]],
  ['libcalico-go/lib/validator/v3/validator.go:616', [583, 583]],
  ['libcalico-go/lib/validator/v3/validator.go:635', [602, 602]],
  ['libcalico-go/lib/validator/v3/validator.go:648', [615, 615]],
  ['libcalico-go/lib/validator/v3/validator.go:657', [624, 624]],
  ['libcalico-go/lib/validator/v3/validator.go:665', [632, 632]],
  ['libcalico-go/lib/validator/v3/validator.go:669', [636, 636]],
  ['libcalico-go/lib/validator/v3/validator.go:726', [693, 693]],
  ['libcalico-go/lib/validator/v3/validator.go:785', [752, 752]],
  ['libcalico-go/lib/validator/v3/validator.go:794', [761, 761]],
  ['libcalico-go/lib/validator/v3/validator.go:952', [919, 919]],
  ['libcalico-go/lib/validator/v3/validator.go:1151', [1118, 1118]],
  ['libcalico-go/lib/validator/v3/validator.go:1156', [1123, 1123]],
  ['libcalico-go/lib/validator/v3/validator.go:1322', [1298, 1263]],
  ['libcalico-go/lib/validator/v3/validator.go:1342', [1319, 1284]],
  ['libcalico-go/lib/validator/v3/validator.go:1360', [1318, 1283]],
  ['libcalico-go/lib/validator/v3/validator.go:1373', [1330, 1295]],
  ['libcalico-go/lib/validator/v3/validator.go:1381', [1338, 1303]],
  ['libcalico-go/lib/validator/v3/validator.go:1387', [1344, 1309]],
  ['libcalico-go/lib/validator/v3/validator.go:1392', [1349, 1314]],
  ['libcalico-go/lib/validator/v3/validator.go:1403', [1360, 1325]],
  ['libcalico-go/lib/validator/v3/validator.go:1416', [1373, 1338]],
  ['libcalico-go/lib/validator/v3/validator.go:1423', [1380, 1345]],
  ['libcalico-go/lib/validator/v3/validator.go:1428', [1385, 1350]],
  ['libcalico-go/lib/validator/v3/validator.go:1442', [1399, 1364]],
  ['libcalico-go/lib/validator/v3/validator.go:1461', [1418, 1383]],
  ['libcalico-go/lib/validator/v3/validator.go:1473', [1430, 1395]],
  ['libcalico-go/lib/validator/v3/validator.go:1481', [1438, 1403]],
  ['libcalico-go/lib/validator/v3/validator.go:1486', [1443, 1408]],
  ['libcalico-go/lib/validator/v3/validator.go:1662', [1601, 1566]],
  ['libcalico-go/lib/validator/v3/validator.go:1702', [1641, 1606]],
  ['libcalico-go/lib/validator/v3/validator.go:1717', [1656, 1621]],
  ['libcalico-go/lib/validator/v3/validator.go:1727', [1666, 1631]],
  ['libcalico-go/lib/validator/v3/validator.go:1811', [1750, 1715]],
  ['libcalico-go/lib/validator/v3/validator.go:1822', [1761, 1726]],
  ['libcalico-go/lib/validator/v3/validator.go:1838', [1777, 1742]],
  ['libcalico-go/lib/validator/v3/validator.go:1848', [1787, 1752]],
  ['libcalico-go/lib/validator/v3/validator.go:1856', [1795, 1760]],
  ['libcalico-go/lib/validator/v3/validator.go:1881', [1820, 1785]],
  ['libcalico-go/lib/validator/v3/validator.go:1950', [1889, 1854]],
  ['libcalico-go/lib/validator/v3/validator.go:1967', [1906, 1871]],
  ['libcalico-go/lib/validator/v3/validator.go:1977', [1916, 1881]],
  ['libcalico-go/lib/validator/v3/validator.go:1982', [1921, 1886]],
  ['libcalico-go/lib/validator/v3/validator.go:1989', [1928, 1893]],
  ['libcalico-go/lib/validator/v3/validator.go:1996', [1935, 1900]],
  ['libcalico-go/lib/validator/v3/validator.go:2004', [1943, 1908]],
  ['libcalico-go/lib/validator/v3/validator.go:2062', [2001, 1966]],
  ['libcalico-go/lib/validator/v3/validator.go:2071', [2010, 1975]],
  ['libcalico-go/lib/validator/v3/validator.go:2077', [2016, 1981]],
  ['libcalico-go/lib/validator/v3/validator.go:2102', [2041, 2006]],
  ['libcalico-go/lib/validator/v3/validator.go:2208', [2147, 2112]],
  ['libcalico-go/lib/validator/v3/validator.go:2225', [2164, 2129]],
  ['libcalico-go/lib/validator/v3/validator.go:2231', [2170, 2135]],

]);

/** Where `cite` is at the cluster's release. */
function citeAt(cite: Cite, minor: CalicoMinor): string {
  const older = OLDER_LINES.get(`${cite.file}:${cite.line}`);
  let line: number | undefined;
  switch (minor) {
    case 'v3.32':
      return `${cite.file}:${cite.line} ${cite.fn}`;
    case 'v3.31':
      line = older?.[0];
      break;
    case 'v3.30':
      line = older?.[1];
      break;
    default: {
      const unknown: never = minor;
      throw new Error(`internal error: no validator lines for Calico ${String(unknown)}`);
    }
  }
  if (line === undefined) throw new Error(`internal error: no line at ${CALICO_RELEASES[minor].release} for ${cite.file}:${cite.line}`);
  return `${cite.file}:${line} ${older?.[2] ?? cite.fn}`;
}

// validator.go:61-82: the name formats.
const NAME_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const NAME_SUBDOMAIN = `${NAME_LABEL}(\\.${NAME_LABEL})*`;
const NAME = new RegExp(`^${NAME_SUBDOMAIN}$`);
const GLOBAL_POLICY_NAME = new RegExp(`^(${NAME_LABEL}\\.)?${NAME_LABEL}$`);
const NETWORK_POLICY_NAME = new RegExp(`^((${NAME_LABEL})(\\.${NAME_LABEL})?|((?:knp|ossg)\\.default\\.(${NAME_SUBDOMAIN})))$`);
const DNS_LABEL = new RegExp(`^${NAME_LABEL}$`);
const MAX_NAME_LENGTH = 253; // k8svalidation.DNS1123SubdomainMaxLength
const MAX_LABEL_LENGTH = 63;
const INTERFACE = /^[a-zA-Z0-9_.-]{1,15}$/; // validator.go:87 interfaceRegex
const ACTION = /^(Allow|Deny|Log|Pass)$/; // validator.go:93 actionRegex
const PROTOCOL_NAME = /^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$/; // validator.go:94 protocolRegex
const DROP_ACCEPT_RETURN = /^(Drop|Accept|Return)$/; // validator.go:106 dropAcceptReturnRegex
const PORT_NAME = /^[a-zA-Z0-9_.-]{1,128}$/; // port.go:64 nameRegex
const ANNOTATIONS_MAX_BYTES = 256 * 1024; // validator.go:50 totalAnnotationSizeLimitB
const GLOBAL = 'global()';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string of a list, with its field's path made when a violation names it. */
class ListString {
  constructor(
    readonly text: string,
    private readonly list: string,
    private readonly index: number,
  ) {}

  get field(): string {
    return `${this.list}[${this.index}]`;
  }
}

/** Collects violations for one object; `field` paths are relative to the object. */
class Checker {
  readonly found: Violation[] = [];
  /** The object as violations name it, once one is found (10,000 host endpoints have none). */
  private description: string | undefined;

  constructor(
    private readonly object: CalicoObject,
    readonly minor: CalicoMinor,
  ) {}

  fail(field: string, message: string, rule: string | Cite): void {
    this.description ??= describe(this.object);
    this.found.push({ object: this.description, field, message, rule: typeof rule === 'string' ? rule : citeAt(rule, this.minor) });
  }

  /** The value at `field` when it is a string; a violation when it is present but not one. */
  string(value: unknown, field: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    this.fail(field, `${JSON.stringify(value)} is not a string`, 'the CRD schema');
    return undefined;
  }

  list(value: unknown, field: string): unknown[] {
    if (value === undefined) return [];
    if (Array.isArray(value)) return value;
    this.fail(field, 'is not a list', 'the CRD schema');
    return [];
  }

  record(value: unknown, field: string): Json | undefined {
    if (value === undefined) return undefined;
    if (isRecord(value)) return value;
    this.fail(field, 'is not a mapping', 'the CRD schema');
    return undefined;
  }

  strings(value: unknown, field: string): ListString[] {
    // A loop, not flatMap's array per item: 15,000 addresses of 10,000 host endpoints.
    const out: ListString[] = [];
    const list = this.list(value, field);
    for (let i = 0; i < list.length; i++) {
      // A hole of a sparse list reads as undefined, which string() skips, as flatMap skips holes.
      const item: unknown = list[i];
      const s = typeof item === 'string' ? item : this.string(item, `${field}[${i}]`);
      if (s !== undefined) out.push(new ListString(s, field, i));
    }
    return out;
  }

  /** validator.go:616 validateSelector: Calico's selector parser must accept it. */
  selector(value: unknown, field: string): string | undefined {
    const text = this.string(value, field);
    if (text === undefined) return undefined;
    const parsed = parseSelector(text);
    if (!parsed.ok) this.fail(field, `${quote(text)} is not a valid selector: ${parsed.error.message}`, at(616, 'validateSelector'));
    return text;
  }

  /** validator.go:1457-1462, 1845-1861, 2058-2082: global() only as an entity rule's namespaceSelector. */
  noGlobal(text: string | undefined, field: string, line: number, fn: string): void {
    if (text !== undefined && text.includes(GLOBAL)) this.fail(field, `${GLOBAL} can only be used in an EntityRule namespaceSelector`, at(line, fn));
  }

  /** validator.go:635 validateLabels, 2231 validateObjectMetaLabels: Kubernetes' qualified names and label values. */
  labels(value: unknown, field: string, rule: Cite): void {
    const labels = this.record(value, field);
    if (!labels) return;
    for (const key of Object.keys(labels)) {
      const v = labels[key];
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) this.fail(`${field}.${key}`, keyProblem.message, rule);
      const text = this.string(v, `${field}.${key}`);
      const valueProblem = text === undefined ? undefined : labelValueProblem(text);
      if (valueProblem) this.fail(`${field}.${key}`, valueProblem.message, rule);
    }
  }
}

/**
 * The label checks, once per distinct key and value: 10,000 host endpoints repeat the same few
 * keys and values (the checks are pure, and their problems only read).
 */
const labelKeyProblem = memoize(checkLabelKey, 1 << 12);
const labelValueProblem = memoize(checkLabelValue, 1 << 14);

/** Checks every object against the rules of Calico `minor`; the result is empty when it would accept them all. */
export function admit(objects: readonly CalicoObject[], minor: CalicoMinor): Violation[] {
  return objects.flatMap((o) => admitObject(o, minor));
}

function describe(o: CalicoObject): string {
  const name = isRecord(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '(no name)';
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${name}`;
}

function admitObject(o: CalicoObject, minor: CalicoMinor): Violation[] {
  const c = new Checker(o, minor);
  if (o.apiVersion !== 'projectcalico.org/v3') c.fail('apiVersion', `${quote(String(o.apiVersion))} is not projectcalico.org/v3`, 'the CRD group and version');
  checkMetadata(c, o);
  const spec = c.record(o.spec, 'spec') ?? {};
  switch (o.kind) {
    case 'GlobalNetworkPolicy':
      checkGlobalPolicySpec(c, spec);
      break;
    case 'NetworkPolicy':
      checkPolicySpec(c, spec, 'NetworkPolicySpec');
      break;
    case 'GlobalNetworkSet':
    case 'NetworkSet':
      checkNetworkSet(c, o, spec);
      break;
    case 'HostEndpoint':
      checkHostEndpoint(c, spec);
      break;
    case 'FelixConfiguration':
      checkFelixConfiguration(c, spec);
      break;
    case 'KubeControllersConfiguration':
      checkKubeControllers(c, spec);
      break;
    default:
      c.fail('kind', `${quote(o.kind)} is not a kind calico-shield writes`, 'calico-shield writes only policies, network sets, host endpoints and Felix and kube-controllers configuration');
  }
  return c.found;
}

// ---------------------------------------------------------------------------------------------
// Metadata

function checkMetadata(c: Checker, o: CalicoObject): void {
  const meta = c.record(o.metadata, 'metadata') ?? {};
  const name = c.string(meta['name'], 'metadata.name') ?? '';
  // validator.go:1708-1736 validateObjectMeta, for every kind: at most 253, nameRegex.
  if (name.length > MAX_NAME_LENGTH) c.fail('metadata.name', `name is too long by ${name.length - MAX_NAME_LENGTH} bytes`, at(1717, 'validateObjectMeta'));
  if (!NAME.test(name)) c.fail('metadata.name', `${quote(name)}: name must consist of lower case alphanumeric characters, '-' or '.'`, at(1727, 'validateObjectMeta'));
  if (o.kind === 'GlobalNetworkPolicy' && !GLOBAL_POLICY_NAME.test(name)) {
    c.fail('metadata.name', `${quote(name)}: a GlobalNetworkPolicy name is lower case alphanumeric characters or '-', with at most one '.'`, at(2102, 'validateGlobalNetworkPolicy'));
  }
  if (o.kind === 'NetworkPolicy' && !NETWORK_POLICY_NAME.test(name)) {
    c.fail('metadata.name', `${quote(name)}: a NetworkPolicy name is lower case alphanumeric characters or '-', with at most one '.'`, at(1881, 'validateNetworkPolicy'));
  }
  // Before v3.32 a policy of the default tier is stored as `default.<name>` (v3.31.7 and v3.30.7
  // libcalico-go/lib/names/policy.go:132-149 TieredPolicyName), which must fit Kubernetes' 253.
  const maxPolicyName = CALICO_RELEASES[c.minor].maxPolicyName;
  // A name with a dot already names its tier and is stored as it is.
  if ((o.kind === 'GlobalNetworkPolicy' || o.kind === 'NetworkPolicy') && !name.includes('.') && name.length <= MAX_NAME_LENGTH && name.length > maxPolicyName) {
    c.fail('metadata.name', `name is too long by ${name.length - maxPolicyName} bytes once stored as default.${name.slice(0, 8)}…`, 'libcalico-go/lib/names/policy.go:132 TieredPolicyName');
  }
  const namespaced = o.kind === 'NetworkPolicy' || o.kind === 'NetworkSet';
  const namespace = c.string(meta['namespace'], 'metadata.namespace');
  if (namespaced && (namespace === undefined || namespace.length > MAX_LABEL_LENGTH || !DNS_LABEL.test(namespace))) {
    c.fail('metadata.namespace', `${namespace === undefined ? 'is missing' : quote(namespace)}: a namespace is a DNS-1123 label`, K8S_NAMESPACE);
  }
  if (!namespaced && namespace !== undefined) c.fail('metadata.namespace', `a ${o.kind} is cluster-wide and has no namespace`, 'the CRD scope (Cluster)');
  c.labels(meta['labels'], 'metadata.labels', at(2231, 'validateObjectMetaLabels'));
  const annotations = c.record(meta['annotations'], 'metadata.annotations');
  if (annotations) {
    // validator.go:2205-2229 validateObjectMetaAnnotations: qualified keys (lower-cased), 256 kB in all.
    let size = 0;
    for (const key of Object.keys(annotations)) {
      const value = annotations[key];
      const problem = labelKeyProblem(key.toLowerCase());
      if (problem) c.fail(`metadata.annotations.${key}`, problem.message, at(2208, 'validateObjectMetaAnnotations'));
      size += Buffer.byteLength(key) + Buffer.byteLength(c.string(value, `metadata.annotations.${key}`) ?? '');
    }
    if (size > ANNOTATIONS_MAX_BYTES) {
      c.fail('metadata.annotations', `total size of annotations is too large by ${size - ANNOTATIONS_MAX_BYTES} bytes`, at(2225, 'validateObjectMetaAnnotations'));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Policies

function checkPolicySpec(c: Checker, spec: Json, specName: 'NetworkPolicySpec' | 'GlobalNetworkPolicySpec'): void {
  const global = specName === 'GlobalNetworkPolicySpec';
  // networkpolicy.go:99,121 (selector tags); validator.go:1848-1860 / 2061-2082 (no global()).
  c.noGlobal(c.selector(spec['selector'], 'spec.selector'), 'spec.selector', global ? 2062 : 1848, global ? 'validateGlobalNetworkPolicySpec' : 'validateNetworkPolicySpec');
  c.noGlobal(c.selector(spec['serviceAccountSelector'], 'spec.serviceAccountSelector'), 'spec.serviceAccountSelector', global ? 2071 : 1856, global ? 'validateGlobalNetworkPolicySpec' : 'validateNetworkPolicySpec');
  if (spec['order'] !== undefined && (typeof spec['order'] !== 'number' || !Number.isFinite(spec['order']))) {
    c.fail('spec.order', `${JSON.stringify(spec['order'])} is not a number`, 'the CRD schema (order: number)');
  }
  const tier = c.string(spec['tier'], 'spec.tier');
  if (tier !== undefined && !NAME.test(tier)) c.fail('spec.tier', `${quote(tier)} is not a valid tier name`, at(57, 'NetworkPolicySpec.Tier', NETWORK_POLICY));
  // validator.go:648 validatePolicyType; 1805-1814 / 1998-2006: no type twice.
  const seen = new Set<string>();
  for (const t of c.strings(spec['types'], 'spec.types')) {
    if (t.text !== 'Ingress' && t.text !== 'Egress') c.fail(t.field, `${quote(t.text)} is not Ingress or Egress`, at(648, 'validatePolicyType'));
    if (seen.has(t.text)) c.fail('spec.types', `'${t.text}' type specified more than once`, at(global ? 2004 : 1811, global ? 'validateGlobalNetworkPolicySpec' : 'validateNetworkPolicySpec'));
    seen.add(t.text);
  }
  c.list(spec['ingress'], 'spec.ingress').forEach((r, i) => checkRule(c, r, `spec.ingress[${i}]`, 'Ingress'));
  c.list(spec['egress'], 'spec.egress').forEach((r, i) => checkRule(c, r, `spec.egress[${i}]`, 'Egress'));
}

function checkGlobalPolicySpec(c: Checker, spec: Json): void {
  checkPolicySpec(c, spec, 'GlobalNetworkPolicySpec');
  c.noGlobal(c.selector(spec['namespaceSelector'], 'spec.namespaceSelector'), 'spec.namespaceSelector', 2077, 'validateGlobalNetworkPolicySpec');
  // validator.go:1974-1997: preDNAT, doNotTrack and applyOnForward.
  const flag = (key: string): boolean => spec[key] === true;
  if (flag('doNotTrack') && flag('preDNAT')) c.fail('spec.preDNAT', 'PreDNAT and DoNotTrack cannot both be true, for a given PolicySpec', at(1977, 'validateGlobalNetworkPolicySpec'));
  if (flag('preDNAT') && Array.isArray(spec['egress']) && spec['egress'].length > 0) c.fail('spec.egress', 'PreDNAT PolicySpec cannot have any Egress rules', at(1982, 'validateGlobalNetworkPolicySpec'));
  if (flag('preDNAT') && Array.isArray(spec['types']) && spec['types'].includes('Egress')) c.fail('spec.types', "PreDNAT PolicySpec cannot have 'egress' Type", at(1989, 'validateGlobalNetworkPolicySpec'));
  if (!flag('applyOnForward') && (flag('doNotTrack') || flag('preDNAT'))) {
    c.fail('spec.applyOnForward', 'ApplyOnForward must be true if either PreDNAT or DoNotTrack is true, for a given PolicySpec', at(1996, 'validateGlobalNetworkPolicySpec'));
  }
}

/** A rule port as Calico reads it (port.go PortFromString, UnmarshalJSON). */
type ParsedPort = { named: true } | { named: false; min: number; max: number };

/** port.go:69-95 PortFromString and 97-119 UnmarshalJSON; validator.go:934-957 validatePort. */
function checkPort(c: Checker, value: unknown, field: string): ParsedPort | undefined {
  const bad = (message: string, rule: Cite): undefined => {
    c.fail(field, message, rule);
    return undefined;
  };
  let min: number;
  let max: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 65535) return bad(`${value} is not a port number (0-65535)`, at(114, 'Port.UnmarshalJSON', PORT));
    min = max = value;
  } else if (typeof value === 'string') {
    const range = /^(\d+):(\d+)$/.exec(value);
    if (/^\d+$/.test(value)) {
      if (Number(value) > 65535) return bad(`invalid port format (${value})`, at(74, 'PortFromString', PORT));
      min = max = Number(value);
    } else if (range) {
      if (Number(range[1]) > 65535) return bad(`invalid minimum port number in range (${value})`, at(83, 'PortFromString', PORT));
      if (Number(range[2]) > 65535) return bad(`invalid maximum port number in range (${value})`, at(86, 'PortFromString', PORT));
      min = Number(range[1]);
      max = Number(range[2]);
      if (min > max) return bad(`minimum port number (${min}) is greater than maximum port number (${max}) in port range`, at(56, 'PortFromRange', PORT));
    } else {
      if (!PORT_NAME.test(value)) return bad(`invalid name for named port (${quote(value)})`, at(44, 'NamedPort', PORT));
      return { named: true };
    }
  } else {
    return bad(`${JSON.stringify(value)} is not a port`, at(97, 'Port.UnmarshalJSON', PORT));
  }
  if (min < 1 || max < 1) return bad('port range invalid, port number must be between 1 and 65535', at(952, 'validatePort'));
  return { named: false, min, max };
}

/** validator.go:657-672 validateProtocol: a number 1-255 or one of Calico's names (case-sensitive). */
function checkProtocol(c: Checker, value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined) {
    c.fail(field, `${JSON.stringify(value)} is not a protocol`, at(657, 'validateProtocol'));
    return undefined;
  }
  if (/^\d+$/.test(text) && Number(text) <= 255) {
    if (Number(text) === 0) c.fail(field, 'protocol number invalid', at(665, 'validateProtocol'));
  } else if (!PROTOCOL_NAME.test(text)) {
    c.fail(field, `${quote(text)}: protocol name invalid (one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite, spelled so, or a number 1-255)`, at(669, 'validateProtocol'));
  }
  return text;
}

/** protocol.go:124-135 SupportsPorts: TCP, UDP, SCTP (by name or as 6, 17, 132). */
function supportsPorts(protocol: string): boolean {
  return ['TCP', 'UDP', 'SCTP', 'tcp', 'udp', 'sctp', '6', '17', '132'].includes(protocol);
}

/** validator.go:1316-1324 validateICMPFields and policy_common.go:120,128 (type 0-254, code 0-255). */
function checkIcmp(c: Checker, value: unknown, field: string): boolean {
  const icmp = c.record(value, field);
  if (!icmp) return false;
  const inRange = (key: string, max: number, line: number): void => {
    const v = icmp[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)) {
      c.fail(`${field}.${key}`, `${JSON.stringify(v)} is not a whole number from 0 to ${max}`, at(line, `ICMPFields.${key}`, POLICY_COMMON));
    }
  };
  inRange('type', 254, 120);
  inRange('code', 255, 128);
  if (icmp['code'] !== undefined && icmp['type'] === undefined) c.fail(`${field}.code`, 'ICMP code specified without an ICMP type', at(1322, 'validateICMPFields'));
  return true;
}

/** A rule net as validator.go's `net` tag (726, strictly masked) and scanNets (1398, cnet.ParseCIDR) read it. */
function ruleNet(c: Checker, text: string, field: string): ParsedCidr | undefined {
  if (!text.includes('/')) {
    // The `net` tag accepts a bare address, but scanNets parses with cnet.ParseCIDR, which needs a prefix.
    c.fail(field, `${quote(text)}: invalid CIDR (a rule net needs a prefix length)`, at(1403, 'validateRule'));
    return undefined;
  }
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    c.fail(field, `${parsed.problem.message} (rule nets are strictly masked networks)`, at(726, 'validateIPNetwork'));
    return undefined;
  }
  return parsed.cidr;
}

function checkRule(c: Checker, value: unknown, field: string, direction: 'Ingress' | 'Egress'): void {
  const rule = c.record(value, field);
  if (!rule) return;
  const action = c.string(rule['action'], `${field}.action`);
  if (action === undefined || !ACTION.test(action)) {
    c.fail(`${field}.action`, `${action === undefined ? 'is missing' : quote(action)}: the action is Allow, Deny, Log or Pass`, at(342, 'validateAction'));
  }
  const ipVersion = rule['ipVersion'];
  if (ipVersion !== undefined && ipVersion !== 4 && ipVersion !== 6) c.fail(`${field}.ipVersion`, `${JSON.stringify(ipVersion)} is not 4 or 6`, at(475, 'validateIPVersion'));
  const protocol = checkProtocol(c, rule['protocol'], `${field}.protocol`);
  const notProtocol = checkProtocol(c, rule['notProtocol'], `${field}.notProtocol`);
  const hasIcmp = checkIcmp(c, rule['icmp'], `${field}.icmp`);
  checkIcmp(c, rule['notICMP'], `${field}.notICMP`);
  const sides = { source: c.record(rule['source'], `${field}.source`) ?? {}, destination: c.record(rule['destination'], `${field}.destination`) ?? {} };

  // validator.go:1330-1367: ports need a protocol that has them (named ports excepted without
  // one). Before v3.32 named ports too: a rule without a protocol has no ports (v3.31.7
  // validator.go:1302-1330, v3.30.7 1267-1295: `rule.Protocol == nil || !SupportsPorts()`).
  const namedWithoutProtocol = CALICO_RELEASES[c.minor].namedPortsWithoutProtocol;
  for (const side of ['source', 'destination'] as const) {
    for (const key of ['ports', 'notPorts'] as const) {
      const at_ = `${field}.${side}.${key}`;
      const ports = c.list(sides[side][key], at_).map((p, i) => checkPort(c, p, `${at_}[${i}]`));
      if (ports.length === 0) continue;
      if (protocol === undefined && ports.some((p) => p !== undefined && !(p.named && namedWithoutProtocol))) {
        c.fail(at_, namedWithoutProtocol ? 'rules with numeric port or port range must set protocol to TCP or UDP or SCTP' : 'rules that specify ports must set protocol to TCP or UDP or SCTP', at(1342, 'validateRule'));
      } else if (protocol !== undefined && !supportsPorts(protocol)) {
        c.fail(at_, 'rules that specify ports must set protocol to TCP or UDP or SCTP', at(1360, 'validateRule'));
      }
    }
  }
  // validator.go:1370-1392: HTTP only over TCP; ICMP fields only with ICMP; ICMP's IP version.
  if (rule['http'] !== undefined && protocol !== undefined && protocol !== 'TCP') {
    c.fail(`${field}.protocol`, 'rules that specify HTTP fields must set protocol to TCP or empty', at(1373, 'validateRule'));
  }
  if (hasIcmp && protocol !== 'ICMP' && protocol !== 'ICMPv6') c.fail(`${field}.icmp`, 'rules that specify ICMP fields must set protocol to ICMP', at(1381, 'validateRule'));
  if ((protocol === 'ICMP' || notProtocol === 'ICMP') && ipVersion !== undefined && ipVersion !== 4) c.fail(`${field}.ipVersion`, "must set ipversion to '4' with protocol icmp", at(1387, 'validateRule'));
  if ((protocol === 'ICMPv6' || notProtocol === 'ICMPv6') && ipVersion !== undefined && ipVersion !== 6) c.fail(`${field}.ipVersion`, "must set ipversion to '6' with protocol icmpv6", at(1392, 'validateRule'));

  // validator.go:1394-1434 scanNets: one address family across all four nets fields.
  let seenV4 = false;
  let seenV6 = false;
  for (const [side, key] of [['source', 'nets'], ['source', 'notNets'], ['destination', 'nets'], ['destination', 'notNets']] as const) {
    const at_ = `${field}.${side}.${key}`;
    let v4 = false;
    let v6 = false;
    for (const net of c.strings(sides[side][key], at_)) {
      const cidr = ruleNet(c, net.text, net.field);
      if (cidr === undefined) continue;
      v4 ||= cidr.family === 4;
      v6 ||= cidr.family === 6;
      // A strictly masked /0 is 0.0.0.0/0 or ::/0, however the text spells it.
      if (key === 'notNets' && cidr.prefixLength === 0) {
        c.fail(net.field, 'catch-all CIDR in negation creates logical contradiction (matches no traffic)', at(1416, 'validateRule'));
      }
    }
    if (ipVersion !== undefined && ((v4 && ipVersion !== 4) || (v6 && ipVersion !== 6))) c.fail(at_, "rule IP version doesn't match CIDR version", at(1423, 'validateRule'));
    if ((v4 && seenV6) || (v6 && seenV4) || (v4 && v6)) c.fail(at_, 'rule contains both IPv4 and IPv6 CIDRs', at(1428, 'validateRule'));
    seenV4 ||= v4;
    seenV6 ||= v6;
  }
  if (action !== 'Allow' && rule['http'] !== undefined) c.fail(`${field}.http`, 'only valid for Allow rules', at(1442, 'validateRule'));
  for (const side of ['source', 'destination'] as const) checkEntityRule(c, sides[side], `${field}.${side}`, direction, side);
}

/** validator.go:1457-1503 validateEntityRule and policy_common.go:158-229 (selector tags). */
function checkEntityRule(c: Checker, e: Json, field: string, direction: 'Ingress' | 'Egress', side: 'source' | 'destination'): void {
  const selector = c.selector(e['selector'], `${field}.selector`);
  if (selector !== undefined && selector.includes(GLOBAL)) c.fail(`${field}.selector`, `${GLOBAL} can only be used in an EntityRule namespaceSelector`, at(1461, 'validateEntityRule'));
  c.selector(e['notSelector'], `${field}.notSelector`);
  const namespaceSelector = c.selector(e['namespaceSelector'], `${field}.namespaceSelector`);
  if (namespaceSelector !== undefined && namespaceSelector.includes('global(') && namespaceSelector !== GLOBAL) {
    const parsed = parseSelector(namespaceSelector);
    if (!parsed.ok || parsed.selector.kind !== 'global') c.fail(`${field}.namespaceSelector`, `${GLOBAL} cannot be combined with other selectors`, at(1473, 'validateEntityRule'));
  }
  const services = c.record(e['services'], `${field}.services`);
  if (services) {
    // validator.go:1477-1502, 1816-1846: services only as an egress destination or an ingress source, alone.
    if ((direction === 'Egress' && side === 'source') || (direction === 'Ingress' && side === 'destination')) {
      c.fail(`${field}.services`, `not allowed in ${direction.toLowerCase()} rule ${side}`, at(direction === 'Egress' ? 1822 : 1838, 'validateNetworkPolicySpec'));
    }
    if (typeof services['name'] !== 'string' || services['name'] === '') c.fail(`${field}.services.name`, 'must specify a service name', at(1481, 'validateEntityRule'));
    const others = ['namespaceSelector', 'selector', 'notSelector', 'serviceAccounts', 'nets', 'notNets'].filter((k) => e[k] !== undefined);
    if (others.length > 0) c.fail(`${field}.services`, `cannot specify ${others.join(', ')} and Services on the same rule`, at(1486, 'validateEntityRule'));
  }
}

// ---------------------------------------------------------------------------------------------
// Network sets, host endpoints, configuration

/** validator.go:1940-1972 and the `cidr` tag (785, cnet.ParseCIDROrIP: any address or network). */
function checkNetworkSet(c: Checker, o: CalicoObject, spec: Json): void {
  if (o.metadata.labels && 'projectcalico.org/namespace' in o.metadata.labels) {
    c.fail('metadata.labels.projectcalico.org/namespace', 'projectcalico.org/namespace is not a valid label name', at(o.kind === 'NetworkSet' ? 1950 : 1967, `validate${o.kind}`));
  }
  for (const net of c.strings(spec['nets'], 'spec.nets')) {
    const parsed = parseLooseCidr(net.text);
    if (parsed !== undefined) c.fail(net.field, parsed, at(785, 'validateCIDR'));
  }
}

/** cnet.ParseCIDROrIP: an address, or an address with a prefix length (host bits allowed); the problem when it is neither. */
function parseLooseCidr(text: string): string | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!address.ok) return `${quote(text)} is not an IP address or CIDR`;
  if (slash < 0) return undefined;
  const prefix = text.slice(slash + 1);
  const bits = address.ip.family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= bits ? undefined : `${quote(text)} has an invalid prefix length`;
}

function checkHostEndpoint(c: Checker, spec: Json): void {
  const node = c.string(spec['node'], 'spec.node');
  // validator.go:1145-1158 validateHostEndpointSpec; hostendpoint.go:58 (node: name).
  if (node === undefined || node === '') c.fail('spec.node', 'no node has been specified', at(1156, 'validateHostEndpointSpec'));
  else if (node.length > MAX_NAME_LENGTH || !NAME.test(node)) c.fail('spec.node', `${quote(node)} is not a valid node name`, at(58, 'HostEndpointSpec.Node', HOST_ENDPOINT));
  const iface = c.string(spec['interfaceName'], 'spec.interfaceName');
  if (iface !== undefined && iface !== '' && iface !== '*' && !INTERFACE.test(iface)) {
    c.fail('spec.interfaceName', `${quote(iface)} is not "*" or an interface name of 1-15 letters, digits, '_', '.' and '-'`, at(348, 'validateInterface'));
  }
  const ips = c.strings(spec['expectedIPs'], 'spec.expectedIPs');
  if ((iface === undefined || iface === '') && ips.length === 0) {
    c.fail('spec.interfaceName', 'no interface or expected IPs have been specified', at(1151, 'validateHostEndpointSpec'));
  }
  for (const ip of ips) {
    const parsed = parseIp(ip.text);
    if (!parsed.ok) c.fail(ip.field, parsed.problem.message, at(87, 'HostEndpointSpec.ExpectedIPs (ip)', HOST_ENDPOINT));
  }
  for (const p of c.strings(spec['profiles'], 'spec.profiles')) {
    if (!NAME.test(p.text)) c.fail(p.field, `${quote(p.text)} is not a valid profile name`, at(93, 'HostEndpointSpec.Profiles', HOST_ENDPOINT));
  }
  c.list(spec['ports'], 'spec.ports').forEach((value, i) => {
    const field = `spec.ports[${i}]`;
    const port = c.record(value, field);
    if (!port) return;
    const name = c.string(port['name'], `${field}.name`) ?? '';
    if (name === '' || name.length > 15 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || !/[a-z]/.test(name) || name.includes('--')) {
      c.fail(`${field}.name`, `${quote(name)} is not a valid port name (IANA_SVC_NAME)`, at(459, 'validatePortName'));
    }
    const protocol = checkProtocol(c, port['protocol'], `${field}.protocol`);
    // hostendpoint.go:101 `protocol` has no omitempty and no default: left out it is the number 0,
    // and protocol.go:124-127 SupportsPorts(0) is false, so validator.go:1656-1665 refuses the port.
    if (port['protocol'] === undefined) c.fail(`${field}.protocol`, 'EndpointPort protocol does not support ports. (protocol missing: it reads as 0)', at(1662, 'validateEndpointPort'));
    else if (protocol !== undefined && !supportsPorts(protocol)) c.fail(`${field}.protocol`, 'EndpointPort protocol does not support ports.', at(1662, 'validateEndpointPort'));
    const number = port['port'];
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) c.fail(`${field}.port`, `${JSON.stringify(number)} is not a port from 1 to 65535`, at(105, 'EndpointPort.Port', HOST_ENDPOINT));
  });
}

function checkFelixConfiguration(c: Checker, spec: Json): void {
  for (const key of ['failsafeInboundHostPorts', 'failsafeOutboundHostPorts'] as const) {
    c.list(spec[key], `spec.${key}`).forEach((value, i) => {
      const field = `spec.${key}[${i}]`;
      const entry = c.record(value, field);
      if (!entry) return;
      // validator.go:1694-1706 validateProtoPort: exactly "TCP", "UDP" or "SCTP" (Felix itself would take "tcp").
      const protocol = entry['protocol'];
      if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') c.fail(`${field}.protocol`, "protocol must be 'TCP' or 'UDP' or 'SCTP'.", at(1702, 'validateProtoPort'));
      const port = entry['port'];
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) c.fail(`${field}.port`, `${JSON.stringify(port)} is not a port (uint16)`, at(1170, 'ProtoPort.Port', FELIX_CONFIG));
    });
  }
  // felixconfig.go:328 (validator.go:598 dropAcceptReturn, case-sensitive) and 570 (oneof).
  const action = c.string(spec['defaultEndpointToHostAction'], 'spec.defaultEndpointToHostAction');
  if (action !== undefined && !DROP_ACCEPT_RETURN.test(action)) c.fail('spec.defaultEndpointToHostAction', `${quote(action)} is not Drop, Accept or Return (case-sensitive)`, at(598, 'validateFelixEtoHAction'));
  const exclusions = c.string(spec['natOutgoingExclusions'], 'spec.natOutgoingExclusions');
  if (exclusions !== undefined && !CALICO_RELEASES[c.minor].natOutgoingExclusions) {
    c.fail('spec.natOutgoingExclusions', `FelixConfigurationSpec of Calico ${CALICO_RELEASES[c.minor].release} has no natOutgoingExclusions`, 'api/pkg/apis/projectcalico/v3/felixconfig.go FelixConfigurationSpec (v3.31.7 adds it at line 535)');
  } else if (exclusions !== undefined && exclusions !== 'IPPoolsOnly' && exclusions !== 'IPPoolsAndHostIPs') {
    c.fail('spec.natOutgoingExclusions', `${quote(exclusions)} is not IPPoolsOnly or IPPoolsAndHostIPs`, at(570, 'FelixConfigurationSpec.NATOutgoingExclusions', FELIX_CONFIG));
  }
}

function checkKubeControllers(c: Checker, spec: Json): void {
  const controllers = c.record(spec['controllers'], 'spec.controllers');
  const node = controllers && c.record(controllers['node'], 'spec.controllers.node');
  const hep = node && c.record(node['hostEndpoint'], 'spec.controllers.node.hostEndpoint');
  if (!hep) return;
  const base = 'spec.controllers.node.hostEndpoint';
  const enabledOrDisabled = (key: string, line: number, fn: string, file?: string): void => {
    const v = c.string(hep[key], `${base}.${key}`);
    if (v !== undefined && v !== 'Enabled' && v !== 'Disabled') c.fail(`${base}.${key}`, `${quote(v)} is not Enabled or Disabled`, at(line, fn, file));
  };
  enabledOrDisabled('autoCreate', 152, 'AutoHostEndpointConfig.AutoCreate', KUBE_CONTROLLERS);
  enabledOrDisabled('createDefaultHostEndpoint', 517, 'validateCreateDefaultHostEndpoint');
  c.list(hep['templates'], `${base}.templates`).forEach((value, i) => {
    const field = `${base}.templates[${i}]`;
    const t = c.record(value, field);
    if (!t) return;
    const generateName = c.string(t['generateName'], `${field}.generateName`);
    if (generateName !== undefined && generateName !== '' && (generateName.length > MAX_NAME_LENGTH || !NAME.test(generateName))) {
      c.fail(`${field}.generateName`, `${quote(generateName)} is not a valid name`, at(172, 'Template.GenerateName', KUBE_CONTROLLERS));
    }
    for (const cidr of c.strings(t['interfaceCIDRs'], `${field}.interfaceCIDRs`)) {
      const problem = parseLooseCidr(cidr.text);
      if (problem !== undefined) c.fail(cidr.field, problem, at(794, 'validateCIDRs'));
    }
    const pattern = c.string(t['interfacePattern'], `${field}.interfacePattern`);
    if (pattern !== undefined && !CALICO_RELEASES[c.minor].templateInterfacePattern) {
      c.fail(`${field}.interfacePattern`, `Template of Calico ${CALICO_RELEASES[c.minor].release} has no interfacePattern`, 'api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go Template (v3.31.7 adds it at line 139)');
    }
    const patternProblem = pattern === undefined || pattern === '' ? undefined : goRegexpProblem(pattern);
    if (patternProblem !== undefined) c.fail(`${field}.interfacePattern`, patternProblem, at(420, 'validateRegexp'));
    c.labels(t['labels'], `${field}.labels`, at(635, 'validateLabels'));
    c.selector(t['nodeSelector'], `${field}.nodeSelector`);
  });
}

/**
 * Why Go's `regexp.Compile` refuses the pattern, or undefined when it compiles.
 *
 * kube-controllers compiles interfacePattern with Go's regexp (RE2 syntax: no lookaround, no
 * backreferences, repeat counts up to 1000, no `\u` escapes); re2js is a port of the same
 * parser, so it accepts and refuses what Go does, with Go's messages.
 */
export function goRegexpProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
