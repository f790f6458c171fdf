/**
 * Cluster spec: bytes of `clusters/<name>.yaml` → validated ClusterSpec, or findings.
 *
 * Pure: the caller reads the file. Every rule a value must pass comes from lib/calico, so
 * what reaches the plan is safe to turn into names, labels and selectors.
 */
import { isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { FAILSAFE_DEFAULTS, METRICS_PORTS } from '../calico/felix';
import { compareCidrs, compareIps, parseCidr, parseIp } from '../calico/net';
import {
  checkDns1123Label,
  checkInterfaceName,
  checkLabelKey,
  checkLabelValue,
  checkNamespace,
  checkNodeName,
  checkPort,
  checkProtocol,
} from '../calico/validate';
import { Finding } from './errors';
import { Located, SpecReader } from './reader';
import {
  AllowedClientsSpec,
  Approach,
  ClusterSpec,
  FailsafePort,
  FailsafeSpec,
  InterfaceSpec,
  KubeControllersMetricsSpec,
  Labels,
  MetricsEndpointSpec,
  MetricsSpec,
  NodeSpec,
  ProtectedServerSpec,
  Protocol,
  WorkloadSelectorSpec,
} from './types';

export const SPEC_API_VERSION = 'calico-shield/v1alpha1';
export const SPEC_KIND = 'Cluster';

/** Largest spec file accepted: ~10,000 nodes with comments fit in a few MiB. */
export const MAX_SPEC_BYTES = 32 * 1024 * 1024;

/**
 * Longest protected-server name: it becomes the label key `protected-<name>-server`,
 * whose name part may have 63 characters.
 */
export const MAX_SERVER_NAME = 63 - 'protected--server'.length;

const APPROACHES: readonly Approach[] = ['deny-list', 'allow-list'];

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
export function parseClusterSpec(file: string, clusterName: string, bytes: Uint8Array): ParseResult {
  const fail = (code: string, message: string, hint?: string, line = 1, col = 1): ParseResult => ({
    findings: [{ severity: 'error', code, message, ...(hint ? { hint } : {}), file, line, col }],
  });
  if (bytes.length > MAX_SPEC_BYTES) {
    return fail('too-large', `the spec has ${bytes.length} bytes, more than the ${MAX_SPEC_BYTES} calico-shield reads`, 'split the fleet into one file per cluster');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = Buffer.from(bytes.subarray(0, offset)).toString('utf8');
    const line = before.split('\n').length;
    return fail('not-utf8', `the file is not valid UTF-8 (byte ${offset})`, 'save the file as UTF-8', line, offset - before.lastIndexOf('\n'));
  }
  // A leading byte-order mark is harmless: editors on some systems add it.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') {
    return fail('empty', 'the spec is empty', `start from clusters/example.yaml: apiVersion: ${SPEC_API_VERSION}, kind: ${SPEC_KIND}, spec: …`);
  }

  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2', schema: 'core', merge: false });
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
        message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
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

  const doc = docList[0];
  const r = new SpecReader(file, text, lineCounter, doc);
  const root = r.resolve(doc.contents as never, '');
  if (!root || (isScalar(root) && root.value === null)) {
    return fail('empty', 'the spec is empty', `start from clusters/example.yaml`);
  }
  const spec = readRoot(r, { node: root, path: '' }, file, clusterName);
  return r.findings.length > 0 || !spec ? { findings: r.findings } : { spec, findings: [] };
}

function readRoot(r: SpecReader, at: Located, file: string, clusterName: string): ClusterSpec | undefined {
  const top = r.mapping({ node: at.node, path: '' }, ['apiVersion', 'kind', 'metadata', 'spec'], ['apiVersion', 'kind', 'spec']);
  if (!top) return undefined;
  const apiVersion = top.get('apiVersion');
  if (apiVersion) {
    const v = r.string(apiVersion);
    if (v !== undefined && v !== SPEC_API_VERSION) {
      r.error(apiVersion, 'unsupported-version', `unsupported apiVersion ${JSON.stringify(v)}`, `this version of calico-shield reads ${SPEC_API_VERSION}`);
    }
  }
  const kind = top.get('kind');
  if (kind) {
    const v = r.string(kind);
    if (v !== undefined && v !== SPEC_KIND) r.error(kind, 'wrong-kind', `unknown kind ${JSON.stringify(v)}`, `a cluster spec has kind: ${SPEC_KIND}`);
  }
  const metadata = top.get('metadata');
  if (metadata) {
    const m = r.mapping(metadata, ['name']);
    const name = m?.get('name');
    if (name) {
      const v = r.string(name);
      if (v !== undefined && v !== clusterName) {
        r.error(name, 'name-mismatch', `metadata.name ${JSON.stringify(v)} differs from the file name ${JSON.stringify(clusterName)}`, `rename the file to clusters/${v}.yaml or set metadata.name: ${clusterName}`);
      }
    }
  }
  const specAt = top.get('spec');
  if (!specAt) return undefined;
  const s = r.mapping(specAt, ['calicoVersion', 'approach', 'calicoNamespace', 'nodes', 'metrics', 'protectedServers', 'failsafe'], ['approach']);
  if (!s) return undefined;

  const calicoVersionAt = s.get('calicoVersion');
  if (calicoVersionAt) {
    const v = r.string(calicoVersionAt);
    if (v !== undefined && v !== 'v3.32') r.error(calicoVersionAt, 'unsupported-calico', `calico-shield does not model Calico ${JSON.stringify(v)}`, 'supported: v3.32');
  }
  let approach: Approach | undefined;
  const approachAt = s.get('approach');
  if (approachAt) {
    const v = r.string(approachAt);
    if (v !== undefined) {
      if ((APPROACHES as readonly string[]).includes(v)) approach = v as Approach;
      else r.error(approachAt, 'bad-approach', `unknown approach ${JSON.stringify(v)}`, 'use deny-list (allow host traffic by default, deny what is protected) or allow-list (deny host traffic by default)');
    }
  }
  const nsAt = s.get('calicoNamespace');
  const calicoNamespace = (nsAt ? r.checkedString(nsAt, 'bad-namespace', checkNamespace) : undefined) ?? 'calico-system';
  const nodes = s.get('nodes') ? readNodes(r, s.get('nodes') as Located) : [];
  const nodeNames = new Set(nodes.map((n) => n.name));
  const metrics = readMetrics(r, s.get('metrics'));
  const protectedServers = s.get('protectedServers') ? readServers(r, s.get('protectedServers') as Located, nodeNames) : [];
  const failsafe = readFailsafe(r, s.get('failsafe'));
  if (!approach) return undefined;
  return {
    name: clusterName,
    file,
    calicoVersion: 'v3.32',
    approach,
    calicoNamespace,
    nodes,
    metrics,
    protectedServers,
    failsafe,
    positions: r.positions,
  };
}

function readNodes(r: SpecReader, at: Located): NodeSpec[] {
  const items = r.sequence(at) ?? [];
  const nodes: NodeSpec[] = [];
  const seen = new Map<string, string>();
  const ipOwners = new Map<string, string>();
  for (const item of items) {
    const m = r.mapping(item, ['name', 'interfaces'], ['name', 'interfaces']);
    if (!m) continue;
    const nameAt = m.get('name');
    const name = nameAt ? r.string(nameAt) : undefined;
    if (nameAt && name !== undefined) {
      const p = checkNodeName(name);
      if (p) r.problem(nameAt, 'bad-node-name', p);
      else if (seen.has(name)) r.error(nameAt, 'duplicate-node', `node ${JSON.stringify(name)} is listed twice (first at ${seen.get(name)})`, 'merge the two entries into one, with all their interfaces');
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
        else if (ifNames.has(ifName)) r.error(ifNameAt, 'duplicate-interface', `interface ${JSON.stringify(ifName)} is listed twice on this node (first at ${ifNames.get(ifName)})`, 'merge the two entries');
        else ifNames.set(ifName, ifItem.path);
      }
      const ips: string[] = [];
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
          r.error(ipAt, 'duplicate-ip', `address ${parsed.ip.text} is already an expected IP of ${owner}`, 'an address belongs to one interface of one node; remove the duplicate');
          continue;
        }
        ipOwners.set(parsed.ip.text, `${name ?? '?'}/${ifName ?? '?'}`);
        ips.push(parsed.ip.text);
      }
      if (ifName !== undefined) {
        const sorted = ips
          .map((t) => parseIp(t))
          .flatMap((p) => (p.ok ? [p.ip] : []))
          .sort(compareIps)
          .map((ip) => ip.text);
        interfaces.push({ name: ifName, path: ifItem.path, expectedIPs: sorted });
      }
    }
    if (ifAt && interfaces.length === 0 && r.findings.length === 0) {
      r.error(ifAt, 'no-interfaces', `node ${JSON.stringify(name)} has no interfaces`, 'list at least one interface, or "*" for all of them');
    }
    if (name !== undefined) {
      nodes.push({ name, path: item.path, interfaces: interfaces.sort((a, b) => cmp(a.name, b.name)) });
    }
  }
  return nodes.sort((a, b) => cmp(a.name, b.name));
}

function readMetrics(r: SpecReader, at: Located | undefined): MetricsSpec {
  const defaults: MetricsSpec = { accessLabel: 'calico-prometheus-access', allowedNets: [] };
  if (!at) return defaults;
  const m = r.mapping(at, ['accessLabel', 'allowedNets', 'calicoNode', 'typha', 'kubeControllers']);
  if (!m) return defaults;
  const labelAt = m.get('accessLabel');
  const accessLabel = (labelAt ? r.checkedString(labelAt, 'bad-label-key', checkLabelKey) : undefined) ?? defaults.accessLabel;
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

function readServers(r: SpecReader, at: Located, nodeNames: ReadonlySet<string>): ProtectedServerSpec[] {
  const servers: ProtectedServerSpec[] = [];
  const seen = new Map<string, string>();
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
        r.error(nameAt, 'bad-server-name', `server name ${JSON.stringify(name)} has ${name.length} characters, more than ${MAX_SERVER_NAME}`, `it becomes the label key protected-${name}-server, whose name part is limited to 63 characters; use a shorter name`);
      } else if (seen.has(name)) {
        r.error(nameAt, 'duplicate-server', `protected server ${JSON.stringify(name)} is listed twice (first at ${seen.get(name)})`, 'give each protected server its own name');
      } else {
        seen.set(name, item.path);
        nameOk = true;
      }
    }
    const protoAt = m.get('protocol');
    const protocol = ((protoAt ? r.checkedString(protoAt, 'bad-protocol', checkProtocol) : undefined) ?? 'TCP') as Protocol;
    const port = m.get('port') ? readPort(r, m.get('port') as Located) : undefined;
    const nodes: string[] = [];
    const workloads: WorkloadSelectorSpec[] = [];
    const runsOnAt = m.get('runsOn');
    if (runsOnAt) {
      const rm = r.mapping(runsOnAt, ['nodes', 'workloads']);
      if (rm) {
        if (rm.get('nodes')) nodes.push(...readNodeRefs(r, rm.get('nodes') as Located, nodeNames, 'run the server'));
        if (rm.get('workloads')) workloads.push(...readWorkloads(r, rm.get('workloads') as Located));
        if (!rm.get('nodes') && !rm.get('workloads')) {
          r.error(runsOnAt, 'missing-field', 'runsOn names neither nodes nor workloads', 'list the nodes where the server runs host-networked, or the labels of its pods');
        }
      }
    }
    const allowedClients = readClients(r, m.get('allowedClients'), nodeNames);
    if (name !== undefined && nameOk && port !== undefined) {
      servers.push({ name, path: item.path, protocol, port, nodes, workloads, allowedClients });
    }
  }
  // Two servers on one port and protocol of one host cannot both listen there.
  const byHostPort = new Map<string, string>();
  for (const s of servers) {
    for (const node of s.nodes) {
      const key = `${node}/${s.protocol}/${s.port}`;
      const other = byHostPort.get(key);
      if (other) {
        r.error({ path: `${s.path}.port`, position: r.positions.get(`${s.path}.port`) ?? { line: 1, col: 1 } }, 'port-conflict', `servers ${JSON.stringify(other)} and ${JSON.stringify(s.name)} both listen on ${s.protocol} ${s.port} on node ${JSON.stringify(node)}`, 'one host port serves one server; fix the port or the node list');
      } else byHostPort.set(key, s.name);
    }
  }
  return servers.sort((a, b) => cmp(a.name, b.name));
}

function readClients(r: SpecReader, at: Located | undefined, nodeNames: ReadonlySet<string>): AllowedClientsSpec {
  if (!at) return { workloads: [], nodes: [], nets: [] };
  const m = r.mapping(at, ['workloads', 'nodes', 'nets']);
  if (!m) return { workloads: [], nodes: [], nets: [] };
  return {
    workloads: m.get('workloads') ? readWorkloads(r, m.get('workloads') as Located) : [],
    nodes: m.get('nodes') ? readNodeRefs(r, m.get('nodes') as Located, nodeNames, 'be a client') : [],
    nets: m.get('nets') ? readNets(r, m.get('nets') as Located) : [],
  };
}

function readNodeRefs(r: SpecReader, at: Located, nodeNames: ReadonlySet<string>, role: string): string[] {
  const out = new Set<string>();
  for (const item of r.sequence(at) ?? []) {
    const v = r.string(item);
    if (v === undefined) continue;
    if (!nodeNames.has(v)) {
      r.error(item, 'unknown-node', `node ${JSON.stringify(v)} is not in spec.nodes`, `add it to spec.nodes with its interfaces, so it can ${role}`);
    } else if (out.has(v)) {
      r.error(item, 'duplicate-node', `node ${JSON.stringify(v)} is listed twice`, 'remove the duplicate');
    } else out.add(v);
  }
  return [...out].sort(cmp);
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
    if (labelsAt && Object.keys(labels).length === 0 && namespace === undefined) {
      r.error(labelsAt, 'empty-selector', 'labels is empty and no namespace is given: this would match every pod', 'give the labels of the pods');
    }
    out.push({ ...(namespace !== undefined ? { namespace } : {}), labels, path: item.path });
  }
  const key = (w: WorkloadSelectorSpec): string => JSON.stringify([w.namespace ?? '', Object.entries(w.labels)]);
  return out.sort((a, b) => cmp(key(a), key(b)));
}

function readLabels(r: SpecReader, at: Located): Labels {
  const fields = r.stringMap(at);
  const labels: Record<string, string> = {};
  for (const [key, valueAt] of fields ?? []) {
    const pk = checkLabelKey(key);
    if (pk) {
      r.problem(valueAt, 'bad-label-key', pk);
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
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => cmp(a, b)));
}

function readNets(r: SpecReader, at: Located): string[] {
  const nets = new Map<string, ReturnType<typeof parseCidr>>();
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
    nets.set(parsed.cidr.text, parsed);
  }
  return [...nets.values()]
    .flatMap((p) => (p.ok ? [p.cidr] : []))
    .sort(compareCidrs)
    .map((c) => c.text);
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

function readFailsafe(r: SpecReader, at: Located | undefined): FailsafeSpec {
  const defaults = FAILSAFE_DEFAULTS['v3.32'];
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

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
