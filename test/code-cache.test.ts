/**
 * The command's code cache (bin/code-cache.js, written by scripts/code-cache.js when
 * test/support/bundle.js bundles): used when it is the bundle's, never handed to V8 when it is
 * not (V8 itself compares only its version, its flags and the source's length), and the
 * command does the same with it as without it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeWorkspaces, readTree, tempDir, workspace } from './support/cli';
import { ROOT } from './support/compile';

const BUNDLE = path.join(ROOT, 'build', 'cli.js');
const CACHE = path.join(ROOT, 'build', 'cli.cache');
const LOADER = path.join(ROOT, 'bin', 'code-cache.js');

afterAll(removeWorkspaces);

/** A folder of its own with copies of these files and folders of the repository, at their paths. */
function copyOf(entries: readonly string[]): string {
  const dir = tempDir();
  for (const entry of entries) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

/** A copy of build/cli.js (and its cache, unless `cache` is false) in a folder of its own. */
function copyBundle(cache = true): { bundle: string; cache: string } {
  const dir = copyOf(['build/cli.js', ...(cache ? ['build/cli.cache'] : [])]);
  return { bundle: path.join(dir, 'build', 'cli.js'), cache: path.join(dir, 'build', 'cli.cache') };
}

/**
 * In a Node process of its own (jest's flags would make V8 refuse any cache), loads `bundle`
 * as bin/calico-shield.js does and runs `calico-shield --version` with what it exports: what
 * became of the cache, the exit code and the output.
 */
function load(bundle: string, nodeFlags: readonly string[] = []): { cache: string; code: number; stdout: string } {
  const script = `
    const { loadBundle } = require(${JSON.stringify(LOADER)});
    const { exports, cache } = loadBundle(${JSON.stringify(bundle)});
    let stdout = '';
    const code = exports.run(['--version'], { stdout: (t) => { stdout += t; }, stderr: (t) => { stdout += t; }, cwd: process.cwd() });
    process.stdout.write(JSON.stringify({ cache, code, stdout }));`;
  const r = spawnSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8', env: withoutNodeOptions(), timeout: 30_000, killSignal: 'SIGKILL' });
  if (r.status !== 0) throw new Error(`the loader failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { cache: string; code: number; stdout: string };
}

/** This environment without NODE_OPTIONS: the cache is built for the command as run without them. */
function withoutNodeOptions(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

const VERSION = load(BUNDLE);

describe('the code cache of build/cli.js', () => {
  it('is written with the bundle, and used', () => {
    expect(fs.statSync(CACHE).size).toBeGreaterThan(100_000);
    expect(VERSION.cache).toBe('used');
    expect(VERSION).toEqual({ cache: 'used', code: 0, stdout: expect.stringMatching(/^calico-shield \d+\.\d+\.\d+/) });
  });

  it('is not used for a bundle of the same length with one byte changed, which runs as it is', () => {
    const copy = copyBundle();
    const text = fs.readFileSync(copy.bundle, 'latin1');
    // A letter of the name --version prints (lib/version.ts): the bundle stays valid JavaScript and as long as it was.
    const at = text.indexOf('var GENERATOR_NAME="calico-shield";') + 'var GENERATOR_NAME="calico-'.length;
    expect(text.slice(at, at + 6)).toBe('shield');
    fs.writeFileSync(copy.bundle, `${text.slice(0, at)}S${text.slice(at + 1)}`, 'latin1');
    expect(fs.statSync(copy.bundle).size).toBe(fs.statSync(BUNDLE).size);
    const r = load(copy.bundle);
    expect({ cache: r.cache, code: r.code }).toEqual({ cache: 'mismatched', code: 0 });
    expect(r.stdout).toBe(VERSION.stdout.replace('calico-shield', 'calico-Shield'));
  });

  it.each([
    ['with one byte of the cached data changed', (data: Buffer) => Buffer.concat([data.subarray(0, data.length - 100), Buffer.from([data[data.length - 100] ^ 0xff]), data.subarray(data.length - 99)])],
    ['cut short', (data: Buffer) => data.subarray(0, data.length >> 1)],
    ['of its digest only', (data: Buffer) => data.subarray(0, 32)],
    ['empty', () => Buffer.alloc(0)],
  ])('is not used %s, and the bundle runs without it', (_, damage) => {
    const copy = copyBundle();
    fs.writeFileSync(copy.cache, damage(fs.readFileSync(copy.cache)));
    expect(load(copy.bundle)).toEqual({ ...VERSION, cache: 'mismatched' });
  });

  it('is refused by V8 under other V8 flags, and the bundle runs without it', () => {
    expect(load(BUNDLE, ['--no-lazy-feedback-allocation'])).toEqual({ ...VERSION, cache: 'rejected' });
  });

  it('is not needed', () => {
    expect(load(copyBundle(false).bundle)).toEqual({ ...VERSION, cache: 'absent' });
  });

  it.each([
    ['a folder', (file: string) => fs.mkdirSync(file)],
    ['a symbolic link to the cache', (file: string) => fs.symlinkSync(CACHE, file)],
    // Its read would block until something writes to it.
    ['a named pipe', (file: string) => expect(spawnSync('mkfifo', [file]).status).toBe(0)],
  ])('is not read when it is %s, and the bundle runs without it', (_, make) => {
    const copy = copyBundle(false);
    make(copy.cache);
    expect(load(copy.bundle)).toEqual({ ...VERSION, cache: 'unreadable' });
  });

  it('leaves no work folder in build/', () => {
    expect(fs.readdirSync(path.join(ROOT, 'build')).filter((f) => f.startsWith('.code-cache-') || f.startsWith('cli.cache.'))).toEqual([]);
  });
});

describe('building the code cache (scripts/bundle.js codeCache)', () => {
  /** A repository of the files the cache is built from, with `clusters` in clusters/. */
  function repository(clusters: Readonly<Record<string, (file: string) => void>>): string {
    const root = copyOf(['scripts/code-cache.js', 'bin/code-cache.js', 'build/cli.js']);
    fs.mkdirSync(path.join(root, 'clusters'));
    for (const [name, make] of Object.entries(clusters)) make(path.join(root, 'clusters', name));
    return root;
  }

  /** codeCache(root) in a Node process with `env` added; its stderr. */
  function build(root: string, env: Readonly<Record<string, string>> = {}): string {
    const script = `require(${JSON.stringify(path.join(ROOT, 'scripts', 'bundle.js'))}).codeCache(${JSON.stringify(root)})`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...withoutNodeOptions(), ...env }, timeout: 30_000, killSignal: 'SIGKILL' });
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    return r.stderr;
  }

  const example = (file: string): void => fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'examples', 'example.yaml'), file);

  it('builds a cache the command uses without NODE_OPTIONS when the build runs with them', () => {
    const root = repository({ 'example.yaml': example });
    expect(build(root, { NODE_OPTIONS: '--max-old-space-size=3000' })).toBe('');
    expect(load(path.join(root, 'build', 'cli.js'))).toEqual({ ...VERSION, cache: 'used' });
    expect(fs.readdirSync(path.join(root, 'build')).sort()).toEqual(['cli.cache', 'cli.js']);
  });

  it('skips a named pipe in clusters/ instead of waiting on it', () => {
    const root = repository({ 'example.yaml': example, 'pipe.yaml': (file) => expect(spawnSync('mkfifo', [file]).status).toBe(0) });
    expect(build(root)).toBe('');
    expect(load(path.join(root, 'build', 'cli.js'))).toEqual({ ...VERSION, cache: 'used' });
  });

  it('removes the work folders and unfinished caches of builds whose process is gone, not those of running ones', () => {
    const root = repository({ 'example.yaml': example });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const left = [`.code-cache-${gone}-abc123`, `cli.cache.${gone}-0011aabb2233`, `.code-cache-${process.pid}-def456`];
    for (const name of left) fs.mkdirSync(path.join(root, 'build', name));
    expect(build(root)).toBe('');
    expect(fs.readdirSync(path.join(root, 'build')).sort()).toEqual([`.code-cache-${process.pid}-def456`, 'cli.cache', 'cli.js']);
  });

  it('builds the cache only when asked: plain bundling (cdk8s synth, npm run synth, the command after an edit) does not', () => {
    const root = copyOf(['package.json', 'main.ts', 'lib', 'imports', 'scripts', 'bin', 'clusters']);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    const bundle = (args: readonly string[]): number | null => spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle.js'), ...args], { cwd: root, encoding: 'utf8', env: withoutNodeOptions(), timeout: 60_000 }).status;
    expect(bundle([])).toBe(0);
    expect(fs.existsSync(path.join(root, 'build', 'cli.js')) && !fs.existsSync(path.join(root, 'build', 'cli.cache'))).toBe(true);
    expect(bundle(['--code-cache'])).toBe(0);
    expect(load(path.join(root, 'build', 'cli.js')).cache).toBe('used');
    // Another argument: nothing built, not even over the cache.
    expect(bundle(['--code-cach'])).toBe(2);
    expect(load(path.join(root, 'build', 'cli.js')).cache).toBe('used');
    // What cdk8s synth and npm run synth run, and what bin/calico-shield.js rebuilds a stale bundle with.
    expect(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')).toContain('\napp: node scripts/bundle.js && node build/main.js\n');
    expect((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.synth).toMatch(/^node scripts\/bundle\.js && /);
    expect(fs.readFileSync(path.join(ROOT, 'bin', 'calico-shield.js'), 'utf8')).toContain("require('../scripts/bundle.js').bundleAll();");
  });

  it('warns, writes no cache and leaves no work folder when the bundle cannot run', () => {
    const root = repository({ 'example.yaml': example });
    fs.writeFileSync(path.join(root, 'build', 'cli.js'), 'throw new Error("not a bundle");\n');
    expect(build(root)).toBe('calico-shield: build/cli.cache was not written, the command runs without it: not a bundle\n');
    expect(fs.readdirSync(path.join(root, 'build'))).toEqual(['cli.js']);
  });

  it('changes nothing the command writes: a synth of every example cluster with it and without it', () => {
    // The installed command: bin/ and the bundle, with and without the cache.
    const apps = [true, false].map((cache) => copyOf(['bin/calico-shield.js', 'bin/code-cache.js', 'build/cli.js', ...(cache ? ['build/cli.cache'] : [])]));
    const runs = apps.map((app) => {
      const dir = workspace('all');
      const r = spawnSync(process.execPath, [path.join(app, 'bin', 'calico-shield.js'), 'synth'], { cwd: dir, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr, dist: readTree(path.join(dir, 'dist')) };
    });
    expect(runs[0].code).toBe(0);
    expect(runs[0].stdout).toContain('wrote   dist/example/');
    expect(runs[0].dist.size).toBeGreaterThan(20);
    expect(runs[0]).toEqual(runs[1]);
  });
});
