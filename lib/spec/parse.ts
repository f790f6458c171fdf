/**
 * Cluster spec: bytes of `clusters/<name>.yaml` → validated ClusterSpec, or findings.
 *
 * Pure: the caller reads the file. Every rule a value must pass comes from lib/calico, so
 * what reaches the plan is safe to turn into names, labels and selectors.
 */
import { parseAllDocuments } from 'yaml';
import { FAILSAFE_DEFAULTS, METRICS_PORTS, type EndpointToHostAction } from '../calico/felix';
import { CALICO_MINORS, CALICO_RELEASES, DEFAULT_CALICO, isCalicoMinor, type CalicoMinor, type CalicoRelease } from '../calico/versions';
import { goRegexpProblem } from '../calico/admission';
import { cidrsOverlap, compareCidrs, compareIps, parseCidr, parseIp, type ParsedCidr, type ParsedIp } from '../calico/net';
import { CONTROL_PLANE_LABELS, CREATED_BY_LABEL, hostPaths, PRESET_IDS, type PresetId } from '../calico/presets';
import {
  checkDns1123Label,
  checkDns1123Subdomain,
  checkInterfaceName,
  checkLabelKey,
  checkLabelValue,
  checkNamespace,
  checkNodeName,
  checkPort,
  checkProtocol,
  escapeHiddenCharacters,
  Problem,
  quote,
} from '../calico/validate';
import { compareByName, compareText, sortSmall } from '../calico/strings';
import { Finding } from './errors';
import { composedRoot, fastRoot } from './fast-yaml';
import { MAX_FLOW_DEPTH, TextLines, tooDeep } from './lines';
import { fromYamlNode, type MapNode, type SeqNode, type SpecNode } from './nodes';
import { clip, closest, isNull, Located, SpecReader } from './reader';
import { type NodeItem, NotSimple, simpleRoot, unreadItems } from './simple-yaml';
import {
  AcknowledgeSpec,
  AllowedClientsSpec,
  ApiServerSpec,
  Approach,
  ClusterSpec,
  Encapsulation,
  EnvironmentSpec,
  FailsafePort,
  FailsafeSpec,
  HostEndpointsMode,
  HostEndpointsSpec,
  HostEndpointTemplateSpec,
  HostTrafficSpec,
  InstallFlavour,
  InterfaceSpec,
  IpPoolSpec,
  KubeControllersMetricsSpec,
  Labels,
  MetricsEndpointSpec,
  MetricsSpec,
  NatOutgoingExclusions,
  NodeSpec,
  ProtectedServerSpec,
  Protocol,
  WorkloadSelectorSpec,
} from './types';

const SPEC_API_VERSION = 'calico-shield/v1alpha1';
const SPEC_KIND = 'Cluster';

/** Largest spec file accepted: ~10,000 nodes with comments fit in a few MiB. */
export const MAX_SPEC_BYTES = 32 * 1024 * 1024;

/**
 * Longest protected-server name: it becomes the label key `protected-<name>-server`,
 * whose name part may have 63 characters.
 */
const MAX_SERVER_NAME = 63 - 'protected--server'.length;

const APPROACHES: readonly Approach[] = ['deny-list', 'allow-list'];
const HOST_ENDPOINTS_MODES: readonly HostEndpointsMode[] = ['static', 'auto'];

/** Labels calico-shield writes on the host endpoints of static mode (deviation D3 names them). */
const WRITTEN_HOST_LABEL = /^(running-calico|protected-.+-server|allowed-.+-client)$/;

/**
 * The finding for a spec over MAX_SPEC_BYTES; the CLI reports it from the file's size, before
 * reading it.
 */
export function tooLargeSpec(file: string, size: number): Finding {
  return { severity: 'error', code: 'too-large', message: `the spec has ${size} bytes, more than the ${MAX_SPEC_BYTES} calico-shield reads`, hint: 'split the fleet into one file per cluster', file, line: 1, col: 1 };
}

export interface ParseOptions {
  /**
   * `positioned` skips the fast reader (lib/spec/fast-yaml.ts) and reads with the yaml
   * library's Document API only: what the fast reader must agree with.
   * @default 'fast-first'
   */
  readonly reader?: 'fast-first' | 'positioned';
  /**
   * `generic` reads every item of spec.nodes field by field, as every other field is read,
   * also where the fast reader's first reading would read an item of the common shape
   * straight from its tree (commonNode): what that shortcut must agree with.
   * @default 'common-shape'
   */
  readonly nodes?: NodesReader;
}

/** How the fast reader's first reading reads the items of spec.nodes (ParseOptions.nodes). */
type NodesReader = 'common-shape' | 'generic';

export interface ParseResult {
  readonly spec?: ClusterSpec;
  readonly findings: readonly Finding[];
}

/**
 * Parses and validates one cluster spec.
 *
 * @param file the path shown in messages, e.g. `clusters/example.yaml`
 * @param clusterName the name the file implies (its base name)
 */
export function parseClusterSpec(file: string, clusterName: string, bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  const fail = (code: string, message: string, hint?: string, line = 1, col = 1): ParseResult => ({
    findings: [{ severity: 'error', code, message, ...(hint ? { hint } : {}), file, line, col }],
  });
  if (bytes.length > MAX_SPEC_BYTES) return { findings: [tooLargeSpec(file, bytes.length)] };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
    const line = bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length + 1;
    const col = Buffer.from(bytes.subarray(lineStart, offset)).toString('utf8').length + 1;
    return fail('not-utf8', `the file is not valid UTF-8 (byte ${offset})`, 'save the file as UTF-8', line, col);
  }
  // A leading byte-order mark is harmless: editors on some systems add it.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') {
    return fail('empty', 'the spec is empty', `start from clusters/example.yaml: apiVersion: ${SPEC_API_VERSION}, kind: ${SPEC_KIND}, spec: …`);
  }

  const lineCounter = new TextLines(text);
  const deep = tooDeep(text);
  if (deep !== undefined) {
    const p = lineCounter.linePos(deep);
    return fail('too-deep', `collections are nested more than ${MAX_FLOW_DEPTH} levels deep here`, 'a cluster spec needs a few levels of nesting: close the brackets', p.line, p.col);
  }
  // The fast reader first; any finding at all, and the positioned reader reads again, so
  // the reader's findings are always the positioned reader's.
  if (options.reader !== 'positioned') {
    const nodesReader = options.nodes ?? 'common-shape';
    try {
      const read = readFast(file, clusterName, text, lineCounter, fastRoot(text, { unreadNodes: true, lines: lineCounter }), nodesReader);
      if (read) return read;
    } catch (e) {
      // An item of spec.nodes the line reader left unread is not of its shape after all:
      // the text goes the way it would have gone had the line reader read it all.
      if (!(e instanceof NotSimple)) throw e;
      const read = readFast(file, clusterName, text, lineCounter, composedRoot(text), nodesReader);
      if (read) return read;
    }
  }
  const { spec, findings } = readPositioned(file, clusterName, text, lineCounter);
  return spec && findings.length === 0 ? { spec, findings: [] } : { findings };
}

/**
 * The fast reader's reading of its tree: the spec when nothing at all is found, otherwise
 * undefined (the positioned reader then reads again). Throws NotSimple when an item of
 * spec.nodes the line reader left unread is not of its shape.
 */
function readFast(file: string, clusterName: string, text: string, lineCounter: TextLines, fast: SpecNode | undefined, nodesReader: NodesReader): ParseResult | undefined {
  if (!fast || isNull(fast)) return undefined;
  // The nodes' fields are most of a large spec's: their positions are recorded only when a
  // later finding names one, by reading that node again (or, for a listing, the spec).
  const r = new SpecReader(file, text, lineCounter, undefined, NODES);
  r.resolve(fast, '');
  const spec = readRoot(r, { node: fast, path: '' }, file, clusterName, nodesReader);
  if (!spec || r.findings.length > 0) return undefined;
  const mode = spec.hostEndpoints.mode;
  const items = nodeItems(fast);
  r.positions.defer({
    item: (i) => {
      const again = new SpecReader(file, text, lineCounter);
      const path = `${NODES}[${i}]`;
      const item = i < items.length ? again.resolve(items.item(i), path) : undefined;
      if (item !== undefined) readNode(again, { node: item, path }, nodesReading(mode));
      return again.positions;
    },
    all: () => {
      // Every field, so the whole tree, read at once (the line reader read all of this text
      // before): reading the unread items one by one would record each item's position next to
      // its fields, not all of them first as the positioned reader's listing does.
      const whole = items.unread ? simpleRoot(text, { lines: lineCounter }) : fast;
      if (whole === undefined) throw new Error('internal error: the line reader no longer reads the spec it read');
      const again = new SpecReader(file, text, lineCounter);
      again.resolve(whole, '');
      // Generic: this reading records every field's position.
      readRoot(again, { node: whole, path: '' }, file, clusterName, 'generic');
      return again.positions;
    },
  });
  return { spec, findings: [] };
}

/** The list whose items' fields the fast reader records only when asked. */
const NODES = 'spec.nodes';

/** The items of spec.nodes in the fast reader's tree (which has no aliases): read, or left unread by the line reader. */
interface NodeItems {
  readonly length: number;
  readonly unread: boolean;
  item(i: number): SpecNode | null;
}

function nodeItems(root: SpecNode): NodeItems {
  const field = (node: SpecNode | null | undefined, key: string): SpecNode | null | undefined =>
    node?.kind === 'map' ? node.items.find((p) => p.key?.kind === 'scalar' && p.key.value === key)?.value : undefined;
  const nodes = field(field(root, 'spec'), 'nodes');
  const unread = nodes ? unreadItems(nodes) : undefined;
  if (unread) return { length: unread.length, unread: true, item: (i) => unread.item(i) };
  const items = nodes?.kind === 'seq' ? nodes.items : [];
  return { length: items.length, unread: false, item: (i) => items[i] ?? null };
}

/** The positioned reader: the yaml library's Document API, a position for every field. */
function readPositioned(file: string, clusterName: string, text: string, lineCounter: TextLines): ParseResult {
  const fail = (code: string, message: string, hint?: string, line = 1, col = 1): ParseResult => ({
    findings: [{ severity: 'error', code, message, ...(hint ? { hint } : {}), file, line, col }],
  });
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2', schema: 'core', merge: false });
  const docList = Array.isArray(docs) ? docs : [];
  if (docList.length === 0) {
    return fail('empty', 'the spec has no YAML document', `start from clusters/example.yaml`);
  }
  const yamlFindings: Finding[] = [];
  for (const doc of docList) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      const p = lineCounter.linePos(e.pos[0]);
      yamlFindings.push({
        severity: 'error',
        code: `yaml-${e.code.toLowerCase().replace(/_/g, '-')}`,
        // yaml's own messages quote the offending token, which may be megabytes long.
        message: escapeHiddenCharacters(clip(e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), 300, 200)),
        ...(e.code === 'DUPLICATE_KEY' ? { hint: 'each key may appear once in a mapping; remove or merge the duplicates' } : {}),
        ...(e.code === 'TAB_AS_INDENT' ? { hint: 'indent with spaces, not tabs' } : {}),
        file,
        line: p.line,
        col: p.col,
      });
    }
  }
  if (yamlFindings.length > 0) return { findings: yamlFindings };
  if (docList.length > 1) {
    const p = docList[1].range ? lineCounter.linePos(docList[1].range[0]) : { line: 1, col: 1 };
    return fail('multiple-documents', 'the spec holds more than one YAML document', 'write one cluster per file: move the other documents to their own files in clusters/', p.line, p.col);
  }

  const converted = fromYamlNode(docList[0].contents);
  const r = new SpecReader(file, text, lineCounter, converted);
  const root = r.resolve(converted.root, '');
  if (!root || isNull(root)) {
    return fail('empty', 'the spec is empty', `start from clusters/example.yaml`);
  }
  const spec = readRoot(r, { node: root, path: '' }, file, clusterName, 'generic');
  return { ...(spec ? { spec } : {}), findings: r.findings };
}

function readRoot(r: SpecReader, at: Located, file: string, clusterName: string, nodesReader: NodesReader): ClusterSpec | undefined {
  const top = r.mapping({ node: at.node, path: '' }, ['apiVersion', 'kind', 'metadata', 'spec'], ['apiVersion', 'kind', 'spec']);
  if (!top) return undefined;
  const apiVersion = top.get('apiVersion');
  if (apiVersion) {
    const v = r.string(apiVersion);
    if (v !== undefined && v !== SPEC_API_VERSION) {
      r.error(apiVersion, 'unsupported-version', `unsupported apiVersion ${quote(v)}`, `this version of calico-shield reads ${SPEC_API_VERSION}`);
    }
  }
  const kind = top.get('kind');
  if (kind) {
    const v = r.string(kind);
    if (v !== undefined && v !== SPEC_KIND) r.error(kind, 'wrong-kind', `unknown kind ${quote(v)}`, `a cluster spec has kind: ${SPEC_KIND}`);
  }
  const metadata = top.get('metadata');
  if (metadata) {
    const m = r.mapping(metadata, ['name']);
    const name = m?.get('name');
    if (name) {
      const v = r.string(name);
      if (v !== undefined && v !== clusterName) {
        r.error(name, 'name-mismatch', `metadata.name ${quote(v)} differs from the file name ${quote(clusterName)}`, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? `rename the file to clusters/${v}.yaml or set metadata.name: ${clusterName}` : `set metadata.name: ${clusterName}`);
      }
    }
  }
  const specAt = top.get('spec');
  if (!specAt) return undefined;
  const s = r.mapping(specAt, ['calicoVersion', 'approach', 'environment', 'calicoNamespace', 'hostEndpoints', 'nodes', 'metrics', 'protectedServers', 'hostTraffic', 'failsafe', 'acknowledge'], ['approach']);
  if (!s) return undefined;

  const calicoVersionAt = s.get('calicoVersion');
  let calicoVersion: CalicoMinor = DEFAULT_CALICO;
  if (calicoVersionAt) {
    const v = r.string(calicoVersionAt);
    if (v !== undefined && isCalicoMinor(v)) calicoVersion = v;
    else if (v !== undefined) {
      const minor = /^v?(3\.[0-9]+)(\.[0-9]+)?$/.exec(v);
      const known = minor ? CALICO_MINORS.find((m) => m === `v${minor[1]}`) : undefined;
      r.error(
        calicoVersionAt,
        'unsupported-calico',
        `calico-shield does not model Calico ${quote(v)}`,
        known ? `write the minor, ${known}: calico-shield models its release ${CALICO_RELEASES[known].release}` : `supported: ${CALICO_MINORS.join(', ')}`,
      );
    }
  }
  const release = CALICO_RELEASES[calicoVersion];
  let approach: Approach | undefined;
  const approachAt = s.get('approach');
  if (approachAt) {
    const v = r.string(approachAt);
    if (v !== undefined) {
      if ((APPROACHES as readonly string[]).includes(v)) approach = v as Approach;
      else r.error(approachAt, 'bad-approach', `unknown approach ${quote(v)}`, 'use deny-list (allow host traffic by default, deny what is protected) or allow-list (deny host traffic by default)');
    }
  }
  const environment = readEnvironment(r, s.get('environment'), release);
  const nsAt = s.get('calicoNamespace');
  const calicoNamespace = (nsAt ? r.checkedString(nsAt, 'bad-namespace', checkNamespace) : undefined) ?? CALICO_NAMESPACES[environment.install];
  const hostEndpoints = readHostEndpoints(r, s.get('hostEndpoints'), release);
  const nodes = s.get('nodes') ? readNodes(r, s.get('nodes') as Located, hostEndpoints.mode, nodesReader) : [];
  const metrics = readMetrics(r, s.get('metrics'));
  const protectedServers = s.get('protectedServers') ? readServers(r, s.get('protectedServers') as Located, nodes, hostEndpoints.mode) : [];
  const hostTrafficAt = s.get('hostTraffic');
  const hostTraffic = hostTrafficAt ? readHostTraffic(r, hostTrafficAt, approach, nodes, hostEndpoints.mode, environment.apiServer) : undefined;
  const failsafe = readFailsafe(r, s.get('failsafe'), calicoVersion);
  const acknowledge = s.get('acknowledge') ? readAcknowledge(r, s.get('acknowledge') as Located) : [];
  if (!approach) return undefined;
  return {
    name: clusterName,
    file,
    calicoVersion,
    approach,
    calicoNamespace,
    hostEndpoints,
    nodes,
    metrics,
    protectedServers,
    ...(hostTraffic ? { hostTraffic } : {}),
    environment,
    failsafe,
    acknowledge,
    positions: r.positions,
  };
}

/**
 * `spec.hostEndpoints`: who creates the host endpoints.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes
 */
function readHostEndpoints(r: SpecReader, at: Located | undefined, release: CalicoRelease): HostEndpointsSpec {
  const defaults: HostEndpointsSpec = { mode: 'static', templates: [] };
  if (!at) return defaults;
  const m = r.mapping(at, ['mode', 'templates']);
  if (!m) return defaults;
  let mode: HostEndpointsMode = 'static';
  const modeAt = m.get('mode');
  if (modeAt) {
    const v = r.string(modeAt);
    if (v !== undefined) {
      if ((HOST_ENDPOINTS_MODES as readonly string[]).includes(v)) mode = v as HostEndpointsMode;
      else {
        const guess = closest(v, HOST_ENDPOINTS_MODES);
        r.error(modeAt, 'bad-mode', `unknown host endpoints mode ${quote(v)}`, `${guess ? `did you mean ${quote(guess)}? ` : ''}use static (calico-shield writes one HostEndpoint per node and interface) or auto (Calico's kube-controllers creates one per node)`);
      }
    }
  }
  const templatesAt = m.get('templates');
  if (templatesAt && mode === 'static') {
    r.error(templatesAt, 'templates-static', 'host endpoint templates are read by kube-controllers, which creates host endpoints in mode auto only', 'set hostEndpoints.mode: auto, or list the interfaces in spec.nodes');
  }
  const templates = templatesAt && mode === 'auto' ? readTemplates(r, templatesAt, release) : [];
  return { mode, templates };
}

/** KubeControllersConfiguration `spec.controllers.node.hostEndpoint.templates`. */
function readTemplates(r: SpecReader, at: Located, release: CalicoRelease): HostEndpointTemplateSpec[] {
  const out: HostEndpointTemplateSpec[] = [];
  const seen = new Map<string, string>();
  for (const item of r.sequence(at) ?? []) {
    const m = r.mapping(item, ['generateName', 'nodeSelector', 'interfaceCIDRs', 'interfacePattern', 'labels'], ['generateName']);
    if (!m) continue;
    const nameAt = m.get('generateName');
    const generateName = nameAt ? r.checkedString(nameAt, 'bad-template-name', checkDns1123Subdomain) : undefined;
    if (nameAt && generateName !== undefined) {
      if (seen.has(generateName)) r.error(nameAt, 'duplicate-template', `template ${quote(generateName)} is listed twice (first at ${seen.get(generateName)})`, 'give each template its own generateName: it becomes part of the host endpoints\' names');
      else seen.set(generateName, item.path);
    }
    const selectorAt = m.get('nodeSelector');
    const nodeSelector = selectorAt ? readNodeSelector(r, selectorAt) : {};
    const interfaceCIDRs = m.get('interfaceCIDRs') ? readNets(r, m.get('interfaceCIDRs') as Located) : [];
    const patternAt = m.get('interfacePattern');
    if (patternAt && !release.templateInterfacePattern) {
      // v3.30.7 api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go has no InterfacePattern
      // (v3.31.7 adds it at line 139): kube-controllers would never see it.
      r.error(patternAt, 'unsupported-field', `Calico ${release.minor} has no interfacePattern in host endpoint templates (it came in v3.31)`, 'match the node addresses with interfaceCIDRs, or set calicoVersion: v3.31 or later once the cluster runs it');
    }
    const interfacePattern = patternAt && release.templateInterfacePattern ? r.checkedString(patternAt, 'bad-interface-pattern', checkInterfacePattern) : undefined;
    if (interfaceCIDRs.length === 0 && !patternAt) {
      if (release.templateInterfacePattern) {
        r.error(item, 'missing-field', 'a template needs interfaceCIDRs or interfacePattern', 'give the networks of the node addresses the host endpoint expects (interfaceCIDRs), or a pattern of interface names (interfacePattern)');
      } else {
        r.error(item, 'missing-field', `a template needs interfaceCIDRs (Calico ${release.minor} has no interfacePattern)`, 'give the networks of the node addresses the host endpoint expects (interfaceCIDRs)');
      }
    }
    const labels = m.get('labels') ? readLabels(r, m.get('labels') as Located, (key) => (key === CREATED_BY_LABEL ? 'kube-controllers sets it on every host endpoint it creates' : unrenderable(key))) : {};
    if (generateName !== undefined) {
      out.push({ generateName, nodeSelector, interfaceCIDRs, ...(interfacePattern !== undefined ? { interfacePattern } : {}), labels, path: item.path });
    }
  }
  return out.sort((a, b) => compareText(a.generateName, b.generateName));
}

/**
 * A template's interfacePattern: kube-controllers compiles it with Go's regexp (RE2 syntax),
 * which has no lookaround, no backreferences, no `\u` escapes and repeat counts up to 1000;
 * calico-apiserver refuses a pattern Go cannot compile (libcalico-go validator.go:420
 * validateRegexp, v3.32.1), and with the native v3 CRDs kube-controllers panics on it
 * (regexp.MustCompile). So the pattern is checked with an RE2 parser, not JavaScript's RegExp.
 *
 * @see https://docs.tigera.io/calico/latest/reference/resources/kubecontrollersconfig
 */
function checkInterfacePattern(value: string): Problem | undefined {
  if (value === '') return { message: 'interfacePattern is empty', hint: 'give a regular expression over interface names, e.g. ^eth[0-9]+$' };
  if (/[\p{Cc}]/u.test(value)) return { message: `interfacePattern ${quote(value)} holds a control character`, hint: 'write the pattern on one line' };
  const problem = goRegexpProblem(value);
  if (problem === undefined) return undefined;
  const unsupported = /\(\?<?[=!]|\\[1-9]|\\k</.test(value);
  return {
    message: `interfacePattern ${quote(value)} is not a regular expression kube-controllers can compile (Go's RE2 syntax): ${problem}`,
    hint: unsupported
      ? 'RE2 has no lookaround and no backreferences: list the alternatives instead, e.g. ^(eth0|eth1)$'
      : 'e.g. ^eth[0-9]+$ or ^(eth0|bond0)$; see https://github.com/google/re2/wiki/Syntax',
  };
}

function readNodes(r: SpecReader, at: Located, mode: HostEndpointsMode, nodesReader: NodesReader): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  const reading = nodesReading(mode);
  // commonNode reads the tree without resolve(), which counts visits against the alias budget:
  // harmless only on the fast reader's tree, which has no aliases and whose reader no budget.
  const common = nodesReader === 'common-shape' && r.aliasFree;
  const readItem = (item: Located, tryCommon = common): void => {
    const node = (tryCommon ? commonNode(r, item, reading) : undefined) ?? readNode(r, item, reading);
    if (node) nodes.push(node);
  };
  const unread = unreadItems(at.node);
  if (unread) {
    // Only the fast reader's first reading has unread items, and its spec counts only when
    // nothing at all is found: after the first finding, the positioned reader reads again.
    // Each item lives for its own reading; the line reader has no empty item.
    for (let i = 0; i < unread.length && r.findings.length === 0; i++) {
      const path = `${at.path}[${i}]`;
      // Written line for line as `nodes import` writes a node in static mode (its "*" of auto
      // mode is quoted, which NodeItem leaves to the tree): read without a tree. Such an item is
      // never read into a tree here, so that the line reader gives up on no line it takes is a
      // rule of NodeItem (test/spec/simple-yaml.test.ts): were it broken, the item's tree, read
      // for a position a later finding asks for, would throw instead.
      const direct = common ? unread.node(i) : undefined;
      const read = direct && commonNodeOf(r, path, direct, undefined, reading);
      if (read) {
        nodes.push(read);
        continue;
      }
      // Refused: its tree holds the same node (NodeItem), which commonNode would refuse again.
      const node = r.resolve(unread.item(i), path);
      if (node !== undefined) readItem({ node, path }, common && direct === undefined);
    }
  } else {
    for (const item of r.sequence(at) ?? []) readItem(item);
  }
  return nodes.sort((a, b) => compareText(a.name, b.name));
}

/** What reading one node needs of the others (names and addresses seen), and of the spec. */
interface NodesReading {
  readonly mode: HostEndpointsMode;
  readonly seen: Map<string, string>;
  readonly ipOwners: Map<string, string>;
  readonly reserved: (key: string) => string | undefined;
}

function nodesReading(mode: HostEndpointsMode): NodesReading {
  return {
    mode,
    seen: new Map(),
    ipOwners: new Map(),
    reserved: (key) => refusedNodeLabel(key, mode),
  };
}

/**
 * Why spec.nodes[].labels may not hold `key` in this host endpoints mode (undefined: it may);
 * `nodes import` leaves such labels out.
 */
export function refusedNodeLabel(key: string, mode: HostEndpointsMode): string | undefined {
  if (key === CREATED_BY_LABEL) return 'kube-controllers sets it on the host endpoints it creates, and deletes host endpoints that carry it';
  if (mode !== 'static') return undefined;
  // Static mode writes the node's labels on its host endpoints; auto mode writes them nowhere.
  return WRITTEN_HOST_LABEL.test(key) ? 'calico-shield writes it on the host endpoints of static mode, from runsOn and allowedClients' : unrenderable(key);
}

/**
 * Why a label calico-shield writes onto an object cannot be `constructor`: cdk8s, which renders
 * every object, takes a mapping's `constructor` key for its JavaScript class (cdk8s 2.70.106
 * lib/resolve.js:86 and 120, lib/_util.js:17), and would refuse the object or drop all its
 * labels. Kubernetes and Calico accept the key.
 */
function unrenderable(key: string): string | undefined {
  return key === 'constructor' ? 'cdk8s, which renders the objects calico-shield writes, reads a mapping\'s "constructor" key as its JavaScript class' : undefined;
}

/** One item of spec.nodes; undefined when it has no name. */
function readNode(r: SpecReader, item: Located, { mode, seen, ipOwners, reserved }: NodesReading): NodeSpec | undefined {
  const m = r.mapping(item, ['name', 'labels', 'interfaces'], ['name', 'interfaces']);
  if (!m) return undefined;
  const nameAt = m.get('name');
  const name = nameAt ? r.string(nameAt) : undefined;
  if (nameAt && name !== undefined) {
    const p = checkNodeName(name);
    if (p) r.problem(nameAt, 'bad-node-name', p);
    else if (seen.has(name)) r.error(nameAt, 'duplicate-node', `node ${quote(name)} is listed twice (first at ${seen.get(name)})`, 'merge the two entries into one, with all their interfaces');
    else seen.set(name, item.path);
  }
  const interfaces: InterfaceSpec[] = [];
  const ifAt = m.get('interfaces');
  const ifNames = new Map<string, string>();
  for (const ifItem of ifAt ? (r.sequence(ifAt) ?? []) : []) {
    const im = r.mapping(ifItem, ['name', 'expectedIPs'], ['name']);
    if (!im) continue;
    const ifNameAt = im.get('name');
    const ifName = ifNameAt ? r.string(ifNameAt) : undefined;
    if (ifNameAt && ifName !== undefined) {
      const p = checkInterfaceName(ifName);
      if (p) r.problem(ifNameAt, 'bad-interface', p);
      else if (ifNames.has(ifName)) r.error(ifNameAt, 'duplicate-interface', `interface ${quote(ifName)} is listed twice on this node (first at ${ifNames.get(ifName)})`, 'merge the two entries');
      else ifNames.set(ifName, ifItem.path);
    }
    const ips: ParsedIp[] = [];
    const ipsAt = im.get('expectedIPs');
    for (const ipAt of ipsAt ? (r.sequence(ipsAt) ?? []) : []) {
      const text = r.string(ipAt);
      if (text === undefined) continue;
      const parsed = parseIp(text);
      if (!parsed.ok) {
        r.problem(ipAt, 'bad-ip', parsed.problem);
        continue;
      }
      const owner = ipOwners.get(parsed.ip.text);
      if (owner !== undefined) {
        r.error(ipAt, 'duplicate-ip', `address ${parsed.ip.text} is already an expected IP of ${escapeHiddenCharacters(clip(owner))}`, 'an address belongs to one interface of one node; remove the duplicate');
        continue;
      }
      ipOwners.set(parsed.ip.text, `${name ?? '?'}/${ifName ?? '?'}`);
      ips.push(parsed.ip);
    }
    if (ifName !== undefined) {
      interfaces.push({ name: ifName, path: ifItem.path, expectedIPs: ips.sort(compareIps).map((ip) => ip.text) });
    }
  }
  if (ifAt && interfaces.length === 0 && r.findings.length === 0) {
    r.error(ifAt, 'no-interfaces', `node ${quote(name ?? "?")} has no interfaces`, 'list at least one interface, or "*" for all of them');
  }
  // kube-controllers gives each node one host endpoint for all its interfaces, expecting the
  // node's addresses: the spec says the same, so the evaluator models what Calico creates.
  // https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes#automatic-host-endpoints
  if (ifAt && mode === 'auto' && interfaces.length > 0) {
    const all = interfaces.length === 1 ? interfaces.find((i) => i.name === '*') : undefined;
    const hint = `list one interface "*" with the node's addresses, as calico-shield nodes import --interface '*' writes them`;
    if (!all) r.error(ifAt, 'auto-interfaces', `node ${quote(name ?? "?")} lists interfaces ${interfaces.map((i) => quote(i.name)).join(', ')}, but in hostEndpoints mode auto kube-controllers creates one host endpoint for all of a node's interfaces`, hint);
    else if (all.expectedIPs.length === 0) r.error(ifAt, 'auto-interfaces', `node ${quote(name ?? "?")} has no addresses: its automatic host endpoint expects the node's addresses, and policies find the node by them`, hint);
  }
  const labels = m.get('labels') ? readLabels(r, m.get('labels') as Located, reserved) : {};
  return name === undefined ? undefined : { name, path: item.path, labels, interfaces: interfaces.sort((a, b) => compareText(a.name, b.name)) };
}

/**
 * One item of spec.nodes of the common shape (commonShape), read straight from the fast
 * reader's tree; undefined for any other item, or one readNode would say anything about
 * (commonNodeOf).
 */
function commonNode(r: SpecReader, item: Located, reading: NodesReading): NodeSpec | undefined {
  const shape = commonShape(item.node);
  return shape && commonNodeOf(r, item.path, shape.node, shape.labels, reading);
}

/**
 * The item's name and interfaces when it is a mapping of a name, a non-empty list of interfaces
 * and maybe labels, each interface a mapping of a name and maybe a list of addresses, every
 * value a string where readNode wants one; undefined for any other shape. Exported for
 * test/spec/simple-yaml.test.ts, which compares the line reader's NodeItem with it.
 */
export function commonShape(node: SpecNode): { readonly node: NodeItem; readonly labels?: MapNode } | undefined {
  if (node.kind !== 'map') return undefined;
  let name: string | undefined;
  let ifList: SeqNode | undefined;
  let labels: MapNode | undefined;
  // Indexed loops: this runs once per node, mostly before the JIT has compiled it, and an
  // iterator costs more than the loop's body there.
  const fields = node.items;
  for (let i = 0; i < fields.length; i++) {
    const { key, value } = fields[i];
    const field = key?.kind === 'scalar' ? key.value : undefined;
    if (field === 'name' && value?.kind === 'scalar' && typeof value.value === 'string') name = value.value;
    else if (field === 'interfaces' && value?.kind === 'seq' && value.items.length > 0) ifList = value;
    else if (field === 'labels' && value?.kind === 'map') labels = value;
    else return undefined;
  }
  if (name === undefined || ifList === undefined) return undefined;
  const interfaces: { name: string; expectedIPs: string[] }[] = [];
  for (let i = 0; i < ifList.items.length; i++) {
    const ifNode = ifList.items[i];
    if (ifNode?.kind !== 'map') return undefined;
    let ifName: string | undefined;
    let ipList: SeqNode | undefined;
    for (let k = 0; k < ifNode.items.length; k++) {
      const { key, value } = ifNode.items[k];
      const field = key?.kind === 'scalar' ? key.value : undefined;
      if (field === 'name' && value?.kind === 'scalar' && typeof value.value === 'string') ifName = value.value;
      else if (field === 'expectedIPs' && value?.kind === 'seq') ipList = value;
      else return undefined;
    }
    if (ifName === undefined) return undefined;
    const expectedIPs: string[] = [];
    const items = ipList?.items ?? [];
    for (let k = 0; k < items.length; k++) {
      const ipItem = items[k];
      if (ipItem?.kind !== 'scalar' || typeof ipItem.value !== 'string') return undefined;
      expectedIPs.push(ipItem.value);
    }
    interfaces.push({ name: ifName, expectedIPs });
  }
  return { node: { name, interfaces }, ...(labels ? { labels } : {}) };
}

/**
 * One item of spec.nodes of the common shape (commonShape, or the line reader's NodeItem):
 * undefined, having changed nothing, for one whose name, interfaces or addresses readNode
 * would find anything to say about; readNode then reads it as it reads every item. So the
 * nodes, and what `reading` holds after them, are readNode's. The labels come last, through
 * readLabels, as in readNode.
 *
 * The fast reader's first reading only (readNodes): the fields' positions are left to
 * OffsetPositions.defer, which reads the item again with readNode when one is asked for.
 */
function commonNodeOf(r: SpecReader, path: string, item: NodeItem, labelsNode: MapNode | undefined, { mode, seen, ipOwners, reserved }: NodesReading): NodeSpec | undefined {
  const name = item.name;
  if (checkNodeName(name) !== undefined || seen.has(name)) return undefined;
  const interfaces: InterfaceSpec[] = [];
  // This node's addresses: readNode takes each into ipOwners as it reads it.
  const ips: string[] = [];
  for (let i = 0; i < item.interfaces.length; i++) {
    const found = commonInterface(item.interfaces[i], `${path}.interfaces[${i}]`, interfaces, ipOwners, ips);
    if (found === undefined) return undefined;
    interfaces.push(found);
  }
  if (mode === 'auto' && (interfaces.length !== 1 || interfaces[0].name !== '*' || interfaces[0].expectedIPs.length === 0)) return undefined;
  seen.set(name, path);
  for (let i = 0; i < interfaces.length; i++) {
    const owner = `${name}/${interfaces[i].name}`;
    const expected = interfaces[i].expectedIPs;
    for (let k = 0; k < expected.length; k++) ipOwners.set(expected[k], owner);
  }
  const labels = labelsNode ? readLabels(r, { node: labelsNode, path: `${path}.labels` }, reserved) : {};
  return { name, path, labels, interfaces: interfaces.length > 1 ? sortSmall(interfaces, compareByName) : interfaces };
}

/**
 * One interface of a node of the common shape (commonNodeOf), the node's interfaces before it
 * and its addresses in `ips`, to which this one's are added; undefined for anything readNode
 * would say about the interface.
 */
function commonInterface(iface: NodeItem['interfaces'][number], path: string, before: readonly InterfaceSpec[], ipOwners: ReadonlyMap<string, string>, ips: string[]): InterfaceSpec | undefined {
  const name = iface.name;
  if (checkInterfaceName(name) !== undefined) return undefined;
  for (let i = 0; i < before.length; i++) if (before[i].name === name) return undefined;
  const parsed: ParsedIp[] = [];
  for (let i = 0; i < iface.expectedIPs.length; i++) {
    const ip = parseIp(iface.expectedIPs[i]);
    if (!ip.ok || ipOwners.has(ip.ip.text) || ips.includes(ip.ip.text)) return undefined;
    ips.push(ip.ip.text);
    parsed.push(ip.ip);
  }
  return { name, path, expectedIPs: (parsed.length > 1 ? sortSmall(parsed, compareIps) : parsed).map((ip) => ip.text) };
}

function readMetrics(r: SpecReader, at: Located | undefined): MetricsSpec {
  const defaults: MetricsSpec = { accessLabel: 'calico-prometheus-access', allowedNets: [] };
  if (!at) return defaults;
  const m = r.mapping(at, ['accessLabel', 'allowedNets', 'calicoNode', 'typha', 'kubeControllers']);
  if (!m) return defaults;
  const labelAt = m.get('accessLabel');
  const accessLabel = (labelAt ? r.checkedString(labelAt, 'bad-label-key', checkAccessLabel) : undefined) ?? defaults.accessLabel;
  const allowedNets = m.get('allowedNets') ? readNets(r, m.get('allowedNets') as Located) : [];
  const endpoint = (key: 'calicoNode' | 'typha', port: number): MetricsEndpointSpec | undefined => {
    const e = m.get(key);
    if (!e) return undefined;
    const em = r.mapping(e, ['port']);
    return { port: em?.get('port') ? (readPort(r, em.get('port') as Located) ?? port) : port, path: e.path };
  };
  let kubeControllers: KubeControllersMetricsSpec | undefined;
  const kc = m.get('kubeControllers');
  if (kc) {
    const km = r.mapping(kc, ['port', 'podLabels']);
    const port = km?.get('port') ? (readPort(r, km.get('port') as Located) ?? METRICS_PORTS.kubeControllers) : METRICS_PORTS.kubeControllers;
    const podLabels = km?.get('podLabels') ? readLabels(r, km.get('podLabels') as Located) : { 'k8s-app': 'calico-kube-controllers' };
    if (km?.get('podLabels') && Object.keys(podLabels).length === 0) {
      r.error(km.get('podLabels') as Located, 'empty-selector', 'podLabels is empty: the policy would select every pod', 'give the labels of the kube-controllers pods, e.g. k8s-app: calico-kube-controllers');
    }
    kubeControllers = { port, path: kc.path, podLabels };
  }
  const calicoNode = endpoint('calicoNode', METRICS_PORTS.calicoNode);
  const typha = endpoint('typha', METRICS_PORTS.typha);
  return {
    accessLabel,
    allowedNets,
    ...(calicoNode ? { calicoNode } : {}),
    ...(typha ? { typha } : {}),
    ...(kubeControllers ? { kubeControllers } : {}),
  };
}

function readServers(r: SpecReader, at: Located, nodes: readonly NodeSpec[], mode: HostEndpointsMode): ProtectedServerSpec[] {
  const servers: ProtectedServerSpec[] = [];
  const seen = new Map<string, string>();
  const nodeNames = new Set(nodes.map((n) => n.name));
  for (const item of r.sequence(at) ?? []) {
    const m = r.mapping(item, ['name', 'protocol', 'port', 'runsOn', 'allowedClients'], ['name', 'port', 'runsOn']);
    if (!m) continue;
    const nameAt = m.get('name');
    const name = nameAt ? r.string(nameAt) : undefined;
    let nameOk = false;
    if (nameAt && name !== undefined) {
      const p = checkDns1123Label(name);
      if (p) r.problem(nameAt, 'bad-server-name', p);
      else if (name.length > MAX_SERVER_NAME) {
        r.error(nameAt, 'bad-server-name', `server name ${quote(name)} has ${name.length} characters, more than ${MAX_SERVER_NAME}`, `it becomes the label key protected-${name}-server, whose name part is limited to 63 characters; use a shorter name`);
      } else if (seen.has(name)) {
        r.error(nameAt, 'duplicate-server', `protected server ${quote(name)} is listed twice (first at ${seen.get(name)})`, 'give each protected server its own name');
      } else {
        seen.set(name, item.path);
        nameOk = true;
      }
    }
    const protoAt = m.get('protocol');
    const protocol = ((protoAt ? r.checkedString(protoAt, 'bad-protocol', checkProtocol) : undefined) ?? 'TCP') as Protocol;
    const port = m.get('port') ? readPort(r, m.get('port') as Located) : undefined;
    let hosts: NodeChoice = { nodes: [] };
    const workloads: WorkloadSelectorSpec[] = [];
    const runsOnAt = m.get('runsOn');
    if (runsOnAt) {
      const rm = r.mapping(runsOnAt, ['nodes', 'nodeSelector', 'workloads']);
      if (rm) {
        hosts = readNodeChoice(r, rm, nodes, nodeNames, mode, 'run the server');
        if (rm.get('workloads')) workloads.push(...readWorkloads(r, rm.get('workloads') as Located));
        if (!rm.get('nodes') && !rm.get('nodeSelector') && !rm.get('workloads')) {
          r.error(runsOnAt, 'missing-field', 'runsOn names neither nodes, nodeSelector nor workloads', 'list the nodes where the server runs host-networked (by name, or by their labels with nodeSelector), or the labels of its pods');
        }
      }
    }
    const allowedClients = readClients(r, m.get('allowedClients'), nodes, nodeNames, mode);
    if (name !== undefined && nameOk && port !== undefined) {
      servers.push({ name, path: item.path, protocol, port, nodes: hosts.nodes, ...(hosts.nodeSelector ? { nodeSelector: hosts.nodeSelector } : {}), workloads, allowedClients });
    }
  }
  // Two servers on one port and protocol of one host cannot both listen there.
  const byHostPort = new Map<string, string>();
  for (const s of servers) {
    for (const node of s.nodes) {
      const key = `${node}/${s.protocol}/${s.port}`;
      const other = byHostPort.get(key);
      if (other) {
        r.error({ path: `${s.path}.port`, position: r.positions.get(`${s.path}.port`) ?? { line: 1, col: 1 } }, 'port-conflict', `servers ${quote(other)} and ${quote(s.name)} both listen on ${s.protocol} ${s.port} on node ${quote(node)}`, 'one host port serves one server; fix the port or the node list');
      } else byHostPort.set(key, s.name);
    }
  }
  return servers.sort((a, b) => compareText(a.name, b.name));
}

function readClients(r: SpecReader, at: Located | undefined, nodes: readonly NodeSpec[], nodeNames: ReadonlySet<string>, mode: HostEndpointsMode): AllowedClientsSpec {
  if (!at) return { workloads: [], nodes: [], nets: [] };
  const m = r.mapping(at, ['workloads', 'nodes', 'nodeSelector', 'nets']);
  if (!m) return { workloads: [], nodes: [], nets: [] };
  const hosts = readNodeChoice(r, m, nodes, nodeNames, mode, 'be a client');
  return {
    workloads: m.get('workloads') ? readWorkloads(r, m.get('workloads') as Located) : [],
    nodes: hosts.nodes,
    ...(hosts.nodeSelector ? { nodeSelector: hosts.nodeSelector } : {}),
    nets: m.get('nets') ? readNets(r, m.get('nets') as Located) : [],
  };
}

/** Nodes picked by name and by labels: the names, and the node selector with the nodes of spec.nodes it selects. */
interface NodeChoice {
  readonly nodes: readonly string[];
  readonly nodeSelector?: Labels;
}

/**
 * `nodes` and `nodeSelector` of runsOn or allowedClients. Static mode resolves the selector
 * against the labels of spec.nodes, now: those nodes' host endpoints get the server's or the
 * client's label. Auto mode keeps it as a selector: kube-controllers' host endpoints carry the
 * node's labels but not its name, so nodes are picked by labels only, and spec.nodes is the
 * inventory the verify stage probes.
 */
function readNodeChoice(r: SpecReader, m: ReadonlyMap<string, Located>, nodes: readonly NodeSpec[], nodeNames: ReadonlySet<string>, mode: HostEndpointsMode, role: string): NodeChoice {
  const namesAt = m.get('nodes');
  const selectorAt = m.get('nodeSelector');
  if (namesAt && mode === 'auto') {
    r.error(
      namesAt,
      'nodes-by-name',
      `in hostEndpoints mode auto, nodes are picked by their labels: the host endpoints kube-controllers creates carry the node's labels, not its name`,
      `use nodeSelector; for one node, nodeSelector: {kubernetes.io/hostname: <node>} (the kubelet sets that label to the node's hostname, which is usually its name)`,
    );
  }
  const named = namesAt && mode === 'static' ? readNodeRefs(r, namesAt, nodeNames, role) : [];
  if (!selectorAt) return { nodes: named };
  const nodeSelector = readNodeSelector(r, selectorAt);
  const selected = nodes.filter((n) => Object.entries(nodeSelector).every(([k, v]) => n.labels[k] === v)).map((n) => n.name);
  if (mode === 'static' && selected.length === 0 && Object.keys(nodeSelector).length > 0) {
    r.error(selectorAt, 'no-matching-node', `no node of spec.nodes has the labels ${labelsText(nodeSelector)}`, `give the nodes that ${role} these labels in spec.nodes[].labels, or fix the selector`);
  }
  return { nodes: [...new Set([...named, ...selected])].sort(compareText), nodeSelector };
}

/** A node selector: labels a node must all carry. Empty would select every node, which a list of names says better. */
function readNodeSelector(r: SpecReader, at: Located): Labels {
  const labels = readLabels(r, at);
  if (at.node.kind === 'map' && at.node.items.length === 0) {
    r.error(at, 'empty-selector', 'nodeSelector is empty: it would select every node', 'give the labels of the nodes, e.g. {node-role.kubernetes.io/control-plane: ""}');
  }
  return labels;
}

/** `{a: "1", b: ""}`. */
function labelsText(labels: Labels): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}: ${quote(v)}`).join(', ')}}`;
}

/**
 * `spec.hostTraffic`: presets of host paths to allow (lib/calico/presets.ts, docs/presets.md).
 * Allow-list only: in the deny-list approach default-host allows every host path already.
 */
function readHostTraffic(r: SpecReader, at: Located, approach: Approach | undefined, nodes: readonly NodeSpec[], mode: HostEndpointsMode, apiServer: ApiServerSpec): HostTrafficSpec | undefined {
  if (approach === 'deny-list') {
    r.error(at, 'host-traffic-deny-list', 'hostTraffic allows host paths in the allow-list approach; with deny-list, default-host allows every host path already', 'remove spec.hostTraffic, or use approach: allow-list');
  }
  const m = r.mapping(at, ['presets', 'controlPlane'], ['presets']);
  if (!m) return undefined;
  const presets: PresetId[] = [];
  const presetsAt = m.get('presets');
  if (presetsAt && presetsAt.node.kind === 'scalar') {
    const v = r.string(presetsAt);
    if (v === 'all') presets.push(...PRESET_IDS);
    else if (v !== undefined) r.error(presetsAt, 'bad-presets', `presets is ${quote(v)}`, `write all, or a list of presets: ${PRESET_IDS.join(', ')}`);
  } else if (presetsAt) {
    const seen = new Set<string>();
    for (const item of r.sequence(presetsAt) ?? []) {
      const v = r.string(item);
      if (v === undefined) continue;
      if (!(PRESET_IDS as readonly string[]).includes(v)) {
        const guess = closest(v, PRESET_IDS);
        r.error(item, 'unknown-preset', `unknown host traffic preset ${quote(v)}`, guess ? `did you mean ${quote(guess)}?` : `known presets: ${PRESET_IDS.join(', ')} (docs/presets.md)`);
      } else if (seen.has(v)) r.error(item, 'duplicate-preset', `preset ${quote(v)} is listed twice`, 'remove the duplicate');
      else {
        seen.add(v);
        presets.push(v as PresetId);
      }
    }
  }
  let controlPlane = CONTROL_PLANE_LABELS;
  const cpAt = m.get('controlPlane');
  if (cpAt) {
    const cm = r.mapping(cpAt, ['nodeSelector'], ['nodeSelector']);
    const selectorAt = cm?.get('nodeSelector');
    if (selectorAt) controlPlane = readNodeSelector(r, selectorAt);
  }
  // A preset for the control plane allows nothing when no node of the inventory belongs to it.
  // Static mode knows every node; auto mode's list may be incomplete, and the guard rails say so.
  const needsControlPlane = presets.filter((p) => hostPaths(apiServer).some((h) => h.preset === p && [h.inbound?.on, h.inbound?.from, h.outbound?.on, h.outbound?.to].includes('control-plane')));
  const isControlPlane = (n: NodeSpec): boolean => Object.entries(controlPlane).every(([k, v]) => n.labels[k] === v);
  if (mode === 'static' && needsControlPlane.length > 0 && nodes.length > 0 && !nodes.some(isControlPlane)) {
    r.error(
      cpAt ?? at,
      'no-matching-node',
      `no node of spec.nodes has the control plane's labels ${labelsText(controlPlane)}: the preset${needsControlPlane.length > 1 ? 's' : ''} ${needsControlPlane.join(', ')} would allow nothing to or from it`,
      'label the control-plane nodes in spec.nodes[].labels (kubeadm labels them node-role.kubernetes.io/control-plane: ""), or set spec.hostTraffic.controlPlane.nodeSelector',
    );
  }
  return { presets: PRESET_IDS.filter((p) => presets.includes(p)), controlPlane, path: at.path };
}

function readNodeRefs(r: SpecReader, at: Located, nodeNames: ReadonlySet<string>, role: string): string[] {
  const out = new Set<string>();
  for (const item of r.sequence(at) ?? []) {
    const v = r.string(item);
    if (v === undefined) continue;
    if (!nodeNames.has(v)) {
      r.error(item, 'unknown-node', `node ${quote(v)} is not in spec.nodes`, `add it to spec.nodes with its interfaces, so it can ${role}`);
    } else if (out.has(v)) {
      r.error(item, 'duplicate-node', `node ${quote(v)} is listed twice`, 'remove the duplicate');
    } else out.add(v);
  }
  return [...out].sort(compareText);
}

function readWorkloads(r: SpecReader, at: Located): WorkloadSelectorSpec[] {
  const out: WorkloadSelectorSpec[] = [];
  for (const item of r.sequence(at) ?? []) {
    const m = r.mapping(item, ['namespace', 'labels'], ['labels']);
    if (!m) continue;
    const nsAt = m.get('namespace');
    const namespace = nsAt ? r.checkedString(nsAt, 'bad-namespace', checkNamespace) : undefined;
    const labelsAt = m.get('labels');
    const labels = labelsAt ? readLabels(r, labelsAt) : {};
    // Only a mapping written empty selects every pod; one whose labels were refused has been reported.
    if (labelsAt && labelsAt.node.kind === 'map' && labelsAt.node.items.length === 0 && namespace === undefined) {
      r.error(labelsAt, 'empty-selector', 'labels is empty and no namespace is given: this would match every pod', 'give the labels of the pods');
    }
    out.push({ ...(namespace !== undefined ? { namespace } : {}), labels, path: item.path });
  }
  const key = (w: WorkloadSelectorSpec): string => JSON.stringify([w.namespace ?? '', Object.entries(w.labels)]);
  return out.sort((a, b) => compareText(key(a), key(b)));
}

/** Labels, each key and value checked; `reserved` says why a key may not be given here. */
function readLabels(r: SpecReader, at: Located, reserved: (key: string) => string | undefined = () => undefined): Labels {
  const fields = r.stringMap(at);
  const labels: Record<string, string> = {};
  for (const [key, valueAt] of fields ?? []) {
    const pk = checkLabelKey(key);
    if (pk) {
      r.problem(valueAt, 'bad-label-key', pk);
      continue;
    }
    const why = reserved(key);
    if (why !== undefined) {
      r.error(valueAt, 'reserved-label', `label ${quote(key)} may not be given here: ${why}`, 'remove it');
      continue;
    }
    const value = r.string(valueAt);
    if (value === undefined) continue;
    const pv = checkLabelValue(value);
    if (pv) {
      r.problem(valueAt, 'bad-label-value', pv);
      continue;
    }
    labels[key] = value;
  }
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compareText(a, b)));
}

function readNets(r: SpecReader, at: Located): string[] {
  const nets = new Map<string, ParsedCidr>();
  for (const item of r.sequence(at) ?? []) {
    const text = r.string(item);
    if (text === undefined) continue;
    const parsed = parseCidr(text);
    if (!parsed.ok) {
      r.problem(item, 'bad-cidr', parsed.problem);
      continue;
    }
    if (nets.has(parsed.cidr.text)) {
      r.error(item, 'duplicate-net', `network ${parsed.cidr.text} is listed twice`, 'remove the duplicate');
      continue;
    }
    nets.set(parsed.cidr.text, parsed.cidr);
  }
  return [...nets.values()].sort(compareCidrs).map((c) => c.text);
}

function readPort(r: SpecReader, at: Located): number | undefined {
  const port = r.integer(at);
  if (port === undefined) return undefined;
  const p = checkPort(port);
  if (p) {
    r.problem(at, 'bad-port', p);
    return undefined;
  }
  return port;
}

/** Where each install flavour runs Calico's pods (tigera/operator v1.42.3 pkg/common/common.go:18; manifests/calico.yaml). */
const CALICO_NAMESPACES: Readonly<Record<InstallFlavour, string>> = { operator: 'calico-system', manifests: 'kube-system' };
const INSTALL_FLAVOURS: readonly InstallFlavour[] = ['operator', 'manifests'];
const ENCAPSULATIONS: readonly Encapsulation[] = ['IPIP', 'VXLAN', 'None'];
const NAT_OUTGOING_EXCLUSIONS: readonly NatOutgoingExclusions[] = ['IPPoolsOnly', 'IPPoolsAndHostIPs'];
const ENDPOINT_TO_HOST_ACTIONS: readonly EndpointToHostAction[] = ['Accept', 'Drop', 'Return'];

/**
 * `spec.environment`, with the defaults of a kubeadm cluster installed by the Tigera operator:
 * one IPv4 pool 192.168.0.0/16 with natOutgoing and IP-in-IP (tigera/operator v1.42.3
 * pkg/controller/ippool/defaults.go:129-135 and 173-182, the same at v1.38.13 and v1.40.15),
 * Felix's natOutgoingExclusions IPPoolsOnly (v3.32.1 felix/config/config_params.go:437; v3.30
 * has no exclusions and masquerades as IPPoolsOnly does), API server on 6443.
 */
function readEnvironment(r: SpecReader, at: Located | undefined, release: CalicoRelease): EnvironmentSpec {
  const defaults: EnvironmentSpec = {
    install: 'operator',
    ipPools: [{ cidr: '192.168.0.0/16', natOutgoing: true }],
    natOutgoingExclusions: 'IPPoolsOnly',
    encapsulation: 'IPIP',
    wireguard: false,
    apiServer: { port: 6443 },
    path: 'spec.environment',
  };
  if (!at) return defaults;
  const m = r.mapping(at, ['install', 'ipPools', 'natOutgoingExclusions', 'encapsulation', 'wireguard', 'defaultEndpointToHostAction', 'apiServer']);
  if (!m) return defaults;
  /** The field's value when it is one of `values`; undefined when absent or (said) not one of them. */
  const oneOf = <T extends string>(key: string, values: readonly T[], code: string): T | undefined => {
    const v = m.get(key);
    const text = v ? r.string(v) : undefined;
    if (v === undefined || text === undefined) return undefined;
    if ((values as readonly string[]).includes(text)) return text as T;
    const near = closest(text, values);
    r.error(v, code, `unknown ${key} ${quote(text)}`, near ? `did you mean ${JSON.stringify(near)}?` : `use one of ${values.join(', ')}`);
    return undefined;
  };
  const installGiven = oneOf('install', INSTALL_FLAVOURS, 'bad-install');
  const install = installGiven ?? defaults.install;
  const encapsulation = oneOf('encapsulation', ENCAPSULATIONS, 'bad-encapsulation') ?? defaults.encapsulation;
  const exclusionsAt = m.get('natOutgoingExclusions');
  if (exclusionsAt && !release.natOutgoingExclusions) {
    // v3.30.7 api/pkg/apis/projectcalico/v3/felixconfig.go has no NATOutgoingExclusions (v3.31.7
    // adds it at lines 141-147, 535): Felix masquerades as IPPoolsOnly does.
    r.error(exclusionsAt, 'unsupported-field', `Calico ${release.minor} has no natOutgoingExclusions (it came in v3.31): Felix masquerades pod traffic to every address outside the IP pools, node addresses included`, 'remove the field, or set calicoVersion: v3.31 or later once the cluster runs it');
  }
  const natOutgoingExclusions = (release.natOutgoingExclusions ? oneOf('natOutgoingExclusions', NAT_OUTGOING_EXCLUSIONS, 'bad-nat-exclusions') : undefined) ?? defaults.natOutgoingExclusions;
  const actionAt = m.get('defaultEndpointToHostAction');
  const defaultEndpointToHostAction = oneOf('defaultEndpointToHostAction', ENDPOINT_TO_HOST_ACTIONS, 'bad-endpoint-to-host-action');
  // An install that is given and misspelt is its own error, not an operator install.
  const operatorInstall = installGiven === 'operator' || (m.get('install') === undefined && install === 'operator');
  if (actionAt && operatorInstall && defaultEndpointToHostAction !== undefined && defaultEndpointToHostAction !== 'Accept') {
    // tigera/operator pkg/render/node.go:1470 (v1.42.3; v1.40.15 :1438, v1.38.13 :1430) sets
    // ACCEPT on calico-node; the Installation's calico-node container overrides take resources
    // only (api/v1/calico_node_types.go:24-36).
    r.error(
      actionAt,
      'operator-endpoint-to-host',
      `the Tigera operator sets FELIX_DEFAULTENDPOINTTOHOSTACTION=ACCEPT on calico-node and offers no supported way to change it, so ${defaultEndpointToHostAction} cannot be in force on an operator install`,
      "remove the field and close pods' way to their own host with egress policy; or set install: manifests if Calico was installed from Calico's manifests",
    );
  }
  const wireguardAt = m.get('wireguard');
  const wireguard = (wireguardAt ? r.boolean(wireguardAt) : undefined) ?? false;
  let ipPools = defaults.ipPools;
  const poolsAt = m.get('ipPools');
  if (poolsAt) {
    const pools: IpPoolSpec[] = [];
    const seen = new Map<string, ParsedCidr>();
    const items = r.sequence(poolsAt) ?? [];
    for (const item of items) {
      const pm = r.mapping(item, ['cidr', 'natOutgoing'], ['cidr']);
      const cidrAt = pm?.get('cidr');
      const text = cidrAt ? r.string(cidrAt) : undefined;
      if (!cidrAt || text === undefined) continue;
      const parsed = parseCidr(text);
      if (!parsed.ok) {
        r.problem(cidrAt, 'bad-cidr', parsed.problem);
        continue;
      }
      const overlap = [...seen.values()].find((c) => c.family === parsed.cidr.family && cidrsOverlap(c, parsed.cidr));
      if (overlap) {
        r.error(cidrAt, 'overlapping-pools', `IP pool ${parsed.cidr.text} overlaps the pool ${overlap.text}`, 'Calico refuses overlapping IP pools; list each pool once');
        continue;
      }
      seen.set(parsed.cidr.text, parsed.cidr);
      const natAt = pm?.get('natOutgoing');
      // The operator's defaults: natOutgoing on for IPv4 pools, off for IPv6 (defaults.go:180-181, 194-195).
      const natOutgoing = natAt ? (r.boolean(natAt) ?? false) : parsed.cidr.family === 4;
      pools.push({ cidr: parsed.cidr.text, natOutgoing });
    }
    if (items.length === 0 && isSequenceNode(poolsAt)) {
      r.error(poolsAt, 'no-ip-pools', 'ipPools is empty: pods get their addresses from the IP pools', 'list the cluster\'s IP pools (calicoctl get ippools), or leave ipPools out for the operator\'s default 192.168.0.0/16');
    }
    ipPools = pools.sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
  }
  let apiServer = defaults.apiServer;
  const apiAt = m.get('apiServer');
  if (apiAt) {
    const am = r.mapping(apiAt, ['port', 'address']);
    const port = am?.get('port') ? (readPort(r, am.get('port') as Located) ?? defaults.apiServer.port) : defaults.apiServer.port;
    const addressAt = am?.get('address');
    let address: string | undefined;
    if (addressAt) {
      const text = r.string(addressAt);
      const parsed = text === undefined ? undefined : parseIp(text);
      if (parsed && !parsed.ok) r.problem(addressAt, 'bad-ip', parsed.problem);
      else if (parsed) address = parsed.ip.text;
    }
    apiServer = { port, ...(address !== undefined ? { address } : {}) };
  }
  return { install, ipPools, natOutgoingExclusions, encapsulation, wireguard, ...(defaultEndpointToHostAction !== undefined && { defaultEndpointToHostAction }), apiServer, path: at.path };
}

/**
 * `spec.acknowledge`: findings the spec accepts on purpose. Only those that can be a choice:
 * a protected port on a path the cluster needs (the clients are the only ones who should have
 * it), catch-all clients, and the warnings. Never exposed-port, failsafe-open, client-cut or
 * invalid-object.
 */
function readAcknowledge(r: SpecReader, at: Located): AcknowledgeSpec[] {
  const out: AcknowledgeSpec[] = [];
  const seen = new Set<string>();
  for (const item of r.sequence(at) ?? []) {
    const m = r.mapping(item, ['code', 'reason', 'field'], ['code', 'reason']);
    const codeAt = m?.get('code');
    const reasonAt = m?.get('reason');
    const fieldAt = m?.get('field');
    const code = codeAt ? r.string(codeAt) : undefined;
    const reason = reasonAt ? r.string(reasonAt) : undefined;
    const field = fieldAt ? r.string(fieldAt) : undefined;
    if (!codeAt || code === undefined || !reasonAt || reason === undefined || (fieldAt && field === undefined)) continue;
    if (fieldAt && field !== undefined && !FIELD_PATH.test(field)) {
      r.error(fieldAt, 'bad-acknowledge', `${quote(field)} is not a spec field`, 'write the field a finding names, as printed after its code, e.g. spec.protectedServers[0] or spec.metrics.calicoNode.port');
      continue;
    }
    if (!ACKNOWLEDGEABLE.includes(code)) {
      const near = closest(code, ACKNOWLEDGEABLE);
      r.error(codeAt, 'bad-acknowledge', `${quote(code)} cannot be acknowledged`, near ? `did you mean ${JSON.stringify(near)}? These can: ${ACKNOWLEDGEABLE.join(', ')}` : `these can: ${ACKNOWLEDGEABLE.join(', ')}`);
      continue;
    }
    if (reason.trim() === '') {
      r.error(reasonAt, 'bad-acknowledge', 'the reason is empty', 'say why the finding is accepted: ACCESS.md shows it to reviewers');
      continue;
    }
    const key = `${code} ${field ?? ''}`;
    if (seen.has(key)) {
      r.error(codeAt, 'bad-acknowledge', `${code} is acknowledged twice${field === undefined ? '' : ` for ${field}`}`, 'keep one entry per code and field');
      continue;
    }
    seen.add(key);
    out.push({ code, reason, ...(field === undefined ? {} : { field }), path: item.path });
  }
  return out;
}

/** A field path as findings print it: `spec`, then `.name` and `[index]` parts. */
const FIELD_PATH = /^spec((\.[A-Za-z][A-Za-z0-9]*)|(\[[0-9]+\]))*$/;

/** The finding codes spec.acknowledge takes. */
const ACKNOWLEDGEABLE: readonly string[] = [
  'essential-cut',
  'preset-overridden',
  'catch-all-clients',
  'host-traffic-cut',
  'need-not-probed',
  'partial-interfaces',
  'pod-to-own-host',
  'namespace-default-deny',
  'selector-matches-nothing',
  'many-host-endpoints',
];

function isSequenceNode(at: Located): boolean {
  return at.node.kind === 'seq';
}

function readFailsafe(r: SpecReader, at: Located | undefined, calicoVersion: CalicoMinor): FailsafeSpec {
  const defaults = FAILSAFE_DEFAULTS[calicoVersion];
  if (!at) return defaults;
  const m = r.mapping(at, ['inbound', 'outbound']);
  const list = (key: 'inbound' | 'outbound'): readonly FailsafePort[] => {
    const l = m?.get(key);
    if (!l) return defaults[key];
    const out: FailsafePort[] = [];
    const seen = new Set<string>();
    for (const item of r.sequence(l) ?? []) {
      const em = r.mapping(item, ['protocol', 'port', 'net'], ['protocol', 'port']);
      if (!em) continue;
      const protoAt = em.get('protocol');
      const protocol = (protoAt ? r.checkedString(protoAt, 'bad-protocol', checkProtocol) : undefined) as Protocol | undefined;
      const port = em.get('port') ? readPort(r, em.get('port') as Located) : undefined;
      let net: string | undefined;
      const netAt = em.get('net');
      if (netAt) {
        const v = r.string(netAt);
        if (v !== undefined) {
          const p = parseCidr(v);
          if (!p.ok) r.problem(netAt, 'bad-cidr', p.problem);
          else net = p.cidr.text;
        }
      }
      if (protocol && port !== undefined) {
        const key = `${protocol}/${port}/${net ?? ''}`;
        if (seen.has(key)) r.error(item, 'duplicate-failsafe', `failsafe entry ${protocol} ${port} is listed twice`, 'remove the duplicate');
        else {
          seen.add(key);
          out.push({ protocol, port, ...(net ? { net } : {}) });
        }
      }
    }
    return out;
  };
  return { inbound: list('inbound'), outbound: list('outbound') };
}


/** Offset of the first byte that breaks UTF-8 (lead byte, continuation or truncation). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    const extra = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) {
      if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += extra + 1;
  }
  return i;
}

/**
 * The metrics access label may not be a label calico-shield writes itself: the label that
 * marks its objects, the host selector's, or a protected server's or client's. Any of these
 * would silently widen (or break) who counts as a scraper.
 */
function checkAccessLabel(key: string): Problem | undefined {
  const problem = checkLabelKey(key);
  if (problem) return problem;
  const cannot = unrenderable(key);
  if (cannot !== undefined) return { message: `${quote(key)} cannot be a label: ${cannot}`, hint: 'use another label, e.g. calico-prometheus-access' };
  const own =
    key === 'running-calico' || key === 'app.kubernetes.io/managed-by' || key.startsWith('projectcalico.org/') || /^(protected-.+-server|allowed-.+-client)$/.test(key);
  return own
    ? { message: `${quote(key)} is a label calico-shield or Calico sets on endpoints itself`, hint: 'use a label of your own for the scrapers, e.g. calico-prometheus-access' }
    : undefined;
}
