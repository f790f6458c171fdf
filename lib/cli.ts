/**
 * The `calico-shield` command. It holds no logic of its own: it reads specs, runs the
 * pipeline and writes or compares dist/. Takes argv and output streams as arguments, so
 * tests call it directly; bin/calico-shield.js is a one-line shim that calls main().
 *
 * One handler at the top turns every failure into one line (`error: <path>: <reason>` and a
 * hint) and a documented exit code, never a stack trace (--debug adds it).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { asCalicoObject, CalicoObject } from './calico/object';
import { escapeHiddenCharacters } from './calico/validate';
import { DEFAULT_CALICO, minorOfRelease } from './calico/versions';
import { findClusterSpec, isClusterName, loadClusters, readSpec } from './clusters';
import { DEPLOY_REPO_FILE, DeployRepo, parseDeployRepo, renderDeploy } from './gitops/deploy';
import { parseCommandLine } from './args';
import { accessChanges, accessChangesMarkdown } from './gitops/access-diff';
import { diffTrees } from './gitops/diff';
import { ClusterOutput, DeployOutput, LOCK_FILE, PARTIAL_WRITE_EXIT, PartialWriteError, readTree, renderedDeployFiles, textOf, writeOutputs } from './gitops/writer';
import { previousOutput, PreviousOutput, readLock } from './gitops/previous';
import { entryType, FILE_ERROR_EXIT, FileError, folderExists, isSystemError, normalizeLineEnds, readRegularFile, readRegularFileOrFail, refusal, systemError } from './io/files';
import { readStdin, STDIN_LABEL } from './io/input';
import { BUSY_EXIT, BusyError, FolderLock, lockFolder } from './io/lock';
import { initRepository } from './init';
import { NODES_USAGE, runNodes } from './nodes-command';
import { applyAcknowledge, ClusterResult, compileCluster } from './pipeline';
import { planCluster, ProtectionPlan } from './plan/plan';
import { ClusterSpec } from './spec/types';
import { Finding, FINDINGS_FORMATS, findingsGithub, findingsJson, FindingsFormat, formatFinding, hasErrors, sortFindings } from './spec/errors';
import { parseClusterSpec } from './spec/parse';
import { clusterEnvironment } from './verify/environment';
import { explain, ExplainContext, formatExplanation, formatQueryError } from './verify/explain';
import { ACCESS_REPORT_FILE, renderAccessReport } from './verify/report';
import { auditCluster, clusterUnion } from './verify/audit';
import { readDump, MAX_DUMP_BYTES, type Dump, type DumpSource } from './audit/dump';
import { GENERATOR_NAME, GENERATOR_VERSION } from './version';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Folder that relative paths start from. */
  readonly cwd: string;
  /** Standard input when something is piped in (nodes import); undefined for a terminal. */
  /** Standard input, at most `max` bytes (calico-shield's file bound by default); undefined on a terminal. */
  readonly stdin?: (max?: number) => string | undefined;
  /**
   * Called at each step of a run that writes: `locked` once the output folders are locked, then
   * the writer's steps (lib/gitops/writer.ts). Tests stop or kill the process there.
   *
   * @default - nothing
   */
  readonly onStep?: (step: string) => void;
  /** Where --format json writes its document; @default stdout */
  readonly findings?: (text: string) => void;
}

/** Exit code of a failure that is a bug in calico-shield (sysexits' EX_SOFTWARE). */
export const INTERNAL_ERROR_EXIT = 70;

const USAGE = `usage: calico-shield <command> [options]

commands:
  diff-access [BASE_REF]  who gains or loses access between BASE_REF's dist/ and the working tree's, as Markdown
  init      [DIR] create a GitOps repository that uses the calico-shield package (see calico-shield init --help)
  synth     compile every clusters/<name>.yaml into dist/<name>/ and render deploy/ (all or nothing: on any error nothing is written);
            a cluster whose spec is unchanged since the last synth (its calico-shield.lock says so) is not compiled again
            [--cluster NAME] compile that cluster only; the other clusters' folders stay as they are
            [--force]        compile every cluster
  check     compile in memory and compare with dist/ and deploy/; exit 1 with a diff when they are stale or hand-edited
  nodes import --cluster NAME [--file nodes.json]
            add or update spec.nodes from \`kubectl get nodes -o json\` (see below)
  explain   --cluster NAME [--spec] [--from DUMP] "<source> -> <destination>:<port>[/<protocol>]"
            can the source reach the port? Evaluated on the objects of dist/<cluster>/ (--spec: on
            what the spec compiles to now; with --from, the cluster's own too, as audit does);
            exit 0 allowed, 3 denied, 2 bad query
  audit     --cluster NAME --from DUMP
            evaluate the cluster's compiled objects together with the Calico objects the cluster
            already has (DUMP: the output of kubectl get … -o yaml or calicoctl get … -o yaml, a
            file, a folder of them, or - for standard input); see docs/audit.md

options:
  --clusters DIR   folder of cluster specs (default: clusters)
  --out DIR        output folder (default: dist)
  --cluster NAME   the cluster synth compiles, or whose dist/<cluster>/ explain and audit read
  --format FORMAT  synth, check: findings as text (default), json or github (annotations)
  --debug          print the stack trace of a failure
  --help           this text; <command> --help or help <command>: that command's
  --version        the version of calico-shield

exit codes:
  0  done (explain: allowed)
  1  errors in the specs, or dist/ or deploy/ differ from the specs (check)
  2  bad usage (explain: bad query)
  3  explain: denied
  ${FILE_ERROR_EXIT}  a file or folder cannot or may not be read or written (a link, a pipe, a file calico-shield did not write, a full disk…); nothing was changed
  ${BUSY_EXIT}  another calico-shield run holds the output folder; nothing was changed
  ${PARTIAL_WRITE_EXIT}  the run failed part-way and could not put back what it had replaced (the message names it); the next synth puts it back
  ${INTERNAL_ERROR_EXIT} a bug in calico-shield

Runs at the same time: synth, check and nodes import lock the folder they write or compare
(dist/, deploy/, clusters/) and fail at once, naming the other run, when it is locked.

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
  /** explain, audit: the cluster; explain: the query. */
  readonly cluster?: string;
  readonly query?: string;
  /** audit, explain: the dump of the cluster's Calico objects. */
  readonly from?: string;
  /** synth: compile every cluster, also those whose spec is unchanged since the last synth. */
  readonly force?: boolean;
  /** explain: evaluate the objects the spec compiles to now, not dist/. */
  readonly spec?: boolean;
  /** synth, check: how findings are printed. */
  readonly format: FindingsFormat;
}

/**
 * Runs one command. Exit codes: 0 success (explain: allowed), 1 findings or drift, 2 usage
 * (explain: bad query), 3 explain: denied, 4 a file error, 5 busy, 6 a partial write, 70 a bug.
 * Everything printed has its control and bidirectional characters escaped.
 */
export function run(argv: readonly string[], io: CliIo): number {
  const debug = argv.includes('--debug');
  const out: CliIo = { ...io, stdout: (t) => io.stdout(escapeHiddenCharacters(t)), stderr: (t) => io.stderr(escapeHiddenCharacters(t)) };
  try {
    return dispatch(
      argv.filter((a) => a !== '--debug'),
      out,
    );
  } catch (e) {
    return reportFailure(e, out, debug);
  }
}

/** The calico-shield process (bin/calico-shield.js): run with the real streams, exit code set. */
export function main(): void {
  // A reader that went away (calico-shield check | head) ends the run quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? (typeof process.exitCode === 'number' ? process.exitCode : 0) : FILE_ERROR_EXIT));
  }
  // For tests that stop (and then kill or continue) a run at a chosen step: see CliIo.onStep.
  const stopAt = process.env.CALICO_SHIELD_STOP_AT;
  const onStep = (step: string): void => {
    if (step !== stopAt) return;
    fs.writeSync(2, `calico-shield: stopped at ${step} (pid ${process.pid})\n`);
    process.kill(process.pid, 'SIGSTOP');
  };
  process.exitCode = run(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    stdin: (max) => readStdin(0, max),
    ...(stopAt ? { onStep } : {}),
  });
  // Everything printed is with the operating system: exit now, and Node does not free a large
  // compile's heap page by page first (30-40 ms of a 5,000-node synth, BENCHMARKS.md). A pipe
  // that was full keeps the rest in its stream, and a write that failed (a full disk) is
  // reported by the stream's 'error' event on the next tick, as exit 4: then the process ends
  // as usual, once they are done.
  if ([process.stdout, process.stderr].every((s) => s.writableLength === 0 && !s.errored)) process.exit();
}

/** `calico-shield <command> --help` and `calico-shield help <command>`. */
const COMMAND_HELP: Readonly<Record<string, string>> = {
  synth: `usage: calico-shield synth [--clusters DIR] [--out DIR] [--cluster NAME] [--force] [--format text|json|github]

Compiles every clusters/<name>.yaml into dist/<name>/ and, when deploy/repository.yaml exists,
renders deploy/argocd/ and deploy/flux/. All or nothing: on any error nothing is written.
A cluster whose folder's calico-shield.lock says it was written for the same spec by this
calico-shield is not compiled again.

  --cluster NAME   compile that cluster only; every other folder stays as it is
  --force          compile every cluster
  --format FORMAT  how findings are printed: text (default, on stderr), json (one document
                   {"findings": [...]} on stdout; everything else on stderr) or github
                   (GitHub Actions annotations on stdout)
  --clusters DIR   folder of cluster specs (default: clusters)
  --out DIR        output folder (default: dist)
`,
  check: `usage: calico-shield check [--clusters DIR] [--out DIR] [--format text|json|github]

Compiles every spec in memory and compares with dist/ and deploy/: exit 0 when they are what
synth would write, exit 1 with a diff ("committed" against "synth would write") when not.
`,
  explain: `usage: calico-shield explain --cluster NAME [--spec] [--from DUMP] "<source> -> <destination>:<port>[/<protocol>]"

Can the source reach the port? Evaluated on the objects of dist/<cluster>/ or, with --spec, on
the objects clusters/<cluster>.yaml compiles to now (also when synth refused to write them);
with --from, with the cluster's own Calico objects too. Exit 0 allowed, 3 denied, 2 bad query. Peers:
  pod <namespace>[/<name>][{key=value,...}] [on <node>] [ip <address>]
  host <node>[/<interface>] [ip <address>]
  ip <address>
`,
  audit: `usage: calico-shield audit --cluster NAME --from DUMP

Evaluates dist/<cluster>/ together with the Calico objects the cluster already has (DUMP: the
output of kubectl get … -o yaml or calicoctl get … -o yaml, a file, a folder of them, or - for
standard input); see docs/audit.md.
`,
  init: `usage: calico-shield init [DIR]

Creates a GitOps repository in DIR (default: the current folder) that uses the calico-shield
package: clusters/example.yaml, deploy/repository.yaml, a cdk8s main.ts and cdk8s.yaml, a test
of the clusters, a CI workflow, a README, and an npm script per step in package.json (created,
or its missing scripts added). It overwrites nothing: an existing file stops it before it writes.
`,
  'diff-access': `usage: calico-shield diff-access [BASE_REF] [--out DIR]

Prints, as Markdown for a pull request comment, who gains or loses access to each protected
server between the dist/ of BASE_REF (default HEAD, the last commit) and the dist/ of the
working tree: the access matrices of every cluster's ACCESS.md compared cell by cell. Run it
after synth, with the pull request's base (origin/main) in CI. Exit 0; 4 when git cannot read
BASE_REF.
`,
  nodes: NODES_USAGE,
};

function dispatch(argv: readonly string[], io: CliIo): number {
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (argv[0] === 'help' && argv.length <= 2) {
    const topic = argv[1];
    if (topic === undefined) {
      io.stdout(USAGE);
      return 0;
    }
    const text = COMMAND_HELP[topic];
    if (text === undefined) {
      io.stderr(`unknown command ${topic}\n\n${USAGE}`);
      return 2;
    }
    io.stdout(text);
    return 0;
  }
  const commandHelp = argv[0] === undefined ? undefined : COMMAND_HELP[argv[0]];
  if (wantsHelp && commandHelp !== undefined) {
    io.stdout(commandHelp);
    return 0;
  }
  if (argv[0] === 'nodes') return runNodes(argv.slice(1), io);
  if (argv[0] === 'init') return initCommand(argv.slice(1), io);
  if (argv[0] === 'diff-access') return diffAccessCommand(argv.slice(1), io);
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
  if (parsed.command === 'audit') return auditCommand(parsed, io);
  const clustersDir = path.resolve(io.cwd, parsed.clusters);
  const outDir = path.resolve(io.cwd, parsed.out);
  // deploy/ belongs to the repository that holds the cluster folder: a synth of specs kept
  // elsewhere (--clusters) never rewrites this repository's manifests.
  const deployRoot = path.join(path.dirname(clustersDir), path.dirname(DEPLOY_REPO_FILE));
  const synth = parsed.command === 'synth';
  // With --format json, stdout holds the JSON document only: what else the run prints goes to stderr.
  if (parsed.format === 'json') io = { ...io, stdout: io.stderr, findings: io.stdout };
  const locks = lockOutputs(outDir, deployRoot, synth ? 'synth' : 'check');
  try {
    io.onStep?.('locked');
    const compiled = compileAll(clustersDir, outDir, deployRoot, synth, io, parsed);
    if (typeof compiled === 'number') return compiled;
    return synth ? writeAll(outDir, compiled, io, parsed.cluster === undefined) : Math.max(check(outDir, compiled.outputs, io), compiled.deploy ? checkDeploy(compiled.deploy, io) : 0);
  } finally {
    for (const lock of locks.reverse()) lock.release();
  }
}

/** Locks dist/ and, when the repository renders deploy/, deploy/: synth creates dist/; check reads a read-only checkout unlocked. */
function lockOutputs(outDir: string, deployRoot: string, command: 'synth' | 'check'): FolderLock[] {
  const options = { create: command === 'synth', readOnly: command === 'check' };
  const locks = [lockFolder(outDir, command, options)];
  try {
    if (entryType(path.join(deployRoot, path.basename(DEPLOY_REPO_FILE))) !== 'missing') locks.push(lockFolder(deployRoot, command, { ...options, create: false }));
  } catch (e) {
    locks[0]?.release();
    throw e;
  }
  return locks;
}

/** Prints a failure as one line and a hint (the stack too with --debug); returns its exit code. */
function reportFailure(e: unknown, io: CliIo, debug: boolean): number {
  const { text, code } = describeFailure(e, io.cwd);
  io.stderr(text);
  if (debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
  return code;
}

/**
 * What calico-shield prints for a failure, paths relative to `cwd`, and its exit code: a file
 * it cannot use (4), another run holding the folder (5), a write it could not undo (6), or a
 * bug (70).
 */
export function describeFailure(e: unknown, cwd: string): { readonly text: string; readonly code: number } {
  const shown = (file: string): string => (path.isAbsolute(file) ? path.relative(cwd, file) || '.' : file);
  const hint = (text: string | undefined): string => (text ? `  hint: ${text}\n` : '');
  if (e instanceof BusyError) {
    const h = e.holder;
    return {
      text:
        `error: ${shown(e.folder)}/: another calico-shield run holds it: ${h.command}, pid ${h.pid} on ${h.host}, since ${h.since}\n` +
        hint(`wait for that run to end and run again; if no such process runs, delete ${shown(e.lockFile)}`),
      code: BUSY_EXIT,
    };
  }
  if (e instanceof PartialWriteError) {
    return {
      text:
        `error: ${shown(e.failure.file)}: ${e.failure.reason}\n` +
        `error: the run stopped after replacing ${e.replaced.map((f) => shown(f)).join(', ')} and could not put ${e.replaced.length === 1 ? 'it' : 'them'} back; everything else is as it was\n` +
        hint('run synth again once the cause is fixed: it first puts back what this run replaced'),
      code: PARTIAL_WRITE_EXIT,
    };
  }
  if (e instanceof FileError || isSystemError(e)) {
    const f = e instanceof FileError ? e : systemError(e);
    return { text: `error: ${shown(f.file)}: ${f.reason}\n${hint(f.hint)}`, code: FILE_ERROR_EXIT };
  }
  return {
    text: `error: internal error: ${e instanceof Error ? e.message : String(e)}\n${hint('this is a bug in calico-shield: run again with --debug for the stack trace, and report it')}`,
    code: INTERNAL_ERROR_EXIT,
  };
}

interface Compiled {
  readonly outputs: readonly ClusterOutput[];
  readonly deploy?: DeployOutput;
  /** synth: clusters taken from their folder as they are, not compiled. */
  readonly reused: readonly string[];
}

/**
 * Every cluster through the pipeline, and deploy/ rendered; the exit code after printing the
 * findings when there are errors. synth takes a cluster's folder as it is, without compiling,
 * when its lock says it was written for the same spec bytes by this calico-shield (unless
 * --force), and, with --cluster NAME, for every other cluster.
 */
function compileAll(clustersDir: string, outDir: string, deployRoot: string, synth: boolean, io: CliIo, options: Options): Compiled | number {
  const loaded = loadClusters(clustersDir);
  const only = synth ? options.cluster : undefined;
  if (only !== undefined && !loaded.inputs.some((i) => i.name === only)) {
    io.stderr(`error: --cluster ${only}: there is no ${path.relative(io.cwd, path.join(clustersDir, `${only}.yaml`))}\n`);
    return 1;
  }
  const results: ClusterResult[] = [];
  const reused: PreviousOutput[] = [];
  for (const input of loaded.inputs) {
    if (synth && only !== undefined && input.name !== only) {
      // Left alone: its folder as it is. deploy/ is rendered from every folder's lock, so each
      // must be intact, or the manifests of that cluster would be left behind.
      const previous = previousOutput(outDir, input.name);
      if (!previous) {
        io.stderr(
          `error: ${path.relative(io.cwd, path.join(outDir, input.name)) || input.name}/ is missing or not as its ${LOCK_FILE} says: synth --cluster ${only} leaves it alone, and deploy/ needs it\n` +
            `  hint: run synth without --cluster (or synth --cluster ${input.name} first)\n`,
        );
        return 1;
      }
      reused.push(previous);
      continue;
    }
    if (synth && !options.force) {
      const previous = previousOutput(outDir, input.name, input);
      if (previous?.current) {
        reused.push(previous);
        continue;
      }
    }
    // Only what the run prints and writes is kept: a fleet's plans, charts and models would
    // otherwise all stay in memory until the last cluster is compiled.
    const { name, findings, warnings, files, gitopsPaths } = compileCluster(input);
    results.push({ name, findings, ...(warnings ? { warnings } : {}), ...(files ? { files } : {}), ...(gitopsPaths ? { gitopsPaths } : {}) });
  }
  const findings = sortFindings([...loaded.findings, ...results.flatMap((r) => r.findings)]);
  const warnings = synth || options.format !== 'text' ? results.flatMap((r) => r.warnings ?? []) : [];
  // The deploy settings are read only when the clusters compile, and every finding is printed once.
  const deploy = hasErrors(findings) ? { findings: [] } : loadDeploy(deployRoot, io);
  printFindings([...findings, ...warnings, ...deploy.findings], options.format, io);
  if (hasErrors(findings)) {
    const n = findings.filter((f) => f.severity === 'error').length;
    io.stderr(`\n${n} error${n === 1 ? '' : 's'}; nothing was written to ${path.relative(io.cwd, outDir) || '.'}/\n`);
    return 1;
  }
  if (hasErrors(deploy.findings)) {
    io.stderr('\nnothing was written\n');
    return 1;
  }
  const built = results.map(toOutput);
  if (synth) noteChangedBuildPaths(outDir, built, io);
  const outputs = [...built, ...reused.map((r) => r.output)];
  const clusters = [...built.map((o) => ({ name: o.cluster, gitopsPaths: o.gitopsPaths })), ...reused.map((r) => ({ name: r.output.cluster, gitopsPaths: r.gitopsPaths }))];
  const repo = 'repo' in deploy ? deploy.repo : undefined;
  return {
    outputs,
    reused: reused.filter((r) => r.current).map((r) => r.output.cluster),
    ...(repo ? { deploy: { dir: deployRoot, files: renderDeploy(clusters, repo) } } : {}),
  };
}

/**
 * A note for each cluster whose build paths change (its host endpoints split into more or fewer
 * shards): Flux needs a manual step then (docs/gitops.md#shards).
 */
function noteChangedBuildPaths(outDir: string, built: readonly BuiltCluster[], io: CliIo): void {
  for (const output of built) {
    const before = readLock(outDir, output.cluster)?.gitopsPaths;
    if (before === undefined || before.join('\n') === output.gitopsPaths.join('\n')) continue;
    const folder = path.relative(io.cwd, path.join(outDir, output.cluster)) || output.cluster;
    io.stderr(`note: ${folder}/: build paths changed (${before.length} → ${output.gitopsPaths.length}): with Flux, apply deploy/flux/${output.cluster}.yaml, then delete the Kustomizations it no longer has, with prune off (docs/gitops.md#shards)\n`);
  }
}

function writeAll(outDir: string, compiled: Compiled, io: CliIo, prune: boolean): number {
  const report = writeOutputs(outDir, compiled.outputs, compiled.deploy, { prune, ...(io.onStep ? { onStep: io.onStep } : {}) });
  const folder = (c: string): string => path.relative(io.cwd, path.join(outDir, c));
  const reused = new Set(compiled.reused);
  for (const c of report.dist.written) io.stdout(`wrote   ${folder(c)}/\n`);
  for (const c of report.dist.unchanged) io.stdout(`same    ${folder(c)}/${reused.has(c) ? ' (spec unchanged since the last synth: not compiled; --force compiles it)' : ''}\n`);
  for (const c of report.dist.removed) io.stdout(`removed ${folder(c)}/ (its spec is gone)\n`);
  const deployFile = (p: string): string => path.relative(io.cwd, path.join(compiled.deploy?.dir ?? '', p));
  for (const p of report.deploy.written) io.stdout(`wrote   ${deployFile(p)}\n`);
  for (const p of report.deploy.removed) io.stdout(`removed ${deployFile(p)} (its cluster is gone)\n`);
  return 0;
}

/**
 * Text goes to stderr, one finding after the other; json and github to stdout, for CI, where
 * the rest of what the run prints goes to stderr (json) or stays in the log (github).
 */
function printFindings(findings: readonly Finding[], format: FindingsFormat, io: CliIo): void {
  if (format === 'json') (io.findings ?? io.stdout)(findingsJson(findings));
  else if (format === 'github') io.stdout(findingsGithub(findings));
  else for (const f of findings) io.stderr(`${formatFinding(f)}\n`);
}

/** The deploy/ settings, with the findings about them; no repo when the repository has none. */
function loadDeploy(root: string, io: CliIo): { readonly repo?: DeployRepo; readonly findings: readonly Finding[] } {
  const file = path.join(root, path.basename(DEPLOY_REPO_FILE));
  if (!folderExists(root) || entryType(file) === 'missing') return { findings: [] };
  const text = readRegularFileOrFail(file).toString('utf8');
  return parseDeployRepo(path.relative(io.cwd, file) || file, text);
}

function checkDeploy(deploy: DeployOutput, io: CliIo): number {
  const label = path.relative(io.cwd, deploy.dir) || '.';
  const { ours, theirs } = renderedDeployFiles(deploy.dir);
  const expected = new Map(deploy.files.map((f) => [f.path, f.content]));
  // The user's own manifests count only where calico-shield would write one.
  const actual = new Map([...ours, ...[...theirs].filter(([p]) => expected.has(p))]);
  const diff = diffTrees(expected, actual, CHECK_SIDES);
  if (diff.changed.length + diff.added.length + diff.missing.length === 0) {
    io.stdout(`${label}/ is up to date\n`);
    return 0;
  }
  io.stdout(diff.text);
  io.stderr(`${label}/ differs from what ${DEPLOY_REPO_FILE} and the specs render to: run 'npm run synth' and commit ${label}/\n`);
  return 1;
}

/** What each option with a value takes, for the message when it is missing. */
const OPTION_VALUES: Readonly<Record<string, string>> = { '--clusters': 'a folder', '--out': 'a folder', '--cluster': 'a cluster name', '--from': 'a file, a folder or -', '--format': 'text, json or github' };

/** The command line of synth, check, explain and audit (node:util parseArgs), or what is wrong with it. */
function parseArgs(argv: readonly string[]): Options | string {
  const parsed = parseCommandLine(
    argv,
    {
      clusters: { type: 'string' },
      out: { type: 'string' },
      cluster: { type: 'string' },
      from: { type: 'string' },
      force: { type: 'boolean' },
      spec: { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
    (option) => (OPTION_VALUES[option] !== undefined ? `${option} needs ${OPTION_VALUES[option]}` : `${option} needs a value`),
  );
  if (typeof parsed === 'string') return parsed;
  const { values, positionals } = parsed;
  const clusters = values.clusters ?? 'clusters';
  const out = values.out ?? 'dist';
  const format = (values.format ?? 'text') as FindingsFormat;
  if (values.help) return { command: 'help', clusters, out, format };
  if (values.version) return { command: 'version', clusters, out, format };
  if (!FINDINGS_FORMATS.includes(format)) return `--format ${values.format}: text, json or github`;
  const [command, query, extra] = positionals;
  const { cluster, from, force } = values;
  if (command === undefined) return 'missing command';
  if (!['synth', 'check', 'explain', 'audit'].includes(command)) return `unknown command ${command}`;
  if (extra !== undefined || (query !== undefined && command !== 'explain')) return `unexpected argument ${extra ?? query}`;
  if (command === 'explain' && (cluster === undefined || query === undefined)) return 'explain needs --cluster NAME and a query in quotes';
  if (command === 'audit' && (cluster === undefined || from === undefined)) return 'audit needs --cluster NAME and --from DUMP';
  if (command === 'check' && cluster !== undefined) return '--cluster is an option of synth, explain and audit';
  if (command !== 'synth' && force) return '--force is an option of synth';
  if (command !== 'explain' && values.spec) return '--spec is an option of explain';
  if (command !== 'synth' && command !== 'check' && values.format !== undefined) return '--format is an option of synth and check';
  if (command !== 'explain' && command !== 'audit' && from !== undefined) return '--from is an option of audit and explain';
  if (cluster !== undefined && !isClusterName(cluster)) return `--cluster ${cluster}: a cluster name is a DNS-1123 label`;
  return { command, clusters, out, format, ...(cluster !== undefined && { cluster }), ...(query !== undefined && { query }), ...(from !== undefined && { from }), ...(force && { force }), ...(values.spec && { spec: true }) };
}

/** diff-access [BASE_REF] [--out DIR]: who gains or loses access, as Markdown. */
function diffAccessCommand(argv: readonly string[], io: CliIo): number {
  const parsed = parseCommandLine(argv, { out: { type: 'string' } }, (option) => `${option} needs a folder`);
  if (typeof parsed === 'string') {
    io.stderr(`${parsed}\n\n${COMMAND_HELP['diff-access']}`);
    return 2;
  }
  const [base = 'HEAD', extra] = parsed.positionals;
  // A revision, never an option or a path outside the repository's history.
  if (extra !== undefined || !/^[A-Za-z0-9_][A-Za-z0-9._/@{}~^-]*$/.test(base) || base.includes('..')) {
    io.stderr(`${extra !== undefined ? `unexpected argument ${extra}` : `${base} is not a revision calico-shield reads (a branch, tag or commit)`}\n\n${COMMAND_HELP['diff-access']}`);
    return 2;
  }
  const outDir = path.resolve(io.cwd, parsed.values.out ?? 'dist');
  if (!folderExists(outDir)) throw new FileError(outDir, 'does not exist', 'run calico-shield synth first');
  const git = (args: readonly string[]): { ok: boolean; stdout: string; stderr: string } => {
    const r = spawnSync('git', args, { cwd: outDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error?.message ?? '') };
  };
  const revision = git(['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
  if (!revision.ok) throw new FileError(outDir, `git cannot read the revision ${base}`, 'give a branch, tag or commit of this repository (fetch it first in CI: git fetch origin main)');
  const commit = revision.stdout.trim();
  const before = new Map<string, string>();
  // --full-tree: list the tree given, not only the entries under the current folder's path within it.
  const listed = git(['ls-tree', '--full-tree', '--name-only', `${commit}:./`]);
  for (const name of listed.ok ? listed.stdout.split('\n').filter((n) => isClusterName(n)) : []) {
    const report = git(['show', `${commit}:./${name}/${ACCESS_REPORT_FILE}`]);
    if (report.ok) before.set(name, report.stdout);
  }
  const after = new Map<string, string>();
  for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !isClusterName(entry.name)) continue;
    const file = path.join(outDir, entry.name, ACCESS_REPORT_FILE);
    if (entryType(file) === 'file') after.set(entry.name, textOf(readRegularFileOrFail(file)));
  }
  io.stdout(accessChangesMarkdown(accessChanges(before, after), base));
  return 0;
}

/** init [DIR]: scaffolds a GitOps repository that uses the package. */
function initCommand(argv: readonly string[], io: CliIo): number {
  const unknown = argv.find((a) => a.startsWith('-'));
  if (unknown !== undefined || argv.length > 1) {
    io.stderr(`${unknown !== undefined ? `unknown option ${unknown}` : `unexpected argument ${argv[1]}`}\n\n${COMMAND_HELP['init']}`);
    return 2;
  }
  const dir = path.resolve(io.cwd, argv[0] ?? '.');
  const result = initRepository(dir);
  const shown = path.relative(io.cwd, dir) || '.';
  for (const f of result.written) io.stdout(`wrote   ${path.join(shown, f)}\n`);
  if (result.scriptsAdded.length > 0) io.stdout(`package.json: added the scripts ${result.scriptsAdded.join(', ')}\n`);
  for (const k of result.scriptsKept) io.stdout(`package.json: kept your own script "${k.name}" (calico-shield's would be: ${k.ours})\n`);
  io.stdout(`\nnext: edit ${path.join(shown, 'clusters/example.yaml')} and ${path.join(shown, 'deploy/repository.yaml')}, then npm run synth and npm test\n`);
  return 0;
}

/** explain: reads the objects of dist/<cluster>/ and answers the query. */
function explainCommand(o: Options, io: CliIo): number {
  const compiled = o.spec ? compileInMemory(o, io, '', 'spec errors') : undefined;
  if (typeof compiled === 'number') return compiled;
  const read = compiled ? { objects: compiled.objects, issues: [] } : distObjects(o, io);
  if (typeof read === 'number') return read;
  // With --spec the spec is compiled already: its context comes from that, not from a second read.
  const context = explainContext(path.resolve(io.cwd, o.clusters), o.cluster ?? '', io, compiled, path.resolve(io.cwd, o.out));
  let objects: readonly CalicoObject[] = read.objects;
  if (o.from !== undefined) {
    const dump = readDumpFrom(o.from, io);
    if (typeof dump === 'number') return dump;
    // The cluster's objects decide with dist/'s, as audit evaluates them (its installer's tier among them).
    const union = clusterUnion(read.objects, dump.objects.map((d) => d.object));
    objects = union.ours;
    context.installed = union.theirs;
  }
  const result = explain(objects, o.query ?? '', context);
  if (!result.ok) {
    io.stderr(formatQueryError(o.query ?? '', result.error));
    return 2;
  }
  io.stdout(formatExplanation({ ...result.explanation, issues: [...read.issues, ...result.explanation.issues] }));
  return result.explanation.verdict.allowed ? 0 : 3;
}

/** The objects of dist/<cluster>/, as Argo CD or Flux applies them; 1 after saying why there are none. */
function distObjects(o: Options, io: CliIo): { readonly objects: readonly CalicoObject[]; readonly issues: readonly string[] } | number {
  const folder = path.resolve(io.cwd, o.out, o.cluster ?? '');
  const read = readClusterObjects(folder);
  if (typeof read === 'string') {
    io.stderr(`error: ${read} in ${path.relative(io.cwd, folder) || folder}/: run calico-shield synth first, or explain --spec\n`);
    return 1;
  }
  return read;
}

/**
 * clusters/<cluster>.yaml compiled in memory (dist/ need not be written) for explain --spec and
 * audit: also when the guard rails refuse its objects; 1, after printing the findings (`shown`
 * of them), when the spec itself has errors or is missing.
 */
function compileInMemory(o: Options, io: CliIo, missingHint: string, shown: 'spec errors' | 'all'): CompiledInMemory | number {
  const clustersDir = path.resolve(io.cwd, o.clusters);
  const cluster = o.cluster ?? '';
  const file = folderExists(clustersDir) ? findClusterSpec(clustersDir, cluster) : undefined;
  if (file === undefined) {
    io.stderr(`error: ${path.relative(io.cwd, clustersDir) || '.'}/: no spec ${cluster}.yaml\n${missingHint}`);
    return 1;
  }
  const input = readSpec(clustersDir, file, cluster);
  if ('severity' in input) {
    io.stderr(`${formatFinding(input)}\n`);
    return 1;
  }
  const compiled = compileCluster(input);
  const specErrors = compiled.findings.filter((f) => f.severity === 'error' && !VERIFY_CODES.has(f.code));
  const { spec, plan, objects } = compiled;
  if (!spec || !plan || !objects || specErrors.length > 0) {
    for (const f of shown === 'spec errors' && specErrors.length > 0 ? specErrors : compiled.findings) io.stderr(`${formatFinding(f)}\n`);
    return 1;
  }
  return { ...compiled, spec, plan, objects };
}

/** A compiled spec whose objects exist (the guard rails may still refuse them). */
type CompiledInMemory = ClusterResult & { readonly spec: ClusterSpec; readonly plan: ProtectionPlan; readonly objects: readonly CalicoObject[] };

/**
 * The spec's failsafe lists, automatic host endpoint nodes, environment and Calico minor for
 * explain, when the cluster's spec is at hand and valid; otherwise Calico's defaults, no
 * automatic host endpoints and no environment (said), and the minor the folder's lock records.
 */
function explainContext(
  clustersDir: string,
  cluster: string,
  io: CliIo,
  compiled: Pick<CompiledInMemory, 'spec' | 'plan'> | undefined,
  distDir: string,
): { -readonly [K in keyof ExplainContext]: ExplainContext[K] } {
  const spec = compiled?.spec ?? readValidSpec(clustersDir, cluster);
  if (!spec) {
    const lock = readLock(distDir, cluster);
    const minor = lock === undefined ? undefined : minorOfRelease(lock.calicoVersion);
    io.stderr(
      `note: no valid spec for ${cluster} in ${path.relative(io.cwd, clustersDir) || '.'}/: explaining with Calico's default failsafe ports, no automatic host endpoints and no NAT or tunnels, as Calico ${minor ?? `${DEFAULT_CALICO} (the folder's lock names no Calico release calico-shield knows)`}\n`,
    );
    return minor ? { calicoVersion: minor } : {};
  }
  const nodes = (compiled?.plan ?? planCluster(spec)).autoHostEndpoints?.nodes;
  const { environment, objects: installed } = clusterEnvironment(spec);
  return { failsafeDefaults: spec.failsafe, environment, installed, calicoVersion: spec.calicoVersion, defaultEndpointToHostAction: spec.environment.defaultEndpointToHostAction, ...(nodes ? { nodes } : {}) };
}


/** The cluster's spec when it is there and valid. */
function readValidSpec(clustersDir: string, cluster: string): ClusterSpec | undefined {
  const file = folderExists(clustersDir) ? findClusterSpec(clustersDir, cluster) : undefined;
  const input = file ? readSpec(clustersDir, file, cluster) : undefined;
  return input && !('severity' in input) ? parseClusterSpec(input.file, cluster, input.bytes).spec : undefined;
}

/**
 * audit: the cluster's spec compiled in memory (dist/ need not be written), its objects
 * evaluated together with the dump of the cluster's; prints what was evaluated, the findings
 * and the access matrix of the union. Exit 0 without errors, 1 with.
 */
function auditCommand(o: Options, io: CliIo): number {
  const cluster = o.cluster ?? '';
  const compiled = compileInMemory(o, io, '  hint: audit compiles clusters/<cluster>.yaml; give --clusters when the specs are elsewhere\n', 'all');
  if (typeof compiled === 'number') return compiled;
  const dump = readDumpFrom(o.from ?? '-', io);
  if (typeof dump === 'number') return dump;
  const nodes = compiled.plan.autoHostEndpoints?.nodes;
  // The hints' explain commands replay their probe on the same union.
  const result = auditCluster(compiled.plan, compiled.objects, dump.objects.map((d) => d.object), { ...(nodes ? { nodes } : {}), explainFrom: o.from ?? '-' });
  io.stdout(`audit of ${cluster}: calico-shield's ${compiled.objects.length} objects with ${result.existing.length} of the cluster's\n`);
  for (const key of result.existing) io.stdout(`  evaluated  ${key}\n`);
  for (const key of result.replaced) io.stdout(`  replaced   ${key} (by dist/${cluster}/)\n`);
  for (const key of result.pruned) io.stdout(`  pruned     ${key} (calico-shield wrote it; dist/ no longer has it)\n`);
  if (dump.ignored > 0) io.stdout(`  ignored    ${dump.ignored} object${dump.ignored === 1 ? ' that is' : 's that are'} not projectcalico.org/v3\n`);
  const { kept, acknowledged } = applyAcknowledge(compiled.spec, result.findings);
  const findings = sortFindings(kept);
  for (const f of findings) io.stderr(`${formatFinding(f)}\n`);
  io.stdout(`\n${renderAccessReport(compiled.plan, result.access, findings.filter((f) => f.severity === 'warning'), acknowledged)}`);
  return hasErrors(findings) ? 1 : 0;
}

/** The verify stage's codes: audit reports them for the union instead of the spec's objects alone. */
const VERIFY_CODES = new Set(['exposed-port', 'client-cut', 'failsafe-open', 'operator-tier', 'essential-cut', 'preset-overridden', 'catch-all-clients', 'selects-system-pods', 'no-host-endpoint', 'not-modelled']);

/** The dump: a file, the YAML files of a folder, or standard input; the exit code after printing its errors. */
function readDumpFrom(from: string, io: CliIo): Dump | number {
  const sources: DumpSource[] = [];
  if (from === '-') {
    const text = io.stdin?.(MAX_DUMP_BYTES);
    if (text === undefined) {
      io.stderr('error: --from -: nothing on standard input\n  hint: pipe the dump in: kubectl get … -o yaml | calico-shield audit --cluster NAME --from -\n');
      return 1;
    }
    sources.push({ file: STDIN_LABEL, text });
  } else {
    const target = path.resolve(io.cwd, from);
    const type = entryType(target);
    if (type === 'folder') {
      for (const name of fs.readdirSync(target).filter((n) => /\.(ya?ml|json)$/.test(n)).sort()) {
        const file = path.join(target, name);
        if (entryType(file) !== 'file') throw refusal(file, entryType(file), 'file');
        sources.push({ file: path.relative(io.cwd, file), text: readRegularFileOrFail(file, MAX_DUMP_BYTES).toString('utf8') });
      }
    } else if (type === 'file') {
      sources.push({ file: path.relative(io.cwd, target) || from, text: readRegularFileOrFail(target, MAX_DUMP_BYTES).toString('utf8') });
    } else throw refusal(target, type, 'file');
  }
  const dump = readDump(sources);
  for (const f of dump.findings) io.stderr(`${formatFinding(f)}\n`);
  return hasErrors(dump.findings) ? 1 : dump;
}

/** How far kustomizations may nest: calico-shield writes one level of stage folders. */
const MAX_KUSTOMIZATION_DEPTH = 4;
/** What one resource entry of a kustomization may be: a relative path that stays inside the folder. */
const RESOURCE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
/** yaml's own bound on alias expansion when a document becomes JavaScript values. */
const MAX_ALIAS_COUNT = 100;

/**
 * The objects Argo CD and Flux would apply: the files the kustomizations list, from the
 * folder's own. dist/ is untrusted: an object that is not one, a document that does not parse
 * (alias bombs included) and an entry that leaves the folder are issues and left out; links are
 * refused. A message (without the folder) when the kustomizations cannot be followed at all.
 */
function readClusterObjects(folder: string, prefix = '', depth = 0): { readonly objects: CalicoObject[]; readonly issues: string[] } | string {
  const kustomization = path.join(folder, 'kustomization.yaml');
  const type = entryType(kustomization);
  if (type === 'missing') return 'cannot read kustomization.yaml';
  if (type !== 'file') throw refusal(kustomization, type, 'file');
  const values = yamlValues(readRegularFileOrFail(kustomization).toString('utf8'));
  const resources = (values[0]?.value as { resources?: unknown } | null | undefined)?.resources;
  if (!Array.isArray(resources)) return 'kustomization.yaml lists no resources';
  const objects: CalicoObject[] = [];
  const issues = values.flatMap((v) => (v.problem ? [`error: ${prefix}kustomization.yaml: ${v.problem}`] : []));
  for (const r of resources) {
    if (typeof r !== 'string' || !RESOURCE.test(r) || r.split('/').includes('..')) {
      issues.push(`error: ${prefix}kustomization.yaml: the resource ${JSON.stringify(r)} is not a path inside ${prefix || 'the cluster folder'}: left out`);
      continue;
    }
    const target = path.join(folder, r);
    const kind = entryType(target);
    if (kind === 'missing') return `${r} is listed in kustomization.yaml but missing`;
    if (kind === 'folder') {
      if (depth >= MAX_KUSTOMIZATION_DEPTH) {
        issues.push(`error: ${prefix}${r}/: kustomizations nest more than ${MAX_KUSTOMIZATION_DEPTH} levels deep: left out`);
        continue;
      }
      const nested = readClusterObjects(target, `${prefix}${r}/`, depth + 1);
      if (typeof nested === 'string') return `${r}/: ${nested}`;
      objects.push(...nested.objects);
      issues.push(...nested.issues);
    } else if (kind === 'file') {
      const read = readRegularFile(target);
      if ('tooLarge' in read) {
        issues.push(`error: ${prefix}${r}: has ${read.tooLarge} bytes or more, more than calico-shield reads: left out`);
        continue;
      }
      yamlValues(read.bytes.toString('utf8')).forEach((v, i) => {
        const where = `${prefix}${r} document ${i + 1}`;
        if (v.problem) issues.push(`error: ${where}: ${v.problem}: left out`);
        else if (v.value !== null && v.value !== undefined) {
          const object = asCalicoObject(v.value);
          if (typeof object === 'string') issues.push(`error: ${where}: the object ${object}: left out`);
          else objects.push(object);
        }
      });
    } else throw refusal(target, kind, 'file');
  }
  return { objects, issues };
}

/** Each document of a YAML text as a JavaScript value, or why it is not one. */
function yamlValues(text: string): { readonly value?: unknown; readonly problem?: string }[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) return { problem: `not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}` };
    try {
      return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
    } catch (e) {
      return { problem: `cannot be read: ${e instanceof Error ? e.message : String(e)}` };
    }
  });
}

/** A cluster compiled by this run: its folder's files and build paths. */
type BuiltCluster = ClusterOutput & { readonly gitopsPaths: readonly string[] };

function toOutput(r: ClusterResult): BuiltCluster {
  if (!r.files || !r.gitopsPaths) throw new Error(`cluster ${r.name} has no output`);
  return { cluster: r.name, files: r.files, gitopsPaths: r.gitopsPaths };
}

/** The sides of check's diffs: from what is committed to what synth would write. */
const CHECK_SIDES = { expected: 'synth would write', actual: 'committed' } as const;

/**
 * When every difference is in the locks' generatorVersion, calicoVersion or specSha256 (an
 * upgrade of calico-shield, a spec moved to another Calico minor, or a spec edit, that changes
 * no object), what changed, as `calicoVersion v3.30.7 → v3.31.7, specSha256`; undefined otherwise.
 */
function versionOnlyChange(changed: readonly string[], others: number, expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): string | undefined {
  if (others > 0 || changed.length === 0 || !changed.every((p) => p.endsWith(`/${LOCK_FILE}`))) return undefined;
  const seen = new Set<string>();
  for (const p of changed) {
    let before: Record<string, unknown>;
    let after: Record<string, unknown>;
    try {
      before = JSON.parse(actual.get(p) ?? '') as Record<string, unknown>;
      after = JSON.parse(expected.get(p) ?? '') as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const rest = (lock: Record<string, unknown>): string => JSON.stringify({ ...lock, generatorVersion: undefined, calicoVersion: undefined, specSha256: undefined });
    if (rest(before) !== rest(after)) return undefined;
    for (const f of ['generatorVersion', 'calicoVersion'] as const) if (before[f] !== after[f]) seen.add(`${f} ${String(before[f])} → ${String(after[f])}`);
    if (before['specSha256'] !== after['specSha256']) seen.add('specSha256 (the spec was edited)');
  }
  return seen.size > 0 ? [...seen].sort().join(', ') : undefined;
}

/** check: dist/ against the compiled outputs. Every visible folder counts (Argo CD's ApplicationSet makes an Application of each); links are refused. */
function check(outDir: string, outputs: readonly ClusterOutput[], io: CliIo): number {
  const expected = new Map<string, string>();
  for (const o of outputs) for (const f of o.files) expected.set(`${o.cluster}/${f.path}`, f.content);
  const actual = new Map<string, string>();
  const clusters = new Set(outputs.map((o) => o.cluster));
  if (folderExists(outDir)) {
    for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const type = entryType(path.join(outDir, entry.name));
      if (type === 'file') continue;
      if (type !== 'folder') throw refusal(path.join(outDir, entry.name), type, 'folder');
      for (const [file, bytes] of readTree(path.join(outDir, entry.name))) {
        actual.set(`${entry.name}/${file}`, normalizeLineEnds(Buffer.from(bytes).toString('utf8')));
      }
    }
  }
  const diff = diffTrees(expected, actual, CHECK_SIDES);
  const label = path.relative(io.cwd, outDir) || '.';
  if (diff.changed.length + diff.added.length + diff.missing.length === 0) {
    io.stdout(`${label}/ is up to date (${clusters.size} cluster${clusters.size === 1 ? '' : 's'})\n`);
    return 0;
  }
  io.stdout(diff.text);
  const describe = (kind: string, list: readonly string[]): string[] => list.map((p) => `  ${kind} ${label}/${p}`);
  const versionsOnly = versionOnlyChange(diff.changed, diff.added.length + diff.missing.length, expected, actual);
  io.stderr(
    [
      ...(versionsOnly ? [`note: only the locks differ, in ${versionsOnly}: the objects are the same; a synth rewrites only the locks`] : []),
      `${label}/ differs from what the specs compile to:`,
      ...describe('changed', diff.changed),
      ...describe('missing', diff.missing),
      ...describe('extra  ', diff.added),
      `run 'npm run synth' and commit ${label}/ (hand edits to ${label}/ are overwritten: change clusters/ instead; synth --force when a folder was edited along with its lock)`,
    ].join('\n') + '\n',
  );
  return 1;
}
