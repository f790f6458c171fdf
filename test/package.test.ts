/**
 * calico-shield as its users get it: the npm package, and the cdk8s app of this repository.
 *
 * - `npm pack` of a copy of the repository gives a tarball that installs into an empty folder
 *   and runs with no build step: `npx calico-shield init`, `npx calico-shield synth`, `npm test`.
 * - `cdk8s synth --stdout` prints the manifests of the example clusters.
 *
 * Both run in copies, never in the repository itself (npm pack builds, synth writes dist/). The
 * install needs the npm registry (or npm's cache), as `npm ci` does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runShell } from './support/binary';
import { removeWorkspaces, tempDir } from './support/cli';
import { ROOT } from './support/compile';

afterAll(removeWorkspaces);

/** What `npm pack` reads, copied: the package's files and what its prepack script builds them from. */
const PACKAGE_SOURCES = ['package.json', 'package-lock.json', 'bin', 'lib', 'imports', 'scripts', 'clusters', 'schemas', 'docs', 'README.md', 'LICENSE', 'CHANGELOG.md', 'SECURITY.md', 'tsconfig.json', 'tsconfig.types.json', 'main.ts'];

function copyOfRepository(entries: readonly string[]): string {
  const dir = tempDir();
  for (const entry of entries) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function sh(cwd: string, script: string): string {
  const r = runShell(cwd, script);
  if (r.code !== 0) throw new Error(`${script} (in ${cwd}) exited with ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

describe('the npm package', () => {
  let tarball: string;
  beforeAll(() => {
    const source = copyOfRepository(PACKAGE_SOURCES);
    const name = sh(source, 'npm pack --silent').trim().split('\n').pop() ?? '';
    tarball = path.join(source, name);
  }, 180_000);

  it('can ship the CLI bundle, the API with its types, the schema and the docs, and no sources or tests', () => {
    const listed = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '');
    for (const file of ['package/bin/calico-shield.js', 'package/bin/code-cache.js', 'package/build/cli.js', 'package/build/cli.cache', 'package/build/index.js', 'package/build/types/lib/index.d.ts', 'package/schemas/cluster.v1alpha1.schema.json', 'package/docs/spec.md', 'package/LICENSE']) {
      expect(listed).toContain(file);
    }
    expect(listed.filter((f) => /^package\/(lib|test|clusters|dist|deploy|imports)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('can be installed in an empty folder and scaffold, synthesise and test a GitOps repository', () => {
    const user = tempDir();
    sh(user, `npm install --no-audit --no-fund --prefer-offline ${JSON.stringify(tarball)}`);
    // The command's code cache, built when the package was packed, is the installed bundle's.
    const installed = path.join(user, 'node_modules', 'calico-shield');
    const script = `process.stdout.write(require(${JSON.stringify(path.join(installed, 'bin', 'code-cache.js'))}).loadBundle(${JSON.stringify(path.join(installed, 'build', 'cli.js'))}).cache)`;
    expect(spawnSync(process.execPath, ['-e', script], { cwd: user, encoding: 'utf8' }).stdout).toBe('used');
    const init = sh(user, 'npx --no-install calico-shield init');
    expect(init).toContain('wrote   clusters/example.yaml');
    const synth = sh(user, 'npx --no-install calico-shield synth');
    expect(synth).toContain('wrote   dist/example/');
    expect(fs.existsSync(path.join(user, 'dist', 'example', '02-host-endpoints', 'hostendpoints.yaml'))).toBe(true);
    const test = runShell(user, 'npm test');
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^# pass 1$/m);
    // The scaffold's test fails when dist/ no longer is what the specs compile to.
    fs.appendFileSync(path.join(user, 'clusters', 'example.yaml'), '# edited without synth\n');
    expect(runShell(user, 'npm test').code).not.toBe(0);
    // The API resolves from the user's folder, with its types.
    const api = sh(user, `node -e "const s = require('calico-shield'); console.log(typeof s.CalicoShieldCluster, typeof s.compileCluster, s.VERSION)"`);
    expect(api.trim()).toMatch(/^function function \d+\.\d+\.\d+$/);
  }, 180_000);
});

describe('cdk8s synth of this repository', () => {
  it('can print the HostEndpoints of the example clusters with --stdout', () => {
    const app = copyOfRepository(['package.json', 'main.ts', 'lib', 'imports', 'scripts', 'cdk8s.yaml', 'tsconfig.json']);
    fs.mkdirSync(path.join(app, 'clusters'));
    for (const f of fs.readdirSync(path.join(ROOT, 'test', 'fixtures', 'examples')).filter((f) => f.endsWith('.yaml'))) fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'examples', f), path.join(app, 'clusters', f));
    const out = sh(app, 'CDK8S_CHECK_UPGRADE=false npx --no-install cdk8s synth --stdout');
    const docs = parseAllDocuments(out);
    if (!Array.isArray(docs)) throw new Error('not YAML');
    const kinds = docs.map((d) => (d.toJS() as { kind?: string } | null)?.kind);
    expect(kinds.filter((k) => k === 'HostEndpoint').length).toBeGreaterThan(0);
    expect(kinds).toContain('GlobalNetworkPolicy');
    // The synth also wrote dist/, as npm run synth does.
    expect(fs.readdirSync(path.join(app, 'dist')).length).toBeGreaterThan(0);
  }, 120_000);
});
