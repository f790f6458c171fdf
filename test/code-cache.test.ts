/**
 * The command's code cache (bin/code-cache.js, written by scripts/code-cache.js when
 * test/support/bundle.js bundles): used when it is the bundle's, never handed to V8 when it is
 * not (V8 itself compares only its version, its flags and the source's length), and the
 * command does the same with it as without it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeWorkspaces, readTree, workspace } from './support/cli';
import { ROOT } from './support/compile';

const BUNDLE = path.join(ROOT, 'build', 'cli.js');
const CACHE = path.join(ROOT, 'build', 'cli.cache');
const LOADER = path.join(ROOT, 'bin', 'code-cache.js');

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
  removeWorkspaces();
});

/** A copy of build/cli.js (and its cache, unless `cache` is false) in a folder of its own. */
function copyBundle(cache = true): { bundle: string; cache: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-cache-'));
  copies.push(dir);
  const copy = { bundle: path.join(dir, 'cli.js'), cache: path.join(dir, 'cli.cache') };
  fs.copyFileSync(BUNDLE, copy.bundle);
  if (cache) fs.copyFileSync(CACHE, copy.cache);
  return copy;
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
  const r = spawnSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the loader failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { cache: string; code: number; stdout: string };
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

  it('changes nothing the command writes: a synth of every example cluster with it and without it', () => {
    // The installed command: bin/ and the bundle, with and without the cache.
    const apps = [true, false].map((cache) => {
      const app = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-app-'));
      copies.push(app);
      for (const file of ['bin/calico-shield.js', 'bin/code-cache.js', 'build/cli.js', ...(cache ? ['build/cli.cache'] : [])]) {
        fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(app, file));
      }
      return app;
    });
    const trees = apps.map((app) => {
      const dir = workspace('all');
      const r = spawnSync(process.execPath, [path.join(app, 'bin', 'calico-shield.js'), 'synth'], { cwd: dir, encoding: 'utf8' });
      expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      return readTree(path.join(dir, 'dist'));
    });
    expect(trees[0].size).toBeGreaterThan(20);
    expect(trees[0]).toEqual(trees[1]);
  });
});
