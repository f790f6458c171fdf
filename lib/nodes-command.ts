/**
 * `calico-shield nodes import`: reads `kubectl get nodes -o json` and updates spec.nodes of a
 * cluster spec. The edge of lib/inventory (which is pure): it reads and writes the files.
 */
import * as path from 'node:path';
import { parseCommandLine } from './args';
import { findClusterSpec, isClusterName, readSpec } from './clusters';
import { writeFileAtomically } from './gitops/writer';
import { readInputFile, STDIN_LABEL } from './io/input';
import { lockFolder } from './io/lock';
import { DEFAULT_IMPORTED_LABELS, importNodes, selectsLabel } from './inventory/import-nodes';
import { checkLabelKey } from './calico/validate';
import { InventoryProblem, parseNodeInventory } from './inventory/parse-node-inventory';
import { Finding, formatFinding, hasErrors } from './spec/errors';
import { parseClusterSpec, refusedNodeLabel } from './spec/parse';

export interface NodesIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** Standard input when something is piped in; undefined for a terminal. */
  /** Standard input, at most `max` bytes (calico-shield's file bound by default); undefined on a terminal. */
  readonly stdin?: (max?: number) => string | undefined;
  /** Called with `locked` once clusters/ is locked (see CliIo.onStep). */
  readonly onStep?: (step: string) => void;
}

export const NODES_USAGE = `usage: calico-shield nodes import --cluster NAME [--file nodes.json] [--interface eth0|'*'] [--external] [--prune] [--labels KEYS] [--clusters DIR]

  reads \`kubectl get nodes -o json\` (from --file, or stdin) and adds or updates spec.nodes of clusters/NAME.yaml:
  --interface NAME  the interface whose expectedIPs get each node's addresses (default: eth0; '*' for all interfaces)
  --external        add the nodes' ExternalIP addresses too (default: InternalIP only)
  --prune           remove the nodes the inventory no longer lists (default: report them only)
  --labels KEYS     the node labels to keep in spec.nodes[].labels, comma-separated keys or prefixes
                    ending in * (default: node-role.kubernetes.io/*,topology.kubernetes.io/*, the roles
                    the presets and nodeSelector pick nodes by, and the topology; none for none)
`;

interface NodesImportArgs {
  readonly cluster: string;
  readonly file?: string;
  readonly interfaceName: string;
  readonly includeExternal: boolean;
  readonly prune: boolean;
  readonly clusters: string;
  /** The node labels to keep (keys, or prefixes ending in `*`); [] for none. */
  readonly labels: readonly string[];
}

function parseNodesArgs(argv: readonly string[]): NodesImportArgs | string {
  if (argv[0] !== 'import') return argv[0] === undefined ? 'missing subcommand: nodes import' : `unknown subcommand nodes ${argv[0]}`;
  const parsed = parseCommandLine(
    argv.slice(1),
    {
      cluster: { type: 'string' },
      file: { type: 'string' },
      interface: { type: 'string' },
      clusters: { type: 'string' },
      labels: { type: 'string' },
      external: { type: 'boolean' },
      prune: { type: 'boolean' },
    },
    (option) => `${option} needs a value`,
  );
  if (typeof parsed === 'string') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 0) return `unexpected argument ${positionals[0]}`;
  let labels: readonly string[] = DEFAULT_IMPORTED_LABELS;
  if (values.labels !== undefined) {
    const keys = values.labels === 'none' ? [] : values.labels.split(',');
    const bad = keys.find((k) => checkLabelKey(k.endsWith('*') ? `${k.slice(0, -1)}x` : k) !== undefined);
    if (bad !== undefined) return `--labels ${values.labels}: ${JSON.stringify(bad)} is not a label key or a prefix of one ending in *`;
    labels = keys;
  }
  const { cluster, file } = values;
  if (cluster === undefined) return '--cluster is required';
  if (!isClusterName(cluster)) return `--cluster ${cluster}: a cluster name is a DNS-1123 label`;
  return {
    cluster,
    ...(file !== undefined ? { file } : {}),
    interfaceName: values.interface ?? 'eth0',
    includeExternal: values.external ?? false,
    prune: values.prune ?? false,
    clusters: values.clusters ?? 'clusters',
    labels,
  };
}

/**
 * Exit codes: 0 written or already up to date, 1 problems, 2 usage; failures to read or write a
 * file, and a cluster folder locked by another run, are thrown to lib/cli.ts's handler.
 */
export function runNodes(argv: readonly string[], io: NodesIo): number {
  const args = parseNodesArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`${args}\n\n${NODES_USAGE}`);
    return 2;
  }
  // The inventory first: a slow kubectl does not hold the lock.
  let inventoryText: string | undefined;
  let inventoryLabel: string;
  if (args.file !== undefined && args.file !== '-') {
    inventoryLabel = args.file;
    inventoryText = readInputFile(path.resolve(io.cwd, args.file));
  } else {
    inventoryLabel = STDIN_LABEL;
    inventoryText = io.stdin?.();
    if (inventoryText === undefined || inventoryText.trim() === '') {
      io.stderr(`nothing on stdin: run kubectl get nodes -o json | calico-shield nodes import …, or give --file\n\n${NODES_USAGE}`);
      return 2;
    }
  }
  const dir = path.resolve(io.cwd, args.clusters);
  const lock = lockFolder(dir, 'nodes import', { create: false, readOnly: false });
  try {
    io.onStep?.('locked');
    return importInto(dir, args, inventoryText, inventoryLabel, io);
  } finally {
    lock.release();
  }
}

function importInto(dir: string, args: NodesImportArgs, inventoryText: string, inventoryLabel: string, io: NodesIo): number {
  const specPath = findClusterSpec(dir, args.cluster);
  if (!specPath) {
    io.stderr(`error: no spec ${path.relative(io.cwd, path.join(dir, `${args.cluster}.yaml`))}: start from clusters/example.yaml\n`);
    return 1;
  }
  const specLabel = path.relative(io.cwd, specPath) || specPath;
  const input = readSpec(dir, specPath, args.cluster);
  const before = 'severity' in input ? { findings: [{ ...input, file: specLabel }] } : parseClusterSpec(specLabel, args.cluster, input.bytes);
  if ('severity' in input || hasErrors(before.findings)) {
    for (const f of before.findings) io.stderr(`${formatFinding(f)}\n`);
    io.stderr(`\nfix ${specLabel} before importing nodes; nothing was written\n`);
    return 1;
  }
  // Buffer.toString keeps a byte-order mark, so the untouched bytes stay untouched.
  const specText = Buffer.from(input.bytes).toString('utf8');
  const inventory = parseNodeInventory(inventoryText);
  if (!inventory.ok) return printProblems(io, inventoryLabel, inventory.problems);
  // Labels the spec may not hold (reserved, or that cdk8s cannot write) are left out, and said.
  const mode = before.spec?.hostEndpoints.mode ?? 'static';
  const left: string[] = [];
  const nodes = inventory.nodes.map((n) => {
    const refused = new Set<string>();
    for (const k of Object.keys(n.labels)) {
      const why = selectsLabel(args.labels, k) ? refusedNodeLabel(k, mode) : undefined;
      if (why === undefined) continue;
      refused.add(k);
      left.push(`left out label ${k} of ${n.name}: ${why}`);
    }
    return refused.size === 0 ? n : { ...n, labels: Object.fromEntries(Object.entries(n.labels).filter(([k]) => !refused.has(k))) };
  });
  const result = importNodes(specText, nodes, { interfaceName: args.interfaceName, includeExternal: args.includeExternal, prune: args.prune, labels: args.labels });
  if (!result.ok) return printProblems(io, specLabel, result.problems);
  const after = parseClusterSpec(specLabel, args.cluster, new TextEncoder().encode(result.text));
  if (hasErrors(after.findings)) {
    for (const f of after.findings) io.stderr(`${formatFinding(f)}\n`);
    io.stderr(`\nthe import would make ${specLabel} invalid; nothing was written (a bug in calico-shield: please report it)\n`);
    return 1;
  }
  const { report } = result;
  const addresses = args.includeExternal ? 'InternalIP or ExternalIP address' : 'InternalIP address';
  for (const line of left) io.stdout(`${line}\n`);
  for (const name of report.added) io.stdout(`added    ${name}\n`);
  for (const c of report.changed) io.stdout(`changed  ${c.name}: [${c.before.join(', ')}] → [${c.after.join(', ')}]\n`);
  for (const name of report.relabelled) io.stdout(`labels   ${name}\n`);
  for (const name of report.kept) io.stdout(`kept     ${name}: the inventory gives it no ${addresses}; its expectedIPs stay as they are\n`);
  for (const name of report.skipped) io.stdout(`skipped  ${name}: the inventory gives it no ${addresses}; not added\n`);
  for (const name of report.removed) io.stdout(`removed  ${name}\n`);
  for (const name of report.gone.filter((n) => !report.removed.includes(n))) io.stdout(`gone     ${name} (not in the inventory; kept, --prune removes it)\n`);
  io.stdout(`same     ${report.unchanged} node${report.unchanged === 1 ? '' : 's'}\n`);
  if (result.text === specText) {
    io.stdout(`${specLabel} is up to date\n`);
    return 0;
  }
  writeFileAtomically(specPath, result.text);
  io.stdout(`wrote    ${specLabel}\n`);
  return 0;
}

function printProblems(io: NodesIo, file: string, problems: readonly InventoryProblem[]): number {
  for (const p of problems) {
    const f: Finding = { severity: 'error', code: 'nodes-import', message: p.message, file, ...(p.hint ? { hint: p.hint } : {}), ...(p.path ? { field: p.path } : {}) };
    io.stderr(`${formatFinding(f)}\n`);
  }
  io.stderr(`\n${problems.length} error${problems.length === 1 ? '' : 's'}; nothing was written\n`);
  return 1;
}
