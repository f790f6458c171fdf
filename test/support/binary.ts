/**
 * Runs the real calico-shield, `node bin/calico-shield.js` (the esbuild bundle that
 * test/support/bundle.js builds before the tests), as a spawned process: real pipes, real
 * files, real parallel runs. CALICO_SHIELD_BIN runs another build instead (an older commit's,
 * to see a test fail there).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CliResult, removeWorkspaces, workspace } from './cli';
import { ROOT } from './compile';

export const BIN = process.env.CALICO_SHIELD_BIN ?? path.join(ROOT, 'bin', 'calico-shield.js');

/** A guard against a run that never ends (a read blocked on a pipe): it fails the test, it measures nothing. */
const HANG_GUARD_MS = 30_000;

export interface SpawnOptions {
  /** Standard input; @default - /dev/null */
  readonly input?: string;
  /** Variables added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
}

function environment(env: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.CALICO_SHIELD_STOP_AT;
  return { ...base, ...env };
}

/** Runs `calico-shield argv` in `cwd` and waits for it. `code` is null when it hung or died of a signal. */
export function runBinary(cwd: string, argv: readonly string[], options: SpawnOptions = {}): CliResult & { readonly signal: NodeJS.Signals | null } {
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd,
    encoding: 'utf8',
    env: environment(options.env),
    input: options.input ?? '',
    timeout: HANG_GUARD_MS,
    killSignal: 'SIGKILL',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** The command that runs calico-shield in a runShell script. */
export const CALICO_SHIELD = '"$CALICO_SHIELD_NODE" "$CALICO_SHIELD_BIN"';

/** Runs a shell script in `cwd` (for pipes and limits); CALICO_SHIELD in it runs calico-shield. */
export function runShell(cwd: string, script: string, env: Readonly<Record<string, string>> = {}): CliResult {
  const r = spawnSync('sh', ['-c', script], {
    cwd,
    encoding: 'utf8',
    env: environment({ ...env, CALICO_SHIELD_NODE: process.execPath, CALICO_SHIELD_BIN: BIN }),
    timeout: HANG_GUARD_MS,
    killSignal: 'SIGKILL',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A run in the background, and its outcome once it ends. */
export interface Started {
  readonly child: ChildProcess;
  /** Resolves once the run has printed `calico-shield: stopped at <step>` and stopped itself (CALICO_SHIELD_STOP_AT). */
  readonly stopped: Promise<void>;
  readonly done: Promise<CliResult & { readonly signal: NodeJS.Signals | null }>;
}

/** Starts `calico-shield argv` in `cwd` without waiting; with `stopAt`, it stops itself at that step. */
export function startBinary(cwd: string, argv: readonly string[], options: SpawnOptions & { readonly stopAt?: string } = {}): Started {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd,
    env: environment({ ...options.env, ...(options.stopAt ? { CALICO_SHIELD_STOP_AT: options.stopAt } : {}) }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  let onStop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (onStop = resolve));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    if (stderr.includes('calico-shield: stopped at ')) onStop();
  });
  const done = new Promise<CliResult & { readonly signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      onStop();
      resolve({ code: code ?? -1, stdout, stderr, signal });
    }),
  );
  return { child, stopped, done };
}

/** No Node stack trace in what a run printed. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[(:]\d+/m.test(text) || /node:internal|Node\.js v\d+/.test(text);
}

/**
 * A workspace holding `clusters` and deploy/, synthesised once by the real binary before the
 * file's tests (which start from copies of it) and removed after them. Returns its path's getter.
 */
export function synthesisedTemplate(clusters: readonly string[]): () => string {
  let template: string | undefined;
  beforeAll(() => {
    const dir = workspace(clusters, { deploy: true });
    template = dir;
    const r = runBinary(dir, ['synth']);
    if (r.code !== 0) throw new Error(`the template's synth exited ${r.code}:\n${r.stderr}`);
  });
  afterAll(removeWorkspaces);
  return () => {
    if (template === undefined) throw new Error('the template is made in beforeAll');
    return template;
  };
}
