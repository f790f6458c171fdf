/**
 * The same bytes and the same verdicts from any working directory and from any checkout,
 * through the real binary: paths written into dist/ are relative to the repository, not to
 * where calico-shield runs, and a CRLF checkout (git's core.autocrlf) is the repository it
 * was checked out from.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBinary, synthesisedTemplate } from '../support/binary';
import { copyWorkspace, listFiles, readTree, tempDir } from '../support/cli';
import { ROOT } from '../support/compile';

/** A repository synthesised once; tests start from copies. */
const template = synthesisedTemplate(['example.yaml', 'allow-list-etcd.yaml']);

/** Rewrites every file under the folders with CRLF line ends, as git does on checkout with core.autocrlf=true. */
function toCrlf(dir: string, folders: readonly string[]): void {
  for (const folder of folders) {
    for (const file of listFiles(path.join(dir, folder))) {
      const full = path.join(dir, folder, file);
      fs.writeFileSync(full, fs.readFileSync(full, 'utf8').replace(/\n/g, '\r\n'));
    }
  }
}

describe('any working directory', () => {
  it('can pass check from a subfolder and from outside the repository', () => {
    const dir = copyWorkspace(template());
    fs.mkdirSync(path.join(dir, 'docs'));
    const below = runBinary(path.join(dir, 'docs'), ['check', '--clusters', '../clusters', '--out', '../dist']);
    expect(below).toMatchObject({ code: 0, stdout: '../dist/ is up to date (2 clusters)\n../deploy/ is up to date\n' });
    const outside = runBinary(tempDir(), ['check', '--clusters', path.join(dir, 'clusters'), '--out', path.join(dir, 'dist')]);
    expect(outside.code).toBe(0);
  });

  it('can write the same bytes from a subfolder', () => {
    const dir = copyWorkspace(template());
    fs.rmSync(path.join(dir, 'dist'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'docs'));
    expect(runBinary(path.join(dir, 'docs'), ['synth', '--clusters', '../clusters', '--out', '../dist']).code).toBe(0);
    expect(readTree(path.join(dir, 'dist'))).toEqual(readTree(path.join(template(), 'dist')));
  });
});

describe('a CRLF checkout', () => {
  it('can pass check when clusters/, dist/ and deploy/ have CRLF line ends', () => {
    const dir = copyWorkspace(template());
    toCrlf(dir, ['clusters', 'dist', 'deploy']);
    const r = runBinary(dir, ['check']);
    expect(r).toMatchObject({ code: 0, stdout: 'dist/ is up to date (2 clusters)\ndeploy/ is up to date\n' });
  });

  it('can write the same bytes from specs with CRLF line ends', () => {
    const dir = copyWorkspace(template());
    toCrlf(dir, ['clusters']);
    // The locks hash the specs with LF line ends: unchanged, so synth does not even compile them; --force does.
    const skipped = runBinary(dir, ['synth']);
    expect({ code: skipped.code, stdout: skipped.stdout }).toEqual({
      code: 0,
      stdout: ['allow-list-etcd', 'example'].map((c) => `same    dist/${c}/ (spec unchanged since the last synth: not compiled; --force compiles it)\n`).join(''),
    });
    const r = runBinary(dir, ['synth', '--force']);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: 'same    dist/allow-list-etcd/\nsame    dist/example/\n' });
    expect(readTree(path.join(dir, 'dist'))).toEqual(readTree(path.join(template(), 'dist')));
  });

  it('is avoided for the hashed and compared files of this repository, and the copies the tests compile, by .gitattributes', () => {
    const files = ['clusters/example.yaml', 'dist/example/calico-shield.lock', 'deploy/flux/example.yaml', 'test/fixtures/examples/example.yaml', 'test/fixtures/deploy/repository.yaml'];
    const r = spawnSync('git', ['check-attr', 'eol', '--', ...files], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout).toBe(files.map((f) => `${f}: eol: lf\n`).join(''));
  });
});
