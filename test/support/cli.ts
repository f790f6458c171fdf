/** Runs the CLI in a throwaway GitOps repository and reads back what it wrote, for tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withTestEnvironment } from './environment';
import { CliIo, run } from '../../lib/cli';
import { DEPLOY_REPOSITORY, EXAMPLES } from './paths';

/** The example clusters (their copies in test/fixtures/examples/), by name (the file name without .yaml), sorted. */
export const CLUSTERS: readonly string[] = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `calico-shield argv` in `cwd` and captures what it prints.
 *
 * @param stdin what is piped in; @default - nothing, as from a terminal
 * @param command the entry point; @default run, the whole CLI
 */
export function runCli(cwd: string, argv: readonly string[], stdin?: string, command: (argv: readonly string[], io: CliIo) => number = run): CliResult {
  let stdout = '';
  let stderr = '';
  const code = command(argv, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdin: () => stdin });
  return { code, stdout, stderr };
}

/** Runs `calico-shield synth` in `cwd`; throws with its stderr when it fails. Returns its stdout. */
export function synth(cwd: string, options: readonly string[] = []): string {
  const result = runCli(cwd, ['synth', ...options]);
  if (result.code !== 0) throw new Error(`synth failed (exit ${result.code}):\n${result.stderr}`);
  return result.stdout;
}

const workspaces: string[] = [];

/** A folder of its own under the system's temporary folder, removed by removeWorkspaces. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-test-'));
  workspaces.push(dir);
  return dir;
}

export interface WorkspaceOptions {
  /**
   * Write deploy/repository.yaml (the copy in test/fixtures/deploy/), so synth and check also
   * render and compare deploy/.
   *
   * @default false
   */
  readonly deploy?: boolean;
  /**
   * More files to write, by path relative to the workspace (for example `clusters/rich.yaml`).
   *
   * @default - none
   */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * A GitOps repository in a temporary folder: clusters/ with the chosen example specs (file names
 * in test/fixtures/examples/; `'all'` for every one), and what `options` adds. Remove it with
 * removeWorkspaces.
 */
export function workspace(clusters: 'all' | readonly string[], options: WorkspaceOptions = {}): string {
  const dir = tempDir();
  const clustersDir = path.join(dir, 'clusters');
  fs.mkdirSync(clustersDir);
  for (const c of clusters === 'all' ? CLUSTERS.map((name) => `${name}.yaml`) : clusters) fs.copyFileSync(path.join(EXAMPLES, c), path.join(clustersDir, c));
  if (options.deploy) {
    fs.mkdirSync(path.join(dir, 'deploy'));
    fs.copyFileSync(DEPLOY_REPOSITORY, path.join(dir, 'deploy', 'repository.yaml'));
  }
  for (const [file, text] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), file.startsWith('clusters/') ? withTestEnvironment(text) : text);
  }
  return dir;
}

/** A copy of the workspace `from` (dist/ and all) in a new temporary folder. */
export function copyWorkspace(from: string): string {
  const dir = tempDir();
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/** Removes every folder tempDir, workspace and copyWorkspace made so far; for afterAll. */
export function removeWorkspaces(): void {
  for (const dir of workspaces.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Every file under `folder`, POSIX paths relative to it, sorted. */
export function listFiles(folder: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Every file under `folder` and its text, by listFiles' paths, in their order. */
export function readTree(folder: string): Map<string, string> {
  return new Map(listFiles(folder).map((f) => [f, fs.readFileSync(path.join(folder, f), 'utf8')]));
}

/** dist/ and deploy/ of a repository, by `dist/…` and `deploy/…` path; a missing folder has no entries. */
export function readOutputs(dir: string): Map<string, string> {
  const tree = new Map<string, string>();
  for (const folder of ['dist', 'deploy']) {
    if (!fs.existsSync(path.join(dir, folder))) continue;
    for (const [file, text] of readTree(path.join(dir, folder))) tree.set(`${folder}/${file}`, text);
  }
  return tree;
}
