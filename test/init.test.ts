/**
 * `calico-shield init` and the per-command help, with the real binary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBinary } from './support/binary';
import { listFiles, removeWorkspaces, tempDir } from './support/cli';

afterAll(removeWorkspaces);

const SCAFFOLD = ['.gitattributes', '.github/workflows/calico-shield.yaml', '.gitignore', 'README.md', 'cdk8s.yaml', 'clusters/example.yaml', 'deploy/repository.yaml', 'main.ts', 'package.json', 'test/calico-shield.test.mjs'];

describe('calico-shield init', () => {
  it('can scaffold an empty folder whose example cluster synthesises without errors', () => {
    const dir = tempDir();
    const r = runBinary(dir, ['init']);
    expect(r.code).toBe(0);
    expect(listFiles(dir)).toEqual(SCAFFOLD);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts).toMatchObject({ synth: 'calico-shield synth', check: 'calico-shield check', test: 'node --test test/calico-shield.test.mjs' });
    expect(Object.keys(pkg.dependencies)).toEqual(['calico-shield']);
    const workflow = fs.readFileSync(path.join(dir, '.github/workflows/calico-shield.yaml'), 'utf8');
    expect(workflow).toContain('node-version: "24"');
    // The pull request gets the access report; its placeholders are GitHub's, not template leftovers.
    expect(workflow).toContain('npx calico-shield diff-access "$BASE" > access.md');
    expect(workflow).toContain('BASE: origin/${{ github.base_ref }}');
    expect(fs.readFileSync(path.join(dir, '.gitattributes'), 'utf8')).toContain('dist/**/ACCESS.md linguist-generated=false\n');
    const synth = runBinary(dir, ['synth']);
    expect(synth.stderr).not.toMatch(/error\[/);
    expect(synth).toMatchObject({ code: 0 });
    expect(synth.stdout).toContain('wrote   dist/example/');
    expect(runBinary(dir, ['check']).code).toBe(0);
  });

  it('can scaffold a folder it creates', () => {
    const dir = tempDir();
    expect(runBinary(dir, ['init', 'gitops']).code).toBe(0);
    expect(listFiles(path.join(dir, 'gitops'))).toEqual(SCAFFOLD);
  });

  it('can add its scripts to an existing package.json and keep the scripts of the same name it finds', () => {
    const dir = tempDir();
    const mine = { name: 'mine', version: '1.0.0', scripts: { test: 'echo "Error: no test specified" && exit 1', synth: 'make synth', lint: 'eslint .' }, dependencies: { 'calico-shield': 'file:../calico-shield-0.1.0.tgz' } };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(mine, null, 2));
    const r = runBinary(dir, ['init']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('package.json: kept your own script "synth" (calico-shield\'s would be: calico-shield synth)');
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as typeof mine & { scripts: Record<string, string> };
    expect(pkg.name).toBe('mine');
    expect(pkg.scripts).toMatchObject({ synth: 'make synth', lint: 'eslint .', test: 'node --test test/calico-shield.test.mjs', check: 'calico-shield check' });
    expect(pkg.dependencies['calico-shield']).toBe('file:../calico-shield-0.1.0.tgz');
  });

  it('fails with exit 4 and writes nothing when a file it would create exists', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'clusters'));
    fs.writeFileSync(path.join(dir, 'clusters', 'example.yaml'), 'mine\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'mine\n');
    const r = runBinary(dir, ['init']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([4, 'error: clusters/example.yaml: exists already (and README.md): init writes a new repository and overwrites nothing']);
    expect(listFiles(dir)).toEqual(['README.md', 'clusters/example.yaml']);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('mine\n');
  });

  it.each(['clusters', '.github'])('fails with exit 4 and writes nothing when %s is a link to a folder elsewhere', (link) => {
    const dir = tempDir();
    const outside = tempDir();
    fs.symlinkSync(outside, path.join(dir, link), 'dir');
    const r = runBinary(dir, ['init']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([4, `error: ${link}: is a symbolic link: init writes only into real folders`]);
    expect(listFiles(outside)).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([link]);
  });

  it('fails with exit 4 and writes nothing when a staged package.json of an earlier run is left', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
    fs.writeFileSync(path.join(dir, 'package.json.calico-shield-init'), '{}\n');
    const r = runBinary(dir, ['init']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([4, 'error: package.json.calico-shield-init: exists already: init writes a new repository and overwrites nothing']);
    expect(listFiles(dir)).toEqual(['package.json', 'package.json.calico-shield-init']);
  });

  it('fails with exit 4 on a package.json that is not a JSON object, writing nothing', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'package.json'), '[1]\n');
    const r = runBinary(dir, ['init']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([4, 'error: package.json: is not a JSON object']);
    expect(listFiles(dir)).toEqual(['package.json']);
  });
});

describe('help', () => {
  it.each([
    [['synth', '--help'], 'usage: calico-shield synth'],
    [['help', 'synth'], 'usage: calico-shield synth'],
    [['check', '-h'], 'usage: calico-shield check'],
    [['init', '--help'], 'usage: calico-shield init'],
    [['nodes', '--help'], 'usage: calico-shield nodes import'],
    [['nodes', 'import', '--help'], 'usage: calico-shield nodes import'],
    [['help'], 'usage: calico-shield <command>'],
    [['--help'], 'usage: calico-shield <command>'],
  ])('can print the help of %j and exit 0', (argv, first) => {
    const r = runBinary(tempDir(), argv);
    expect([r.code, r.stdout.split('\n')[0], r.stderr]).toEqual([0, expect.stringContaining(first), '']);
  });

  it('fails with exit 2 for the help of an unknown command', () => {
    const r = runBinary(tempDir(), ['help', 'deploy']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'unknown command deploy']);
  });
});
