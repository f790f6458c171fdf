/**
 * Child processes timed from the outside: wall time by the parent's monotonic clock; peak RSS
 * and CPU time (user + system) by GNU time (`/usr/bin/time -f "%M %U %S"`) when the machine has
 * it, otherwise by a preload (bench/rss-reporter.js) that writes `process.resourceUsage()` when
 * the child exits. CPU time is what other processes on the machine disturb least.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const GNU_TIME = '/usr/bin/time';

export interface ProcessRun {
  readonly wallMs: number;
  /** Peak resident set size of the child in KiB; 0 when not measured. */
  readonly peakRssKiB: number;
  /** User + system CPU time of the child; 0 when not measured. */
  readonly cpuMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How peak RSS and CPU time are measured on this machine, for the report. */
export function usageMethod(): string {
  return fs.existsSync(GNU_TIME) ? `${GNU_TIME} -f "%M %U %S"` : 'process.resourceUsage() at exit (bench/rss-reporter.js)';
}

/**
 * Runs `node <args>` and measures its peak RSS and CPU time through `usageFile`; throws with
 * the child's stderr when it fails.
 */
export function runNode(args: readonly string[], cwd: string, usageFile: string): ProcessRun {
  fs.rmSync(usageFile, { force: true });
  const result = fs.existsSync(GNU_TIME)
    ? run(GNU_TIME, ['-f', '%M %U %S', '-o', usageFile, process.execPath, ...args], cwd)
    : run(process.execPath, ['-r', path.join(__dirname, '..', 'bench', 'rss-reporter.js'), ...args], cwd, { BENCH_USAGE_FILE: usageFile });
  // GNU time writes "Command exited with non-zero status N" first when the child fails.
  const lines = fs.readFileSync(usageFile, 'utf8').trim().split('\n');
  const [rss, user, system] = lines[lines.length - 1].split(' ').map(Number);
  if (![rss, user, system].every(Number.isFinite)) throw new Error(`cannot read the resource usage in ${usageFile}: ${lines.join(' / ')}`);
  return { ...result, peakRssKiB: rss, cpuMs: (user + system) * 1000 };
}

/** Runs a command, throws with the child's stderr when it fails. */
export function run(command: string, args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): ProcessRun {
  const start = process.hrtime.bigint();
  const child = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} (in ${cwd}) exited with ${child.status ?? child.signal}:\n${child.stderr}${child.stdout}`);
  }
  return { wallMs, peakRssKiB: 0, cpuMs: 0, stdout: child.stdout, stderr: child.stderr };
}

/** Whether a command exits with status 0 (for probing optional tools). */
export function succeeds(command: string, args: readonly string[], cwd: string): boolean {
  const child = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return child.error === undefined && child.status === 0;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('stats of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
