/**
 * The `calico-shield` command. It holds no logic of its own: it reads specs, runs the
 * pipeline and writes or compares dist/. Takes argv and output streams as arguments, so
 * tests call it directly; bin/calico-shield.js is a one-line shim that calls main().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { parse, parseAllDocuments } from 'yaml';
import { CalicoObject } from './calico/object';
import { diffTrees } from './gitops/diff';
import { findClusterSpec, loadClusters } from './clusters';
import { DEPLOY_REPO_FILE, DeployRepo, parseDeployRepo, renderDeploy } from './gitops/deploy';
import { ClusterOutput, OutputFile, writeDist, writeFileAtomically } from './gitops/writer';
import { readStdin } from './io/input';
import { NODES_USAGE, runNodes } from './nodes-command';
import { ClusterResult, compileCluster } from './pipeline';
import { formatFinding, hasErrors } from './spec/errors';
import { planCluster } from './plan/plan';
import { parseClusterSpec } from './spec/parse';
import { explain, ExplainContext, formatExplanation, formatQueryError } from './verify/explain';
import { GENERATOR_NAME, GENERATOR_VERSION } from './version';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Folder that relative paths start from. */
  readonly cwd: string;
  /** Standard input when something is piped in (nodes import); undefined for a terminal. */
  readonly stdin?: () => string | undefined;
}

const USAGE = `usage: calico-shield <command> [options]

commands:
  synth     compile every clusters/<name>.yaml into dist/<name>/ (atomically; nothing is written on error)
  check     compile in memory and compare with dist/; exit 1 with a diff when dist/ is stale or hand-edited
  nodes import --cluster NAME [--file nodes.json]
            add or update spec.nodes from \`kubectl get nodes -o json\` (see below)
  explain   --cluster NAME "<source> -> <destination>:<port>[/<protocol>]"
            can the source reach the port? Evaluated on the objects of dist/<cluster>/;
            exit 0 allowed, 3 denied, 2 bad query

options:
  --clusters DIR   folder of cluster specs (default: clusters)
  --out DIR        output folder (default: dist)
  --cluster NAME   the cluster whose dist/<cluster>/ explain reads
  --help           this text
  --version        the version of calico-shield

explain peers (docs/verification.md):
  pod <namespace>[/<name>][{key=value,...}] [on <node>] [ip <address>]
  host <node>[/<interface>] [ip <address>]
  ip <address>     an address Calico knows nothing about; an IPv6 address before :port in [brackets]
  protocol: TCP (default), UDP or SCTP. For example:
  calico-shield explain --cluster example "pod monitoring/prometheus{calico-prometheus-access=true} -> host kubeadm-master:9091/TCP"
  calico-shield explain --cluster example "ip 172.15.0.7 -> host kubeadm-master/eth0:9091/TCP"
  calico-shield explain --cluster allow-list-etcd "host kubeadm-node-0 -> host kubeadm-master:2379/TCP"

deploy/: when ${DEPLOY_REPO_FILE} exists beside the cluster folder, synth also renders the Argo CD and Flux manifests of
deploy/argocd/ and deploy/flux/ from it, and check compares them too.

${NODES_USAGE}`;

interface Options {
  readonly command: string;
  readonly clusters: string;
  readonly out: string;
  /** explain: the cluster and the query. */
  readonly cluster?: string;
  readonly query?: string;
}

/** Exit codes: 0 success (explain: allowed), 1 findings or drift, 2 usage (explain: bad query), 3 explain: denied. */
export function run(argv: readonly string[], io: CliIo): number {
  if (argv[0] === 'nodes') return runNodes(argv.slice(1), io);
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.stderr(`${parsed}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (parsed.command === 'version') {
    io.stdout(`${GENERATOR_NAME} ${GENERATOR_VERSION}\n`);
    return 0;
  }
  if (parsed.command === 'explain') return explainCommand(parsed, io);
  const clustersDir = path.resolve(io.cwd, parsed.clusters);
  const outDir = path.resolve(io.cwd, parsed.out);
  const loaded = loadClusters(clustersDir, io.cwd);
  if (typeof loaded === 'string') {
    io.stderr(`error: ${loaded}\n`);
    return 1;
  }
  const betweenStages = garbageCollector();
  const results = loaded.map((input) => compileCluster(input, { betweenStages }));
  const findings = results.flatMap((r) => r.findings);
  for (const f of findings) io.stderr(`${formatFinding(f)}\n`);
  if (parsed.command === 'synth') for (const w of results.flatMap((r) => r.warnings ?? [])) io.stderr(`${formatFinding(w)}\n`);
  if (hasErrors(findings)) {
    const n = findings.filter((f) => f.severity === 'error').length;
    io.stderr(`\n${n} error${n === 1 ? '' : 's'}; nothing was written to ${path.relative(io.cwd, outDir) || '.'}/\n`);
    return 1;
  }
  const outputs = results.map(toOutput);
  // deploy/ belongs to the repository that holds the cluster folder: a synth of specs kept
  // elsewhere (--clusters) never rewrites this repository's manifests.
  const deployRoot = path.join(path.dirname(clustersDir), path.dirname(DEPLOY_REPO_FILE));
  const deploy = loadDeploy(deployRoot, io);
  if (typeof deploy === 'number') return deploy;
  const deployFiles = deploy ? renderDeploy(outputs.map((o) => o.cluster), deploy) : [];
  if (parsed.command === 'synth') {
    const report = writeDist(outDir, outputs, { prune: true });
    for (const c of report.written) io.stdout(`wrote   ${rel(io.cwd, outDir, c)}/\n`);
    for (const c of report.unchanged) io.stdout(`same    ${rel(io.cwd, outDir, c)}/\n`);
    for (const c of report.removed) io.stdout(`removed ${rel(io.cwd, outDir, c)}/ (its spec is gone)\n`);
    if (deploy) writeDeploy(deployRoot, deployFiles, io);
    return 0;
  }
  return Math.max(check(outDir, outputs, io), deploy ? checkDeploy(deployRoot, deployFiles, io) : 0);
}

/** The calico-shield process (bin/calico-shield.js): run with the real streams, exit code set. */
export function main(): void {
  process.exitCode = run(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    stdin: () => readStdin(0),
  });
}

/**
 * A full garbage collection, for between the pipeline's stages. V8 collects lazily, so the
 * YAML tree of a 10,000-node spec (200 MB, dead once parsed) would otherwise still be in
 * memory while the charts and the verification build theirs. Node exposes gc() only behind
 * --expose-gc, which can be set at run time.
 */
function garbageCollector(): (() => void) | undefined {
  v8.setFlagsFromString('--expose-gc');
  const gc: unknown = vm.runInNewContext('gc');
  return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
}

/** The deploy/ settings; undefined when the repository has none; 1 after printing its errors. */
function loadDeploy(root: string, io: CliIo): DeployRepo | undefined | number {
  const file = path.join(root, path.basename(DEPLOY_REPO_FILE));
  if (!fs.existsSync(file)) return undefined;
  const { repo, findings } = parseDeployRepo(path.relative(io.cwd, file) || file, fs.readFileSync(file, 'utf8'));
  for (const f of findings) io.stderr(`${formatFinding(f)}\n`);
  if (!repo || hasErrors(findings)) {
    io.stderr('\nnothing was written\n');
    return 1;
  }
  return repo;
}

/** The rendered manifests' folders under deploy/; everything else there (README, settings) is the user's. */
const DEPLOY_FOLDERS = ['argocd', 'flux'];

function deployedFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of DEPLOY_FOLDERS) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const f of listFiles(dir)) if (f.endsWith('.yaml')) files.set(`${folder}/${f}`, fs.readFileSync(path.join(dir, f), 'utf8'));
  }
  return files;
}

function writeDeploy(root: string, files: readonly OutputFile[], io: CliIo): void {
  const label = (p: string): string => path.relative(io.cwd, path.join(root, p));
  const current = deployedFiles(root);
  for (const f of files) {
    if (current.get(f.path) === f.content) continue;
    writeFileAtomically(path.join(root, f.path), f.content);
    io.stdout(`wrote   ${label(f.path)}\n`);
  }
  const wanted = new Set(files.map((f) => f.path));
  for (const p of [...current.keys()].filter((p) => !wanted.has(p))) {
    fs.rmSync(path.join(root, p));
    io.stdout(`removed ${label(p)} (its cluster is gone)\n`);
  }
}

function checkDeploy(root: string, files: readonly OutputFile[], io: CliIo): number {
  const label = path.relative(io.cwd, root) || '.';
  const diff = diffTrees(new Map(files.map((f) => [f.path, f.content])), deployedFiles(root));
  if (diff.changed.length + diff.added.length + diff.missing.length === 0) {
    io.stdout(`${label}/ is up to date\n`);
    return 0;
  }
  io.stdout(diff.text);
  io.stderr(`${label}/ differs from what ${DEPLOY_REPO_FILE} and the specs render to: run 'npm run synth' and commit ${label}/\n`);
  return 1;
}

function parseArgs(argv: readonly string[]): Options | string {
  let command: string | undefined;
  let clusters = 'clusters';
  let out = 'dist';
  let cluster: string | undefined;
  let query: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { command: 'help', clusters, out };
    if (a === '--version') return { command: 'version', clusters, out };
    if (a === '--clusters' || a === '--out' || a === '--cluster') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return `${a} needs ${a === '--cluster' ? 'a cluster name' : 'a folder'}`;
      if (a === '--clusters') clusters = v;
      else if (a === '--out') out = v;
      else cluster = v;
    } else if (a.startsWith('-')) return `unknown option ${a}`;
    else if (command === undefined) command = a;
    else if (command === 'explain' && query === undefined) query = a;
    else return `unexpected argument ${a}`;
  }
  if (command === undefined) return 'missing command';
  if (!['synth', 'check', 'explain'].includes(command)) return `unknown command ${command}`;
  if (command === 'explain' && (cluster === undefined || query === undefined)) return 'explain needs --cluster NAME and a query in quotes';
  if (command !== 'explain' && cluster !== undefined) return '--cluster is an option of explain';
  return { command, clusters, out, ...(cluster !== undefined && { cluster }), ...(query !== undefined && { query }) };
}

/** explain: reads the objects of dist/<cluster>/ and answers the query. */
function explainCommand(o: Options, io: CliIo): number {
  const folder = path.resolve(io.cwd, o.out, o.cluster ?? '');
  const objects = readClusterObjects(folder);
  if (typeof objects === 'string') {
    io.stderr(`error: ${objects} in ${path.relative(io.cwd, folder) || folder}/: run calico-shield synth first\n`);
    return 1;
  }
  const result = explain(objects, o.query ?? '', explainContext(path.resolve(io.cwd, o.clusters), o.cluster ?? '', io));
  if (!result.ok) {
    io.stderr(formatQueryError(o.query ?? '', result.error));
    return 2;
  }
  io.stdout(formatExplanation(result.explanation));
  return result.explanation.verdict.allowed ? 0 : 3;
}

/**
 * The spec's failsafe lists and automatic host endpoint nodes for explain, when the cluster's
 * spec is at hand and valid; otherwise Calico's defaults and no automatic host endpoints (said).
 */
function explainContext(clustersDir: string, cluster: string, io: CliIo): ExplainContext {
  const file = findClusterSpec(clustersDir, cluster);
  const spec = file ? parseClusterSpec(path.relative(io.cwd, file), cluster, fs.readFileSync(file)).spec : undefined;
  if (!spec) {
    io.stderr(`note: no valid spec for ${cluster} in ${path.relative(io.cwd, clustersDir) || '.'}/: explaining with Calico's default failsafe ports and no automatic host endpoints\n`);
    return {};
  }
  const nodes = planCluster(spec).autoHostEndpoints?.nodes;
  return { failsafeDefaults: spec.failsafe, ...(nodes ? { nodes } : {}) };
}

/** The objects Argo CD and Flux would apply: the files the kustomizations list, from the folder's own. */
function readClusterObjects(folder: string): CalicoObject[] | string {
  const kustomization = path.join(folder, 'kustomization.yaml');
  let resources: unknown;
  try {
    resources = (parse(fs.readFileSync(kustomization, 'utf8')) as { resources?: unknown } | null)?.resources;
  } catch {
    return 'cannot read kustomization.yaml';
  }
  if (!Array.isArray(resources)) return 'kustomization.yaml lists no resources';
  const objects: CalicoObject[] = [];
  for (const r of resources) {
    const target = path.join(folder, String(r));
    const stat = fs.statSync(target, { throwIfNoEntry: false });
    if (stat === undefined) return `${r} is listed in kustomization.yaml but missing`;
    if (stat.isDirectory()) {
      const nested = readClusterObjects(target);
      if (typeof nested === 'string') return `${r}/: ${nested}`;
      objects.push(...nested);
    } else {
      for (const doc of parseAllDocuments(fs.readFileSync(target, 'utf8'))) {
        if (doc.errors.length > 0) return `${r} is not valid YAML: ${doc.errors[0]?.message ?? ''}`;
        const o = doc.toJS() as CalicoObject | null;
        if (o !== null) objects.push(o);
      }
    }
  }
  return objects;
}

function toOutput(r: ClusterResult): ClusterOutput {
  if (!r.files) throw new Error(`cluster ${r.name} has no output`);
  return { cluster: r.name, files: r.files };
}

function check(outDir: string, outputs: readonly ClusterOutput[], io: CliIo): number {
  const expected = new Map<string, string>();
  for (const o of outputs) for (const f of o.files) expected.set(`${o.cluster}/${f.path}`, f.content);
  const actual = new Map<string, string>();
  const clusters = new Set(outputs.map((o) => o.cluster));
  if (fs.existsSync(outDir)) {
    for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
      // Every visible folder counts: Argo CD's ApplicationSet makes an Application of each.
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      for (const file of listFiles(path.join(outDir, entry.name))) {
        actual.set(`${entry.name}/${file}`, fs.readFileSync(path.join(outDir, entry.name, file), 'utf8'));
      }
    }
  }
  const diff = diffTrees(expected, actual);
  const label = path.relative(io.cwd, outDir) || '.';
  if (diff.changed.length + diff.added.length + diff.missing.length === 0) {
    io.stdout(`${label}/ is up to date (${clusters.size} cluster${clusters.size === 1 ? '' : 's'})\n`);
    return 0;
  }
  io.stdout(diff.text);
  const describe = (kind: string, list: readonly string[]): string[] => list.map((p) => `  ${kind} ${label}/${p}`);
  io.stderr(
    [
      `${label}/ differs from what the specs compile to:`,
      ...describe('changed', diff.changed),
      ...describe('missing', diff.missing),
      ...describe('extra  ', diff.added),
      `run 'npm run synth' and commit ${label}/ (hand edits to ${label}/ are overwritten: change clusters/ instead)`,
    ].join('\n') + '\n',
  );
  return 1;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

function rel(cwd: string, outDir: string, cluster: string): string {
  return path.relative(cwd, path.join(outDir, cluster));
}
