/**
 * Node import: a node inventory merged into the `spec.nodes` of a cluster spec.
 *
 * Pure: the caller reads the spec and the inventory and writes the result. The yaml Document
 * API locates the values; the result is the user's text with a few spliced edits, so the
 * comments, order and formatting the user wrote survive byte for byte outside what changes.
 * Only the expectedIPs of one interface per node are calico-shield's to fill: every other
 * interface and field stays as the user wrote it.
 */
import { Document, isAlias, isMap, isNode, isScalar, isSeq, Pair, parseDocument, Scalar, Schema, visit, YAMLMap, YAMLSeq } from 'yaml';
import { compareIps, ParsedIp, parseIp } from '../calico/net';
import { compareByName, compareText } from '../calico/strings';
import { checkInterfaceName, checkNodeName, escapeHiddenCharacters, quote } from '../calico/validate';
import { InventoryNode, InventoryProblem } from './parse-node-inventory';
import { applyEdits, Edit, SourceText } from './source-text';

export interface ImportOptions {
  /**
   * The interface whose expectedIPs the inventory's addresses fill: a Linux interface name, or
   * "*" for all of a node's interfaces (HostEndpoint `<node>.all-interfaces`).
   */
  readonly interfaceName: string;
  /** Whether a node's ExternalIP addresses are expected IPs too, besides its InternalIP ones. */
  readonly includeExternal: boolean;
  /** Whether nodes of the spec that the inventory no longer lists are removed from it. */
  readonly prune: boolean;
  /**
   * The node labels to keep in spec.nodes[].labels: label keys, or prefixes ending in `*`
   * (`node-role.kubernetes.io/*`). Labels of these keys follow the inventory; other labels of
   * the spec stay as they are.
   * @default DEFAULT_IMPORTED_LABELS
   */
  readonly labels?: readonly string[];
}

/**
 * The labels `nodes import` keeps by default: a node's roles (the control plane that the host
 * traffic presets and nodeSelector pick nodes by) and its topology (zone, region).
 */
export const DEFAULT_IMPORTED_LABELS: readonly string[] = ['node-role.kubernetes.io/*', 'topology.kubernetes.io/*'];

/** Whether a label key is one of `selection` (keys, or prefixes ending in `*`). */
export function selectsLabel(selection: readonly string[], key: string): boolean {
  return selection.some((s) => (s.endsWith('*') ? key.startsWith(s.slice(0, -1)) : key === s));
}

/** A node whose expectedIPs on the imported interface change: canonical addresses, sorted. */
export interface NodeChange {
  readonly name: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface ImportReport {
  /** Nodes of the inventory that were not in the spec, now appended to it. */
  readonly added: readonly string[];
  readonly changed: readonly NodeChange[];
  /** Nodes of the spec that the inventory does not list. */
  readonly gone: readonly string[];
  /** The gone nodes that were removed from the spec (with `prune`). */
  readonly removed: readonly string[];
  /** How many nodes of the inventory the spec already had with these addresses. */
  readonly unchanged: number;
  /** Nodes of the spec that the inventory lists without an address to import: their expectedIPs stay as they are. */
  readonly kept: readonly string[];
  /** Nodes of the inventory without an address to import that the spec does not have: not added. */
  readonly skipped: readonly string[];
  /** Nodes of the spec whose imported labels changed. */
  readonly relabelled: readonly string[];
}

export type ImportResult =
  | { readonly ok: true; readonly text: string; readonly report: ImportReport }
  | { readonly ok: false; readonly problems: readonly InventoryProblem[] };

/** The options lib/spec/parse.ts reads specs with, plus the source tokens edits need. */
const PARSE_OPTIONS = {
  keepSourceTokens: true,
  prettyErrors: true,
  uniqueKeys: true,
  strict: true,
  version: '1.2',
  schema: 'core',
  merge: false,
} as const;

/**
 * Merges `nodes` into the spec's `spec.nodes` and returns the new text, which is `specText`
 * itself when nothing changes.
 *
 * Each node of the inventory gets its addresses (InternalIP, plus ExternalIP with
 * `includeExternal`) as the expectedIPs of the interface `interfaceName`, which is added when
 * missing; addresses the spec already lists on another interface of the node stay there.
 * New nodes are appended in the style of the existing items. Nodes the inventory does not list
 * are reported, and removed with `prune`.
 *
 * Refuses (as problems) what would leave the spec invalid: one address on two nodes, a pruned
 * node that a protected server still names, a spec whose nodes cannot be read.
 */
export function importNodes(specText: string, nodes: readonly InventoryNode[], options: ImportOptions): ImportResult {
  const badInterface = checkInterfaceName(options.interfaceName);
  if (badInterface) return { ok: false, problems: [badInterface] };
  const inventory = indexInventory(nodes, options.includeExternal, options.labels ?? DEFAULT_IMPORTED_LABELS);

  const doc = parseDocument(specText, PARSE_OPTIONS);
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ message: `the spec is not valid YAML: ${escapeHiddenCharacters(e.message.split('\n')[0])}` })) };
  }
  const src = new SourceText(specText);
  const read = readSpec(doc);
  if (!read.ok) return read;
  const spec = read.spec;

  const plan = planImport(spec, inventory, options);
  if (plan.problems.length > 0) return { ok: false, problems: plan.problems };

  const editor = new Editor(src, deriveStyle(doc, src, spec), spec);
  for (const update of plan.updates) editor.updateNode(update, options.interfaceName);
  for (const relabel of plan.relabels) editor.setLabels(relabel);
  editor.updateNodeList(plan, options.interfaceName);
  if (editor.problems.length > 0) return { ok: false, problems: editor.problems };
  return { ok: true, text: editor.edits.length > 0 ? applyEdits(specText, editor.edits) : specText, report: plan.report };
}

// ---------------------------------------------------------------------------------------------
// The inventory, indexed

interface ImportedNode {
  readonly name: string;
  /** The node's labels that the import keeps, sorted by key. */
  readonly labels: readonly (readonly [string, string])[];
  /** Whether the inventory lists any label for the node. */
  readonly hasLabels: boolean;
  /** InternalIP (and ExternalIP) addresses, sorted by compareIps. */
  readonly ips: readonly ParsedIp[];
  readonly external: ReadonlySet<string>;
}

/** Inventory nodes by name. Invalid nodes mean the caller skipped parseNodeInventory: a bug, thrown. */
function indexInventory(nodes: readonly InventoryNode[], includeExternal: boolean, selection: readonly string[]): ReadonlyMap<string, ImportedNode> {
  const indexed = new Map<string, ImportedNode>();
  const parse = (node: InventoryNode, text: string): ParsedIp => {
    const parsed = parseIp(text);
    if (!parsed.ok) throw new Error(`importNodes: node ${node.name} has the invalid address ${text}; read inventories with parseNodeInventory`);
    return parsed.ip;
  };
  for (const node of nodes) {
    if (checkNodeName(node.name) || indexed.has(node.name)) {
      throw new Error(`importNodes: node name ${quote(node.name)} is invalid or repeated; read inventories with parseNodeInventory`);
    }
    const ips = new Map<string, ParsedIp>();
    for (const text of node.internalIPs) {
      const ip = parse(node, text);
      ips.set(ip.text, ip);
    }
    const external = new Set<string>();
    if (includeExternal) {
      for (const text of node.externalIPs) {
        const ip = parse(node, text);
        if (!ips.has(ip.text)) external.add(ip.text);
        ips.set(ip.text, ip);
      }
    }
    const labels = Object.entries(node.labels).filter(([k]) => selectsLabel(selection, k)).sort(([a], [b]) => compareText(a, b));
    indexed.set(node.name, { name: node.name, labels, hasLabels: Object.keys(node.labels).length > 0, ips: [...ips.values()].sort(compareIps), external });
  }
  return indexed;
}

// ---------------------------------------------------------------------------------------------
// The spec's nodes, as found in the Document

interface SpecInterface {
  readonly name: string;
  readonly path: string;
  /** Index in the node's interface list. */
  readonly index: number;
  readonly map: YAMLMap;
  /** The interface or its expectedIPs is anchored, aliased or inside such a value: an edit would change other places too. */
  readonly shared: boolean;
  readonly ipsPair?: Pair;
  /** The expectedIPs list, when it is one (it may also be empty: `expectedIPs:`). */
  readonly ipsSeq?: YAMLSeq;
  readonly ips: readonly ParsedIp[];
}

interface SpecNode {
  readonly name: string;
  readonly path: string;
  /** Index in spec.nodes. */
  readonly index: number;
  readonly map: YAMLMap;
  readonly shared: boolean;
  readonly interfacesPair?: Pair;
  readonly interfacesSeq?: YAMLSeq;
  readonly interfacesShared: boolean;
  readonly interfaces: readonly SpecInterface[];
  readonly labelsPair?: Pair;
  /** The node's labels in the spec, in their order; undefined when they are not a mapping of strings. */
  readonly labels?: readonly (readonly [string, string])[];
  readonly labelsShared: boolean;
}

/** A node that protectedServers name: pruning it would leave a dangling reference. */
interface NodeReference {
  readonly node: string;
  readonly server: string;
  readonly path: string;
}

interface SpecNodes {
  readonly specMap: YAMLMap;
  readonly nodesPair?: Pair;
  readonly nodesSeq?: YAMLSeq;
  readonly nodesShared: boolean;
  readonly nodes: readonly SpecNode[];
  readonly references: readonly NodeReference[];
}

/** A value with aliases followed, and whether it is shared with other places of the spec. */
function deref(doc: Document, value: unknown, parentShared: boolean): { node: unknown; shared: boolean } {
  if (isAlias(value)) return { node: value.resolve(doc), shared: true };
  return { node: value, shared: parentShared || (isNode(value) && value.anchor !== undefined) };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

const isEmpty = (value: unknown): boolean => value === null || value === undefined || (isScalar(value) && value.value === null);

function describeNode(value: unknown): string {
  if (isEmpty(value)) return 'nothing';
  if (isMap(value)) return 'a mapping';
  if (isSeq(value)) return 'a list';
  if (isScalar(value)) return `the ${typeof value.value} ${JSON.stringify(value.value)}`;
  return 'an unreadable value';
}

function readSpec(doc: Document): { ok: true; spec: SpecNodes } | { ok: false; problems: InventoryProblem[] } {
  const problems: InventoryProblem[] = [];
  const fail = (message: string, path: string, hint?: string): { ok: false; problems: InventoryProblem[] } => ({
    ok: false,
    problems: [{ message, path, ...(hint ? { hint } : {}) }],
  });
  const root = doc.contents;
  if (!isMap(root)) return fail(`the spec is ${describeNode(root)}, not a mapping with apiVersion, kind, metadata and spec`, '(top level)');
  const specAt = deref(doc, pairOf(root, 'spec')?.value, false);
  if (!isMap(specAt.node)) return fail(`spec is ${describeNode(specAt.node)}, not a mapping`, 'spec', 'start from clusters/example.yaml');
  const specMap = specAt.node;

  const nodesPair = pairOf(specMap, 'nodes');
  const nodesAt = deref(doc, nodesPair?.value, specAt.shared);
  if (!isEmpty(nodesAt.node) && !isSeq(nodesAt.node)) {
    return fail(`spec.nodes is ${describeNode(nodesAt.node)}, not a list`, 'spec.nodes', 'write one "- name: …" item per node');
  }
  const nodesSeq = isSeq(nodesAt.node) ? nodesAt.node : undefined;
  const nodes: SpecNode[] = [];
  const firstAt = new Map<string, string>();
  nodesSeq?.items.forEach((raw, index) => {
    const path = `spec.nodes[${index}]`;
    const at = deref(doc, raw, nodesAt.shared);
    if (!isMap(at.node)) {
      problems.push({ message: `${path} is ${describeNode(at.node)}, not a mapping with name and interfaces`, path });
      return;
    }
    const nameValue = deref(doc, pairOf(at.node, 'name')?.value, at.shared).node;
    if (!isScalar(nameValue) || typeof nameValue.value !== 'string') {
      problems.push({ message: `the node at ${path} has no name (found ${describeNode(nameValue)})`, path: `${path}.name` });
      return;
    }
    const name = nameValue.value;
    const first = firstAt.get(name);
    if (first !== undefined) {
      problems.push({ message: `node ${quote(name)} is listed twice (first at ${first})`, hint: 'merge the two entries into one', path: `${path}.name` });
      return;
    }
    firstAt.set(name, path);
    const interfacesPair = pairOf(at.node, 'interfaces');
    const ifAt = deref(doc, interfacesPair?.value, at.shared);
    if (!isEmpty(ifAt.node) && !isSeq(ifAt.node)) {
      problems.push({ message: `the interfaces of node ${quote(name)} are ${describeNode(ifAt.node)}, not a list`, path: `${path}.interfaces` });
      return;
    }
    const interfacesSeq = isSeq(ifAt.node) ? ifAt.node : undefined;
    const interfaces = (interfacesSeq?.items ?? []).flatMap((rawIf, i) => {
      const found = readInterface(doc, rawIf, ifAt.shared, `${path}.interfaces[${i}]`, i, problems);
      return found ? [found] : [];
    });
    const labelsPair = pairOf(at.node, 'labels');
    const labelsAt = deref(doc, labelsPair?.value, at.shared);
    const labels = isEmpty(labelsAt.node) ? [] : isMap(labelsAt.node) ? labelsAt.node.items.map((p) => [isScalar(p.key) ? p.key.value : undefined, isScalar(p.value) ? p.value.value : undefined] as const) : undefined;
    const stringLabels = labels?.every((l): l is readonly [string, string] => typeof l[0] === 'string' && typeof l[1] === 'string') ? labels : undefined;
    nodes.push({ name, path, index, map: at.node, shared: at.shared, interfacesPair, interfacesSeq, interfacesShared: ifAt.shared, interfaces, labelsPair, ...(stringLabels ? { labels: stringLabels } : {}), labelsShared: labelsAt.shared });
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, spec: { specMap, nodesPair, nodesSeq, nodesShared: nodesAt.shared, nodes, references: readReferences(doc, specMap) } };
}

function readInterface(doc: Document, raw: unknown, parentShared: boolean, path: string, index: number, problems: InventoryProblem[]): SpecInterface | undefined {
  const at = deref(doc, raw, parentShared);
  if (!isMap(at.node)) {
    problems.push({ message: `${path} is ${describeNode(at.node)}, not a mapping with name and expectedIPs`, path });
    return undefined;
  }
  const nameValue = deref(doc, pairOf(at.node, 'name')?.value, at.shared).node;
  if (!isScalar(nameValue) || typeof nameValue.value !== 'string') {
    problems.push({ message: `the interface at ${path} has no name (found ${describeNode(nameValue)})`, path: `${path}.name` });
    return undefined;
  }
  const ipsPair = pairOf(at.node, 'expectedIPs');
  const ipsAt = deref(doc, ipsPair?.value, at.shared);
  if (!isEmpty(ipsAt.node) && !isSeq(ipsAt.node)) {
    problems.push({ message: `expectedIPs is ${describeNode(ipsAt.node)}, not a list`, path: `${path}.expectedIPs`, hint: 'write the addresses as a list: [10.0.0.1]' });
    return undefined;
  }
  const ipsSeq = isSeq(ipsAt.node) ? ipsAt.node : undefined;
  const ips: ParsedIp[] = [];
  ipsSeq?.items.forEach((rawIp, i) => {
    const ipPath = `${path}.expectedIPs[${i}]`;
    const value = deref(doc, rawIp, ipsAt.shared).node;
    const parsed = isScalar(value) && typeof value.value === 'string' ? parseIp(value.value) : undefined;
    if (!parsed) problems.push({ message: `${ipPath} is ${describeNode(value)}, not an IP address`, path: ipPath });
    else if (!parsed.ok) problems.push({ ...parsed.problem, path: ipPath });
    else ips.push(parsed.ip);
  });
  return { name: nameValue.value, path, index, map: at.node, shared: ipsAt.shared, ipsPair, ipsSeq, ips };
}

/** The nodes that protectedServers[].runsOn.nodes and allowedClients.nodes name. */
function readReferences(doc: Document, specMap: YAMLMap): NodeReference[] {
  const references: NodeReference[] = [];
  const servers = deref(doc, pairOf(specMap, 'protectedServers')?.value, false).node;
  if (!isSeq(servers)) return references;
  servers.items.forEach((rawServer, s) => {
    const server = deref(doc, rawServer, false).node;
    if (!isMap(server)) return;
    const nameValue = deref(doc, pairOf(server, 'name')?.value, false).node;
    const serverName = isScalar(nameValue) ? String(nameValue.value) : `#${s}`;
    for (const holder of ['runsOn', 'allowedClients']) {
      const holderMap = deref(doc, pairOf(server, holder)?.value, false).node;
      const list = isMap(holderMap) ? deref(doc, pairOf(holderMap, 'nodes')?.value, false).node : undefined;
      if (!isSeq(list)) continue;
      list.items.forEach((rawRef, r) => {
        const ref = deref(doc, rawRef, false).node;
        if (isScalar(ref) && typeof ref.value === 'string') {
          references.push({ node: ref.value, server: serverName, path: `spec.protectedServers[${s}].${holder}.nodes[${r}]` });
        }
      });
    }
  });
  return references;
}

// ---------------------------------------------------------------------------------------------
// What changes

/** A node of both the spec and the inventory whose imported interface gets new expectedIPs. */
interface NodeUpdate {
  readonly node: SpecNode;
  /** The imported interface, when the node has it. */
  readonly target?: SpecInterface;
  readonly ips: readonly ParsedIp[];
}

/** A node of both the spec and the inventory whose imported labels change: its labels after the import. */
interface NodeRelabel {
  readonly node: SpecNode;
  readonly labels: readonly (readonly [string, string])[];
  /** The label keys the import manages (ImportOptions.labels). */
  readonly selection: readonly string[];
}

interface ImportPlan {
  readonly updates: readonly NodeUpdate[];
  readonly relabels: readonly NodeRelabel[];
  /** Inventory nodes to append, by name. */
  readonly added: readonly ImportedNode[];
  readonly removed: ReadonlySet<string>;
  readonly report: ImportReport;
  readonly problems: readonly InventoryProblem[];
}

const sameIps = (a: readonly ParsedIp[], b: readonly ParsedIp[]): boolean => {
  const left = new Set(a.map((ip) => ip.text));
  const right = new Set(b.map((ip) => ip.text));
  return left.size === right.size && [...left].every((t) => right.has(t));
};

const sortedTexts = (ips: readonly ParsedIp[]): string[] => [...new Map(ips.map((ip) => [ip.text, ip])).values()].sort(compareIps).map((ip) => ip.text);


/** Who would list an address after the import: one interface of one node. */
interface Holder {
  readonly node: string;
  readonly iface: string;
  readonly ips: readonly ParsedIp[];
  /** The interface in the spec, when it is there already. */
  readonly path?: string;
  /** Whether the addresses come from the inventory (else the user wrote them). */
  readonly fromInventory: boolean;
  /** Whether the node is no longer in the inventory (and kept, without prune). */
  readonly gone: boolean;
}

function planImport(spec: SpecNodes, inventory: ReadonlyMap<string, ImportedNode>, options: ImportOptions): ImportPlan {
  const updates: NodeUpdate[] = [];
  const changed: NodeChange[] = [];
  const gone: string[] = [];
  let unchanged = 0;
  const holders: Holder[] = [];
  const inSpec = new Set(spec.nodes.map((n) => n.name));

  const kept: string[] = [];
  const relabels: NodeRelabel[] = [];
  const selection = options.labels ?? DEFAULT_IMPORTED_LABELS;
  for (const node of spec.nodes) {
    const found = inventory.get(node.name);
    // An inventory node with no labels at all (a list written by hand, or by a tool that leaves
    // them out) says nothing about them: the spec's labels stay.
    if (found && found.hasLabels && node.labels) {
      // The spec's labels of other keys stay, in their order; the imported keys follow the inventory.
      const next = [...node.labels.filter(([k]) => !selectsLabel(selection, k)), ...found.labels];
      const same = next.length === node.labels.length && next.every(([k, v]) => node.labels?.some(([k2, v2]) => k2 === k && v2 === v));
      if (!same) relabels.push({ node, labels: next, selection });
    } else if (found && found.labels.length > 0) {
      relabels.push({ node, labels: found.labels, selection });
    }
    // A node the inventory lists without addresses (not yet ready, or listed by a tool that
    // leaves status out) says nothing about its addresses: the spec's stay.
    if (found && found.ips.length === 0) kept.push(node.name);
    const imported = found && found.ips.length > 0 ? found : undefined;
    if (!found) {
      gone.push(node.name);
      if (options.prune) continue;
    }
    const target = node.interfaces.find((i) => i.name === options.interfaceName);
    let targetIps = target?.ips ?? [];
    if (imported) {
      const elsewhere = new Set(node.interfaces.filter((i) => i !== target).flatMap((i) => i.ips.map((ip) => ip.text)));
      // The user put these addresses on another interface of the node: they stay there.
      const ips = imported.ips.filter((ip) => !elsewhere.has(ip.text));
      if (sameIps(targetIps, ips)) unchanged++;
      else {
        changed.push({ name: node.name, before: sortedTexts(targetIps), after: sortedTexts(ips) });
        updates.push({ node, target, ips });
        targetIps = ips;
      }
      if (!target) holders.push({ node: node.name, iface: options.interfaceName, ips, fromInventory: true, gone: false });
    }
    for (const iface of node.interfaces) {
      const own = iface === target && imported !== undefined;
      holders.push({ node: node.name, iface: iface.name, ips: own ? targetIps : iface.ips, path: iface.path, fromInventory: own, gone: !found });
    }
  }
  const added = [...inventory.values()].filter((n) => !inSpec.has(n.name) && n.ips.length > 0).sort(compareByName);
  const skipped = [...inventory.values()].filter((n) => !inSpec.has(n.name) && n.ips.length === 0).map((n) => n.name).sort(compareText);
  for (const node of added) holders.push({ node: node.name, iface: options.interfaceName, ips: node.ips, fromInventory: true, gone: false });

  const problems = conflicts(holders, inventory);
  const removed = new Set(options.prune ? gone : []);
  for (const ref of spec.references) {
    if (removed.has(ref.node)) {
      problems.push({
        message: `protected server ${quote(ref.server)} names node ${quote(ref.node)}, which is no longer in the inventory and would be pruned`,
        hint: 'remove the node from the protected server first, or import without --prune',
        path: ref.path,
      });
    }
  }
  const report: ImportReport = {
    added: added.map((n) => n.name),
    changed: changed.sort(compareByName),
    gone: gone.sort(compareText),
    removed: [...removed].sort(compareText),
    unchanged,
    kept: kept.sort(compareText),
    skipped,
    relabelled: relabels.map((r) => r.node.name).sort(compareText),
  };
  return { updates, relabels, added, removed, report, problems };
}

/** An address on two interfaces: Calico would not know which host endpoint it belongs to. */
function conflicts(holders: readonly Holder[], inventory: ReadonlyMap<string, ImportedNode>): InventoryProblem[] {
  const problems: InventoryProblem[] = [];
  const owners = new Map<string, Holder>();
  for (const b of holders) {
    for (const ip of new Set(b.ips.map((x) => x.text))) {
      const a = owners.get(ip);
      if (!a) {
        owners.set(ip, b);
        continue;
      }
      const goneOne = [a, b].find((h) => h.gone);
      const userOne = [a, b].find((h) => !h.fromInventory);
      const external = [a, b].some((h) => h.fromInventory && inventory.get(h.node)?.external.has(ip));
      const hint = goneOne
        ? `node ${quote(goneOne.node)} is no longer in the inventory: import with --prune to remove it, or remove the address from it in the spec`
        : userOne
          ? `the inventory gives the address to node ${quote((userOne === a ? b : a).node)}: remove it from node ${quote(userOne.node)} in the spec if it has moved`
          : external
            ? 'the nodes share this external address (a NAT gateway, a load balancer): import without --external'
            : "Kubernetes reports the address on both nodes: fix the nodes' addresses";
      problems.push({
        message: `address ${ip} would be an expected IP of node ${quote(a.node)} (interface ${quote(a.iface)}) and of node ${quote(b.node)} (interface ${quote(b.iface)})`,
        hint,
        ...(userOne?.path ? { path: `${userOne.path}.expectedIPs` } : {}),
      });
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Rendering new values in the user's style

/** How the user writes YAML, read from the spec so new items look like existing ones. */
interface Style {
  /** Columns from a mapping key to the `-` of its block list (0 or, as in the examples, 2). */
  readonly seqIndent: number;
  /** Columns from a list item's `-` to its mapping keys (2 for `- name: …`). */
  readonly mapIndent: number;
  /** Whether expectedIPs are written `[a, b]` rather than one `- a` line each. */
  readonly flowIps: boolean;
  /** The quote for addresses and names that must be quoted. */
  readonly quote: '"' | "'";
}

type Value =
  | { readonly kind: 'scalar'; readonly text: string }
  | { readonly kind: 'seq'; readonly items: readonly Value[]; readonly flow: boolean }
  | { readonly kind: 'map'; readonly pairs: readonly (readonly [string, Value])[] };

/**
 * Patterns by which YAML 1.2 (core schema) or 1.1 would read a plain scalar as something else
 * than a string: `true`, `null`, `123`, `1e5`, `yes`, `on`, dates….
 */
const NOT_A_STRING: readonly RegExp[] = [new Schema({ schema: 'core' }), new Schema({ schema: 'yaml-1.1' })].flatMap((schema) =>
  schema.tags.flatMap((tag) => (tag.test && tag.default === true && tag.tag !== 'tag:yaml.org,2002:str' ? [tag.test] : [])),
);

/** A string as a YAML scalar: plain when every YAML reader takes it as that string, else quoted. */
function scalarText(value: string, style: Style): string {
  const plain = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !NOT_A_STRING.some((re) => re.test(value));
  if (plain) return value;
  return style.quote === "'" ? `'${value.replace(/'/g, "''")}'` : JSON.stringify(value);
}

const spaces = (n: number): string => ' '.repeat(n);

function flowText(v: Value): string {
  if (v.kind === 'scalar') return v.text;
  if (v.kind === 'seq') return `[${v.items.map(flowText).join(', ')}]`;
  return `{${v.pairs.map(([k, x]) => `${k}: ${flowText(x)}`).join(', ')}}`;
}

/** The lines of a block list item whose `-` is at column `dash`. */
function itemLines(v: Value, dash: number, mapIndent: number, style: Style): string[] {
  if (v.kind !== 'map') return [`${spaces(dash)}- ${flowText(v)}`];
  const keyCol = dash + mapIndent;
  return v.pairs.flatMap(([key, x], i) => pairLines(key, x, i === 0 ? `${spaces(dash)}- ` : spaces(keyCol), keyCol, style));
}

/** The lines of `key: value` in a block mapping whose keys are at column `keyCol`, after `prefix`. */
function pairLines(key: string, v: Value, prefix: string, keyCol: number, style: Style): string[] {
  if (v.kind === 'seq' && !v.flow && v.items.length > 0) return [`${prefix}${key}:`, ...blockItems(v, keyCol, style)];
  return [`${prefix}${key}: ${flowText(v)}`];
}

/** The items of a block list that is the value of a key at column `keyCol`. */
function blockItems(v: Value & { kind: 'seq' }, keyCol: number, style: Style): string[] {
  return v.items.flatMap((item) => itemLines(item, keyCol + style.seqIndent, style.mapIndent, style));
}

function ipsValue(ips: readonly ParsedIp[], style: Style): Value & { kind: 'seq' } {
  return { kind: 'seq', flow: style.flowIps, items: [...ips].sort(compareIps).map((ip) => ({ kind: 'scalar', text: scalarText(ip.text, style) })) };
}

function interfaceValue(name: string, ips: readonly ParsedIp[], style: Style): Value {
  const pairs: [string, Value][] = [['name', { kind: 'scalar', text: scalarText(name, style) }]];
  if (ips.length > 0) pairs.push(['expectedIPs', ipsValue(ips, style)]);
  return { kind: 'map', pairs };
}

function nodeValue(node: ImportedNode, interfaceName: string, style: Style): Value {
  return {
    kind: 'map',
    pairs: [
      ['name', { kind: 'scalar', text: scalarText(node.name, style) }],
      ...(node.labels.length > 0 ? [['labels', labelsValue(node.labels, style)] as const] : []),
      ['interfaces', { kind: 'seq', flow: false, items: [interfaceValue(interfaceName, node.ips, style)] }],
    ],
  };
}

/** Labels as a flow mapping: `{node-role.kubernetes.io/control-plane: "", topology.kubernetes.io/zone: a}`. */
function labelsValue(labels: readonly (readonly [string, string])[], style: Style): Value {
  return { kind: 'map', pairs: labels.map(([k, v]) => [scalarText(k, style), { kind: 'scalar', text: scalarText(v, style) }] as const) };
}

/** The `-` of each item of a block list, from the parser's tokens. */
function dashOffsets(seq: YAMLSeq): number[] {
  const token = seq.srcToken;
  if (!token || token.type !== 'block-seq') throw new Error('importNodes: a block list has no source tokens');
  // Comments after the last item come as an item of their own, without "-".
  const offsets = token.items.flatMap((item) => item.start.filter((t) => t.type === 'seq-item-ind').map((t) => t.offset));
  if (offsets.length !== seq.items.length) throw new Error('importNodes: a block list does not match its source tokens');
  return offsets;
}

function deriveStyle(doc: Document, src: SourceText, spec: SpecNodes): Style {
  let seqIndent: number | undefined;
  let mapIndent: number | undefined;
  const found = (): symbol | undefined => (seqIndent !== undefined && mapIndent !== undefined ? visit.BREAK : undefined);
  visit(doc, {
    Pair(_, pair) {
      if (seqIndent === undefined && isScalar(pair.key) && pair.key.range && isSeq(pair.value) && !pair.value.flow && pair.value.items.length > 0) {
        seqIndent = src.columnOf(dashOffsets(pair.value)[0]) - src.columnOf(pair.key.range[0]);
      }
      return found();
    },
    Seq(_, seq) {
      const first = seq.items[0];
      if (mapIndent === undefined && !seq.flow && isMap(first) && !first.flow && isScalar(first.items[0]?.key) && first.items[0].key.range) {
        mapIndent = src.columnOf(first.items[0].key.range[0]) - src.columnOf(dashOffsets(seq)[0]);
      }
      return found();
    },
  });
  const ipLists = spec.nodes.flatMap((n) => n.interfaces.flatMap((i) => (i.ipsSeq && i.ipsSeq.items.length > 0 ? [i.ipsSeq] : [])));
  const quoted = ipLists.flatMap((l) => l.items).find((item): item is Scalar => isScalar(item) && (item.type === 'QUOTE_SINGLE' || item.type === 'QUOTE_DOUBLE'));
  return {
    seqIndent: seqIndent ?? 2,
    mapIndent: mapIndent ?? 2,
    flowIps: ipLists.length > 0 ? ipLists[0].flow === true : true,
    quote: quoted?.type === 'QUOTE_SINGLE' ? "'" : '"',
  };
}

// ---------------------------------------------------------------------------------------------
// Edits

/** A block list item: the column of its `-`, its first line (comments above it included), its last line. */
interface ItemLines {
  readonly col: number;
  readonly lead: number;
  readonly end: number;
}

class Editor {
  public readonly edits: Edit[] = [];
  public readonly problems: InventoryProblem[] = [];
  private readonly lists = new Map<YAMLSeq, ItemLines[]>();

  public constructor(
    private readonly src: SourceText,
    private readonly style: Style,
    private readonly spec: SpecNodes,
  ) {}

  /** Gives the node's imported interface its new expectedIPs, adding the interface when missing. */
  public updateNode(update: NodeUpdate, interfaceName: string): void {
    const { node, target, ips } = update;
    if (target) {
      this.setIps(node, target, ips);
      return;
    }
    const iface = interfaceValue(interfaceName, ips, this.style);
    if (node.interfacesPair && node.interfacesShared) this.refuseShared(`${node.path}.interfaces`);
    else if (node.interfacesSeq && node.interfacesPair && node.interfacesSeq.items.length > 0) this.appendItem(node.interfacesSeq, node.interfacesPair, iface);
    else if (node.interfacesPair) this.fillEmpty(node.interfacesPair, { kind: 'seq', flow: node.map.flow === true, items: [iface] }, node.map.flow === true);
    else if (node.shared) this.refuseShared(node.path);
    else this.addPair(node.map, () => this.itemOf(this.spec.nodesSeq, this.spec.nodesPair, node.index).end, 'interfaces', { kind: 'seq', flow: false, items: [iface] });
  }

  /**
   * Writes the node's labels after the import: the labels' value replaced by a flow mapping, or
   * `labels: {...}` added to the node when it has none.
   */
  public setLabels(relabel: NodeRelabel): void {
    const { node, labels } = relabel;
    const value = labelsValue(labels, this.style);
    if (node.labelsShared || (node.shared && !node.labelsPair)) return this.refuseShared(`${node.path}.labels`);
    const pair = node.labelsPair;
    if (!pair) {
      this.addPair(node.map, () => this.itemOf(this.spec.nodesSeq, this.spec.nodesPair, node.index).end, 'labels', value);
      return;
    }
    const current = pair.value;
    const range = isNode(current) ? current.range : undefined;
    const colon = this.colon(pair);
    if (isMap(current) && !current.flow && range) {
      // A block mapping of one line per label: the lines of imported keys go, every other line
      // (the user's labels, their comments) stays, and the imported labels follow in lines of
      // the same indentation. A label written over several lines: the whole block is rewritten.
      const keyLines = current.items.map((p) => (isScalar(p.key) && p.key.range ? this.src.lineOf(p.key.range[0]) : -1));
      const oneLine = current.items.every((p, i) => isNode(p.value) && p.value.range && this.src.lineOf(Math.max(p.value.range[0], p.value.range[1] - 1)) === keyLines[i]);
      const firstKey = current.items[0]?.key;
      if (oneLine && isScalar(firstKey) && firstKey.range) {
        const indent = spaces(this.src.columnOf(firstKey.range[0]));
        // The labels the import manages, still to write: a line that already says so stays, one
        // with another value is rewritten in place, one of a label the inventory no longer has goes.
        const toWrite = new Map(labels.filter(([k]) => selectsLabel(relabel.selection, k)));
        let remaining = current.items.length;
        current.items.forEach((p, i) => {
          const key = isScalar(p.key) ? String(p.key.value) : '';
          if (!selectsLabel(relabel.selection, key)) return;
          const want = toWrite.get(key);
          toWrite.delete(key);
          if (want !== undefined && isScalar(p.value) && want === String(p.value.value)) return;
          const start = this.src.lineStart(keyLines[i]);
          const next = this.src.lineStart(keyLines[i] + 1);
          if (want !== undefined) {
            const end = this.src.text[next - 1] === '\n' ? next - (this.src.text[next - 2] === '\r' ? 2 : 1) : next;
            this.replace(start, end, `${indent}${scalarText(key, this.style)}: ${scalarText(want, this.style)}`);
            return;
          }
          this.replace(start, next, '');
          remaining--;
        });
        if (remaining === 0 && toWrite.size === 0) {
          // No label left: `labels:` alone would have no value.
          this.replace(colon + 1, colon + 1, ' {}');
          return;
        }
        const lastLine = this.src.lineOf(Math.max(range[0], range[1] - 1));
        const added = [...toWrite].map(([k, v]) => `${indent}${scalarText(k, this.style)}: ${scalarText(v, this.style)}`);
        if (added.length > 0) this.insertLines(lastLine + 1, added);
        return;
      }
      const keyLine = this.src.lineOf(colon);
      const last = this.src.lineOf(Math.max(range[0], range[1] - 1));
      this.replace(colon + 1, this.src.lineStart(keyLine + 1), ` ${flowText(value)}${this.src.eol}`);
      if (last > keyLine) this.replace(this.src.lineStart(keyLine + 1), this.src.lineStart(last + 1), '');
      return;
    }
    const end = range && range[1] > range[0] ? range[1] : colon + 1;
    this.replace(colon + 1, end, ` ${flowText(value)}`);
  }

  /** Removes the pruned nodes and appends the new ones (creating spec.nodes when missing). */
  public updateNodeList(plan: ImportPlan, interfaceName: string): void {
    const spec = this.spec;
    const values = plan.added.map((n) => nodeValue(n, interfaceName, this.style));
    const seq = spec.nodesSeq;
    if (!seq || seq.items.length === 0) {
      if (values.length === 0) return;
      const list: Value = { kind: 'seq', flow: false, items: values };
      if (spec.nodesShared) this.refuseShared('spec.nodes');
      else if (spec.nodesPair) this.fillEmpty(spec.nodesPair, list, spec.specMap.flow === true);
      else this.addNodesPair(spec.specMap, list);
      return;
    }
    const removedIndexes = spec.nodes.filter((n) => plan.removed.has(n.name)).map((n) => n.index);
    if (values.length === 0 && removedIndexes.length === 0) return;
    if (spec.nodesShared) return this.refuseShared('spec.nodes');
    if (seq.flow || !spec.nodesPair) {
      this.problems.push({
        message: 'spec.nodes is written as a flow list ([…]); calico-shield adds and removes nodes only in a block list',
        hint: 'write one "- name: …" item per node',
        path: 'spec.nodes',
      });
      return;
    }
    const items = this.itemLines(seq, spec.nodesPair);
    const removed = new Set(removedIndexes);
    const kept = items.filter((_, k) => !removed.has(k));
    this.deleteItems(items, removed);
    if (values.length === 0) {
      // Every node pruned: an empty list, as `nodes:` alone has no value.
      if (kept.length === 0) this.replace(this.colon(spec.nodesPair) + 1, this.colon(spec.nodesPair) + 1, ' []');
      return;
    }
    // Items separated by blank lines get new ones separated the same way.
    const last = items[items.length - 1];
    const before = items[items.length - 2];
    let separator = 0;
    if (before) for (let l = before.end + 1; l < last.lead; l++) if (this.src.isBlank(l)) separator++;
    const lines = values.flatMap((v, i) => [
      ...new Array<string>(kept.length > 0 || i > 0 ? separator : 0).fill(''),
      ...itemLines(v, last.col, this.mapIndentOf(seq, items.length - 1, last), this.style),
    ]);
    this.insertLines(kept.length > 0 ? kept[kept.length - 1].end + 1 : items[0].lead, lines);
  }

  private setIps(node: SpecNode, iface: SpecInterface, ips: readonly ParsedIp[]): void {
    const pair = iface.ipsPair;
    const seq = iface.ipsSeq;
    const flowContext = iface.map.flow === true;
    if (iface.shared) return this.refuseShared(`${iface.path}.expectedIPs`);
    if (!pair) {
      if (ips.length === 0) return;
      const entryEnd = (): number => this.itemOf(node.interfacesSeq, node.interfacesPair, iface.index).end;
      return this.addPair(iface.map, entryEnd, 'expectedIPs', { ...ipsValue(ips, this.style), flow: this.style.flowIps || flowContext });
    }
    if (!seq) return this.fillEmpty(pair, ipsValue(ips, this.style), flowContext || this.style.flowIps);
    const sources = new Map<string, string>();
    const sorted = [...ips].sort(compareIps);
    if (seq.flow) {
      seq.items.forEach((item, i) => {
        const ip = iface.ips[i];
        if (isNode(item) && item.range && ip) sources.set(ip.text, this.src.text.slice(item.range[0], item.range[1]));
      });
      return this.replaceFlowList(seq, sorted.map((ip) => sources.get(ip.text) ?? scalarText(ip.text, this.style)));
    }
    const items = this.itemLines(seq, pair);
    if (sorted.length === 0) {
      this.replace(this.src.lineStart(items[0].lead), this.src.lineStart(items[items.length - 1].end + 1), '');
      const colon = this.colon(pair);
      return this.replace(colon + 1, colon + 1, ' []');
    }
    // Kept addresses keep their lines, comments included; the list comes out sorted.
    items.forEach((item, i) => {
      const ip = iface.ips[i];
      let chunk = this.src.text.slice(this.src.lineStart(item.lead), this.src.lineStart(item.end + 1));
      if (!chunk.endsWith('\n')) chunk += this.src.eol;
      if (ip) sources.set(ip.text, chunk);
    });
    const text = sorted.map((ip) => sources.get(ip.text) ?? `${spaces(items[0].col)}- ${scalarText(ip.text, this.style)}${this.src.eol}`).join('');
    this.replace(this.src.lineStart(items[0].lead), this.src.lineStart(items[items.length - 1].end + 1), text);
  }

  /** Rewrites a flow list's items, keeping the user's spacing (`[a, b]`, `[ a,b ]`) when on one line. */
  private replaceFlowList(seq: YAMLSeq, texts: readonly string[]): void {
    const range = seq.range;
    if (!range) throw new Error('importNodes: a flow list has no position');
    const text = this.src.text;
    const ranges = seq.items.flatMap((item) => (isNode(item) && item.range ? [item.range] : []));
    const inner = text.slice(range[0] + 1, range[1] - 1);
    let open = '';
    let close = '';
    let separator = ', ';
    if (!inner.includes('\n') && ranges.length > 0) {
      const lead = text.slice(range[0] + 1, ranges[0][0]);
      const trail = text.slice(ranges[ranges.length - 1][1], range[1] - 1);
      if (/^ *$/.test(lead) && /^ *$/.test(trail)) [open, close] = [lead, trail];
      const between = ranges.length > 1 ? text.slice(ranges[0][1], ranges[1][0]) : '';
      if (/^ *, *$/.test(between)) separator = between;
    }
    this.replace(range[0], range[1], texts.length === 0 ? '[]' : `[${open}${texts.join(separator)}${close}]`);
  }

  /** Appends an item to a non-empty list, after its last item and in the same style. */
  private appendItem(seq: YAMLSeq, pair: Pair, value: Value): void {
    if (seq.flow) {
      const last = seq.items[seq.items.length - 1];
      if (!isNode(last) || !last.range) throw new Error('importNodes: a flow list item has no position');
      this.replace(last.range[1], last.range[1], `, ${flowText(value)}`);
      return;
    }
    const items = this.itemLines(seq, pair);
    const k = items.length - 1;
    const lastItem = seq.items[k];
    const lines = isMap(lastItem) && lastItem.flow ? [`${spaces(items[k].col)}- ${flowText(value)}`] : itemLines(value, items[k].col, this.mapIndentOf(seq, k, items[k]), this.style);
    this.insertLines(items[k].end + 1, lines);
  }

  /** Gives a key that has no value (`nodes:`, `nodes: []`, `expectedIPs: ~`) its list. */
  private fillEmpty(pair: Pair, list: Value & { kind: 'seq' }, flow: boolean): void {
    const colon = this.colon(pair);
    const value = pair.value;
    const range = isNode(value) ? value.range : undefined;
    const end = range && range[1] > range[0] ? range[1] : colon + 1;
    if (flow || list.items.length === 0) {
      this.replace(colon + 1, end, ` ${flowText(list)}`);
      return;
    }
    if (end > colon + 1) this.replace(colon + 1, end, '');
    const keyCol = isScalar(pair.key) && pair.key.range ? this.src.columnOf(pair.key.range[0]) : 0;
    this.insertLines(this.src.lineOf(end > colon + 1 ? end - 1 : colon) + 1, blockItems(list, keyCol, this.style));
  }

  /** Adds `key: value` to a mapping: a line after the entry that holds it, or `, key: value` in `{...}`. */
  private addPair(map: YAMLMap, entryEnd: () => number, key: string, value: Value): void {
    const last = map.items[map.items.length - 1];
    if (map.flow) {
      const end = last && isNode(last.value) && last.value.range ? last.value.range[1] : isScalar(last?.key) && last.key.range ? last.key.range[1] : undefined;
      if (end === undefined) throw new Error('importNodes: a flow mapping has no position');
      this.replace(end, end, `, ${key}: ${flowText(value)}`);
      return;
    }
    const firstKey = map.items[0]?.key;
    if (!isScalar(firstKey) || !firstKey.range) throw new Error('importNodes: a block mapping has no position');
    const keyCol = this.src.columnOf(firstKey.range[0]);
    this.insertLines(entryEnd() + 1, pairLines(key, value, spaces(keyCol), keyCol, this.style));
  }

  /** Adds `nodes:` to spec, after calicoVersion, approach or calicoNamespace (or last). */
  private addNodesPair(specMap: YAMLMap, list: Value): void {
    if (specMap.flow) {
      this.problems.push({ message: 'spec is written as a flow mapping ({…}); calico-shield adds nodes only to a block mapping', hint: 'write one "key: value" line per field of spec', path: 'spec' });
      return;
    }
    const before = specMap.items.filter((p) => isScalar(p.key) && ['calicoVersion', 'approach', 'calicoNamespace'].includes(String(p.key.value)));
    const after = before[before.length - 1] ?? specMap.items[specMap.items.length - 1];
    this.addPair(specMap, () => this.pairEnd(after), 'nodes', list);
  }

  /** Deletes the items' lines with their comments, and one side of the blank lines around them. */
  private deleteItems(items: readonly ItemLines[], removed: ReadonlySet<number>): void {
    const lines = new Set<number>();
    items.forEach((item, k) => {
      if (!removed.has(k)) return;
      for (let l = item.lead; l <= item.end; l++) lines.add(l);
      if (k < items.length - 1) {
        for (let l = item.end + 1; l < items[k + 1].lead && this.src.isBlank(l); l++) lines.add(l);
      } else {
        const floor = k > 0 ? items[k - 1].end : -1;
        for (let l = item.lead - 1; l > floor && this.src.isBlank(l); l--) lines.add(l);
      }
    });
    const sorted = [...lines].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
      this.replace(this.src.lineStart(sorted[i]), this.src.lineStart(sorted[j] + 1), '');
      i = j + 1;
    }
  }

  /** The lines of each item of a block list that is the value of `pair`. */
  private itemLines(seq: YAMLSeq, pair: Pair): ItemLines[] {
    const known = this.lists.get(seq);
    if (known) return known;
    let floor = this.src.lineOf(this.colon(pair)) + 1;
    const items = dashOffsets(seq).map((offset) => {
      const dashLine = this.src.lineOf(offset);
      const col = this.src.columnOf(offset);
      const item = { col, lead: this.src.leadStart(dashLine, floor), end: this.src.entryEnd(dashLine, col, 'item') };
      floor = item.end + 1;
      return item;
    });
    this.lists.set(seq, items);
    return items;
  }

  /** The lines of one item of a block list. */
  private itemOf(seq: YAMLSeq | undefined, pair: Pair | undefined, index: number): ItemLines {
    if (!seq || !pair) throw new Error('importNodes: a block mapping is not in a block list');
    return this.itemLines(seq, pair)[index];
  }

  /** Columns from an item's `-` to its keys, or the spec's usual indentation. */
  private mapIndentOf(seq: YAMLSeq, index: number, item: ItemLines): number {
    const value = seq.items[index];
    const key = isMap(value) && !value.flow ? value.items[0]?.key : undefined;
    return isScalar(key) && key.range ? this.src.columnOf(key.range[0]) - item.col : this.style.mapIndent;
  }

  /** The last line of a block mapping's pair. */
  private pairEnd(pair: Pair): number {
    if (!isScalar(pair.key) || !pair.key.range) throw new Error('importNodes: a mapping key has no position');
    const line = this.src.lineOf(pair.key.range[0]);
    return this.src.entryEnd(line, this.src.columnOf(pair.key.range[0]), 'pair');
  }

  /** Offset of the `:` between a key and its value. */
  private colon(pair: Pair): number {
    const sep = pair.srcToken?.sep?.find((t) => t.type === 'map-value-ind');
    if (!sep) throw new Error('importNodes: a mapping pair has no ":"');
    return sep.offset;
  }

  private refuseShared(path: string): void {
    this.problems.push({
      message: `${path} is shared through a YAML anchor or alias; calico-shield does not edit shared values, as the change would reach every place that uses them`,
      hint: 'write the value out in full here',
      path,
    });
  }

  private replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text });
  }

  /** Inserts whole lines before `line` (at the end of the text after the last). */
  private insertLines(line: number, lines: readonly string[]): void {
    const at = this.src.lineStart(line);
    const { text, eol } = this.src;
    const needsBreak = at === text.length && text.length > 0 && !text.endsWith('\n');
    this.replace(at, at, `${needsBreak ? eol : ''}${lines.map((l) => l + eol).join('')}`);
  }
}
