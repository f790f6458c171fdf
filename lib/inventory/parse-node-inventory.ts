/**
 * Node inventory: the output of `kubectl get nodes -o json` → the cluster's nodes, their
 * addresses and labels, checked by the rules calico-shield applies to spec.nodes.
 *
 * Pure: the caller reads the file or stdin. Bad input comes back as problems with the JSON
 * path of the value (`items[3].status.addresses[1].address`), all of them at once.
 */
import { compareIps, ParsedIp, parseIp } from '../calico/net';
import { checkNodeName, quote } from '../calico/validate';
import { Labels } from '../spec/types';

/** One Kubernetes Node as calico-shield imports it. */
export interface InventoryNode {
  /** metadata.name: the node name Calico writes in a HostEndpoint's `node` field. */
  readonly name: string;
  /** Canonical texts of the node's InternalIP addresses, IPv4 before IPv6. */
  readonly internalIPs: readonly string[];
  /** Canonical texts of the node's ExternalIP addresses, IPv4 before IPv6. */
  readonly externalIPs: readonly string[];
  readonly labels: Labels;
}

/** A reason an inventory or a spec cannot be imported: data, printed once by the CLI. */
export interface InventoryProblem {
  readonly message: string;
  readonly hint?: string;
  /** Where the value is, e.g. `items[3].status.addresses[1].address` or `spec.nodes[2].name`. */
  readonly path?: string;
}

export type InventoryResult =
  | { readonly ok: true; readonly nodes: readonly InventoryNode[] }
  | { readonly ok: false; readonly problems: readonly InventoryProblem[] };

const HOW = 'give the output of `kubectl get nodes -o json`';

type JsonObject = { readonly [key: string]: unknown };

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON value's type for messages: "an array", "null", "the string \"x\"". */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}

/**
 * Reads `kubectl get nodes -o json`: a v1 List of Nodes (or a NodeList, or one Node).
 *
 * InternalIP and ExternalIP addresses are kept, canonical and sorted; Hostname and DNS
 * entries are not addresses Calico matches, so they are skipped.
 */
export function parseNodeInventory(jsonText: string): InventoryResult {
  const fail = (problem: InventoryProblem): InventoryResult => ({ ok: false, problems: [problem] });
  const text = jsonText.startsWith('\uFEFF') ? jsonText.slice(1) : jsonText;
  if (text.trim() === '') return fail({ message: 'the node inventory is empty', hint: HOW });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const looksLikeYaml = /^(apiVersion|kind|items):/m.test(text);
    return fail({
      message: `the node inventory is not JSON: ${e instanceof Error ? e.message : String(e)}`,
      hint: looksLikeYaml ? 'this looks like YAML: run `kubectl get nodes -o json`, not `-o yaml`' : HOW,
    });
  }
  if (!isObject(data)) return fail({ message: `the node inventory is ${describe(data)}, not a Kubernetes object`, hint: HOW });

  let items: readonly unknown[];
  let prefix: (i: number) => string;
  if (data.kind === 'Node') {
    items = [data];
    prefix = () => '';
  } else if (data.kind === 'List' || data.kind === 'NodeList') {
    if (!Array.isArray(data.items)) {
      const found = data.items === undefined ? 'has no items' : `has items that are ${describe(data.items)}, not an array`;
      return fail({ message: `the ${data.kind} ${found}`, hint: HOW, path: 'items' });
    }
    items = data.items;
    prefix = (i) => `items[${i}].`;
  } else {
    const what = data.kind === undefined ? 'has no kind' : `is of kind ${typeof data.kind === 'string' ? quote(data.kind) : describe(data.kind)}`;
    return fail({ message: `the node inventory ${what}; calico-shield reads a List of Nodes`, hint: HOW, path: 'kind' });
  }
  if (items.length === 0) {
    return fail({
      message: 'the node inventory lists no nodes',
      hint: 'check that kubectl talks to the intended cluster: kubectl config current-context',
      path: 'items',
    });
  }

  const problems: InventoryProblem[] = [];
  const nodes: InventoryNode[] = [];
  const firstSeen = new Map<string, string>();
  items.forEach((item, i) => {
    const at = (path: string): string => `${prefix(i)}${path}`;
    const here = prefix(i).replace(/\.$/, '') || '(top level)';
    if (!isObject(item)) {
      problems.push({ message: `${here} is ${describe(item)}, not a Node`, path: here });
      return;
    }
    if (item.kind !== undefined && item.kind !== 'Node') {
      const kind = typeof item.kind === 'string' ? quote(item.kind) : describe(item.kind);
      problems.push({ message: `${here} is of kind ${kind}, not a Node`, hint: 'list nodes only: kubectl get nodes -o json', path: at('kind') });
      return;
    }
    const metadata = isObject(item.metadata) ? item.metadata : {};
    const name = readName(metadata.name, at('metadata.name'), problems);
    if (name !== undefined) {
      const first = firstSeen.get(name);
      if (first !== undefined) {
        problems.push({ message: `node ${quote(name)} is listed twice (first at ${first})`, hint: HOW, path: at('metadata.name') });
      } else firstSeen.set(name, here);
    }
    const labels = readLabels(metadata.labels, at('metadata.labels'), problems);
    const addresses = readAddresses(isObject(item.status) ? item.status.addresses : undefined, at('status.addresses'), problems);
    if (name !== undefined && labels !== undefined && addresses !== undefined) {
      nodes.push({ name, internalIPs: addresses.internal, externalIPs: addresses.external, labels });
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, nodes };
}

function readName(value: unknown, path: string, problems: InventoryProblem[]): string | undefined {
  if (typeof value !== 'string') {
    const found = value === undefined ? 'has no metadata.name' : `has the metadata.name ${describe(value)}, not a string`;
    problems.push({ message: `the node ${found}`, hint: HOW, path });
    return undefined;
  }
  const problem = checkNodeName(value);
  if (problem) {
    problems.push({ ...problem, path });
    return undefined;
  }
  return value;
}

function readLabels(value: unknown, path: string, problems: InventoryProblem[]): Labels | undefined {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push({ message: `the node's labels are ${describe(value)}, not an object`, hint: HOW, path });
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (typeof v !== 'string') {
      problems.push({ message: `the label ${quote(key)} has ${describe(v)} as value, not a string`, hint: HOW, path: `${path}[${JSON.stringify(key)}]` });
      return undefined;
    }
    labels[key] = v;
  }
  return labels;
}

function readAddresses(
  value: unknown,
  path: string,
  problems: InventoryProblem[],
): { internal: readonly string[]; external: readonly string[] } | undefined {
  if (value === undefined) return { internal: [], external: [] };
  if (!Array.isArray(value)) {
    problems.push({ message: `the node's addresses are ${describe(value)}, not an array`, hint: HOW, path });
    return undefined;
  }
  const internal = new Map<string, ParsedIp>();
  const external = new Map<string, ParsedIp>();
  let ok = true;
  value.forEach((entry: unknown, j) => {
    const at = `${path}[${j}]`;
    if (!isObject(entry)) {
      problems.push({ message: `the address entry is ${describe(entry)}, not an object`, hint: HOW, path: at });
      ok = false;
      return;
    }
    // Hostname, InternalDNS and ExternalDNS are names: Calico policy matches addresses only.
    const into = entry.type === 'InternalIP' ? internal : entry.type === 'ExternalIP' ? external : undefined;
    if (!into) return;
    if (typeof entry.address !== 'string') {
      problems.push({ message: `the ${entry.type} entry has the address ${describe(entry.address)}, not a string`, hint: HOW, path: `${at}.address` });
      ok = false;
      return;
    }
    const parsed = parseIp(entry.address);
    if (!parsed.ok) {
      problems.push({ ...parsed.problem, path: `${at}.address` });
      ok = false;
      return;
    }
    into.set(parsed.ip.text, parsed.ip);
  });
  if (!ok) return undefined;
  const sorted = (ips: ReadonlyMap<string, ParsedIp>): string[] => [...ips.values()].sort(compareIps).map((ip) => ip.text);
  return { internal: sorted(internal), external: sorted(external) };
}
