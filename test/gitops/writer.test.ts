import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ClusterOutput, OutputFile, PartialWriteError, WriterFs, writeDist } from '../../lib/gitops/writer';

type Tree = Readonly<Record<string, string>>;

/** A cluster folder as calico-shield writes it: its calico-shield.lock lists every other file. */
function locked(calico: string, tree: Tree): Tree {
  const files = Object.fromEntries(Object.keys(tree).sort().map((path) => [path, 'sha256']));
  return { ...tree, 'calico-shield.lock': `${JSON.stringify({ calico, files })}\n` };
}

const OLD_PROD: Tree = locked('v3.31.0', {
  'kustomization.yaml': 'resources:\n- stages/10-policies\n- stages/20-host-endpoints\n',
  'stages/10-policies/kustomization.yaml': 'resources:\n- default-host.yaml\n',
  'stages/10-policies/default-host.yaml': 'kind: GlobalNetworkPolicy\n',
  'stages/20-host-endpoints/kustomization.yaml': 'resources:\n- node-1.eth0.yaml\n',
  'stages/20-host-endpoints/node-1.eth0.yaml': 'kind: HostEndpoint\n',
});
const NEW_PROD: Tree = locked('v3.32.1', {
  'kustomization.yaml': 'resources:\n- stages/10-policies\n- stages/30-felix\n',
  'stages/10-policies/kustomization.yaml': 'resources:\n- default-host.yaml\n',
  'stages/10-policies/default-host.yaml': 'kind: GlobalNetworkPolicy\nspec:\n  order: 10\n',
  'stages/30-felix/kustomization.yaml': 'resources:\n- default.yaml\n',
  'stages/30-felix/default.yaml': 'kind: FelixConfiguration\n',
});
const STAGING: Tree = locked('v3.32.1', {
  'ACCESS.md': '# Accès — staging\n',
});
const RETIRED: Tree = locked('v3.30.0', {
  'kustomization.yaml': 'resources: []\n',
});
const README = '# dist\n';

const output = (cluster: string, tree: Tree): ClusterOutput => ({
  cluster,
  files: Object.entries(tree).map(([path, content]): OutputFile => ({ path, content })),
});
const NEXT: readonly ClusterOutput[] = [output('prod', NEW_PROD), output('staging', STAGING)];
/** What seed() plants, as outputs: a run with these finds nothing to do. */
const SEEDED: readonly ClusterOutput[] = [output('prod', OLD_PROD), output('retired', RETIRED), output('staging', STAGING)];

let dist: string;
beforeEach(() => {
  dist = join(nodeFs.mkdtempSync(join(tmpdir(), 'calico-shield-writer-')), 'dist');
});
afterEach(() => {
  nodeFs.rmSync(dirname(dist), { recursive: true, force: true });
});

function plant(folder: string, tree: Tree): void {
  for (const [path, content] of Object.entries(tree)) {
    nodeFs.mkdirSync(dirname(join(folder, path)), { recursive: true });
    nodeFs.writeFileSync(join(folder, path), content);
  }
}

/** dist/ as calico-shield found it: an older prod, the current staging, a retired cluster and a README. */
function seed(): void {
  nodeFs.rmSync(dist, { recursive: true, force: true });
  plant(join(dist, 'prod'), OLD_PROD);
  plant(join(dist, 'staging'), STAGING);
  plant(join(dist, 'retired'), RETIRED);
  nodeFs.writeFileSync(join(dist, 'README.md'), README);
}

/** Every file under a folder with its content; folders end with '/'; undefined when the folder is missing. */
function readTree(folder: string): Tree | undefined {
  if (!nodeFs.existsSync(folder)) {
    return undefined;
  }
  const tree: Record<string, string> = {};
  for (const entry of nodeFs.readdirSync(folder, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name).slice(folder.length + 1).split('\\').join('/');
    tree[entry.isDirectory() ? `${path}/` : path] = entry.isDirectory() ? '' : nodeFs.readFileSync(join(folder, path), 'utf8');
  }
  return tree;
}

/** A tree with its folders listed, as readTree reads it. */
function withFolders(tree: Tree): Tree {
  const result: Record<string, string> = { ...tree };
  for (const path of Object.keys(tree)) {
    for (let folder = dirname(path); folder !== '.'; folder = dirname(folder)) {
      result[`${folder}/`] = '';
    }
  }
  return result;
}

/** A tree as text that does not depend on the order its entries were read in. */
const canonical = (tree: Tree | undefined): string => JSON.stringify(tree === undefined ? null : Object.entries(tree).sort());

const hidden = (): string[] => nodeFs.readdirSync(dist).filter((name) => name.startsWith('.'));

/** Which complete tree a folder holds, if any: a mix of two trees is 'mixed'. */
function state(folder: string, trees: Readonly<Record<string, Tree>>): string {
  const tree = readTree(folder);
  if (tree === undefined) {
    return 'missing';
  }
  const match = Object.entries(trees).find(([, candidate]) => canonical(withFolders(candidate)) === canonical(tree));
  return match === undefined ? 'mixed' : match[0];
}

/** node:fs, with `before` called ahead of every call. */
function wrapFs(before: (method: keyof WriterFs, target: string | number) => void): WriterFs {
  const call = <T>(method: keyof WriterFs, target: string | number, run: () => T): T => {
    before(method, target);
    return run();
  };
  return {
    mkdirSync: (path, options) => call('mkdirSync', path, () => nodeFs.mkdirSync(path, options)),
    openSync: (path, flags) => call('openSync', path, () => nodeFs.openSync(path, flags)),
    writeFileSync: (fd, data) => call('writeFileSync', fd, () => nodeFs.writeFileSync(fd, data)),
    fsyncSync: (fd) => call('fsyncSync', fd, () => nodeFs.fsyncSync(fd)),
    closeSync: (fd) => call('closeSync', fd, () => nodeFs.closeSync(fd)),
    renameSync: (oldPath, newPath) => call('renameSync', oldPath, () => nodeFs.renameSync(oldPath, newPath)),
    rmSync: (path, options) => call('rmSync', path, () => nodeFs.rmSync(path, options)),
    readdirSync: (path, options) => call('readdirSync', path, () => nodeFs.readdirSync(path, options)),
    lstatSync: (path, options) => call('lstatSync', path, () => nodeFs.lstatSync(path, options)),
    readFileSync: (path) => call('readFileSync', path, () => nodeFs.readFileSync(path)),
  };
}

class InjectedFault extends Error {
  constructor(readonly method: keyof WriterFs) {
    super(`${method} failed`);
  }
}

/** Fails the call numbered `failAt`; when `killed`, every later call fails too, as if the process had died there. */
function faultyFs(failAt: number, killed: boolean): { readonly fs: WriterFs; readonly fired: () => boolean } {
  let calls = 0;
  const fs = wrapFs((method) => {
    calls += 1;
    if (calls === failAt || (killed && calls > failAt)) {
      throw new InjectedFault(method);
    }
  });
  return { fs, fired: () => calls >= failAt };
}

/** How many file system calls a run that fails nowhere makes. */
function callsOfOneRun(): number {
  seed();
  let calls = 0;
  writeDist(dist, NEXT, { prune: true, fs: wrapFs(() => (calls += 1)) });
  return calls;
}

/** Which of the two states dist/ is in: the seeded one, the one NEXT writes, or neither. */
function distState(): string {
  const clusters = {
    prod: state(join(dist, 'prod'), { old: OLD_PROD, new: NEW_PROD }),
    staging: state(join(dist, 'staging'), { same: STAGING }),
    retired: state(join(dist, 'retired'), { old: RETIRED }),
  };
  const readme = nodeFs.readFileSync(join(dist, 'README.md'), 'utf8') === README;
  if (readme && clusters.prod === 'old' && clusters.staging === 'same' && clusters.retired === 'old') return 'old';
  if (readme && clusters.prod === 'new' && clusters.staging === 'same' && clusters.retired === 'missing') return 'new';
  return JSON.stringify({ ...clusters, readme });
}

/**
 * Runs writeDist with the fault at every call in turn, until the fault is past the last call.
 * A run that fails must leave dist/ as it was (or, when killed mid-swap, as the next run puts
 * it back before doing anything else); a run that does not fail must have written NEXT whole.
 */
function runWithFaults(killed: boolean): { readonly failures: number; readonly wrong: readonly string[] } {
  const wrong: string[] = [];
  for (let failAt = 1; failAt < 1000; failAt += 1) {
    seed();
    const faulty = faultyFs(failAt, killed);
    const steps: string[] = [];
    let failure: unknown;
    try {
      writeDist(dist, NEXT, { prune: true, fs: faulty.fs, onStep: (step) => steps.push(step) });
    } catch (error) {
      failure = error;
    }
    if (!faulty.fired()) {
      return { failures: failAt - 1, wrong };
    }
    const committed = steps.includes('commit');
    const left = { failed: failure !== undefined, committed, state: distState(), hidden: hidden() };
    // A failure thrown before the commit leaves dist/ as it was; one after it (cleanup) is not thrown.
    const leftOk = killed ? !committed || left.state === 'new' : committed ? !left.failed && left.state === 'new' : left.failed && left.state === 'old' && left.hidden.length === 0;
    // The next run first undoes what the failed one left: a run with the seeded outputs then finds the seeded state.
    const undone = committed ? undefined : writeDist(dist, SEEDED, { prune: true });
    const undoneOk = undone === undefined || (JSON.stringify(undone) === JSON.stringify({ written: [], unchanged: ['prod', 'retired', 'staging'], removed: [] }) && hidden().length === 0);
    const report = writeDist(dist, NEXT, { prune: true });
    const recovered = { state: distState(), hidden: hidden(), reported: [...report.written, ...report.unchanged].sort() };
    const recoveredOk = JSON.stringify(recovered) === JSON.stringify({ state: 'new', hidden: [], reported: ['prod', 'staging'] });
    if (!leftOk || !undoneOk || !recoveredOk) {
      wrong.push(JSON.stringify({ failAt, left, undone, recovered }));
    }
  }
  return { failures: Number.NaN, wrong: ['the fault never passed the last call'] };
}

describe('writeDist', () => {
  it('can write a new cluster folder with nested stages', () => {
    const report = writeDist(dist, [output('prod', NEW_PROD)], { prune: false });
    expect(report).toEqual({ written: ['prod'], unchanged: [], removed: [] });
    expect(readTree(join(dist, 'prod'))).toEqual(withFolders(NEW_PROD));
    expect(hidden()).toEqual([]);
  });

  it('can replace a changed cluster and drop its stale files', () => {
    seed();
    const report = writeDist(dist, NEXT, { prune: false });
    expect(report).toEqual({ written: ['prod'], unchanged: ['staging'], removed: [] });
    expect(readTree(join(dist, 'prod'))).toEqual(withFolders(NEW_PROD));
    expect(hidden()).toEqual([]);
  });

  it('can leave byte-identical clusters untouched', () => {
    seed();
    const calls: string[] = [];
    const report = writeDist(dist, [output('prod', OLD_PROD), output('staging', STAGING)], { prune: false, fs: wrapFs((method, target) => calls.push(`${method} ${target}`)) });
    expect(report).toEqual({ written: [], unchanged: ['prod', 'staging'], removed: [] });
    expect(calls.filter((call) => !/^(readdirSync|readFileSync|lstatSync) /.test(call))).toEqual([`mkdirSync ${dist}`]);
  });

  it.each<[string, (folder: string) => void]>([
    [
      'an extra file its lock lists (written by an earlier run)',
      (folder) => {
        nodeFs.writeFileSync(join(folder, 'extra.yaml'), 'kind: HostEndpoint\n');
        nodeFs.writeFileSync(join(folder, 'calico-shield.lock'), locked('v3.32.1', { 'ACCESS.md': '', 'extra.yaml': '' })['calico-shield.lock'] ?? '');
      },
    ],
    ['one changed byte', (folder) => nodeFs.writeFileSync(join(folder, 'ACCESS.md'), '# Acces — staging\n')],
    ['a missing file', (folder) => nodeFs.rmSync(join(folder, 'ACCESS.md'))],
  ])('can rewrite a cluster folder with %s', (_, spoil) => {
    seed();
    spoil(join(dist, 'staging'));
    expect(writeDist(dist, [output('staging', STAGING)], { prune: false }).written).toEqual(['staging']);
    expect(readTree(join(dist, 'staging'))).toEqual(withFolders(STAGING));
  });

  it('can leave a cluster folder with an extra empty folder as it is: git keeps no empty folder', () => {
    seed();
    nodeFs.mkdirSync(join(dist, 'staging', 'stages'));
    expect(writeDist(dist, [output('staging', STAGING)], { prune: false }).unchanged).toEqual(['staging']);
  });

  it('can prune only the folders of clusters calico-shield wrote', () => {
    seed();
    plant(join(dist, 'notes'), { 'todo.md': '- review\n' });
    plant(join(dist, 'Not-A-Cluster'), { 'calico-shield.lock': '{}\n' });
    const report = writeDist(dist, NEXT, { prune: true });
    expect(report.removed).toEqual(['retired']);
    expect(nodeFs.readdirSync(dist).sort()).toEqual(['Not-A-Cluster', 'README.md', 'notes', 'prod', 'staging']);
  });

  it('can keep clusters missing from the outputs without prune', () => {
    seed();
    expect(writeDist(dist, NEXT, { prune: false }).removed).toEqual([]);
    expect(readTree(join(dist, 'retired'))).toEqual(withFolders(RETIRED));
  });

  it('can put back the old folder after a crash between the two renames of a swap', () => {
    const run = `${process.pid}-0123456789ab`;
    nodeFs.mkdirSync(dist);
    nodeFs.writeFileSync(join(dist, `.calico-shield-swap-${run}`), '');
    plant(join(dist, `.prod.old-${run}`), OLD_PROD);
    plant(join(dist, `.prod.tmp-${run}`), { 'kustomization.yaml': 'resources:\n' });
    expect(writeDist(dist, [output('prod', OLD_PROD)], { prune: false })).toEqual({ written: [], unchanged: ['prod'], removed: [] });
    expect(readTree(join(dist, 'prod'))).toEqual(withFolders(OLD_PROD));
    expect(hidden()).toEqual([]);
  });

  it('can put back the old folder after a crash after the renames of an unfinished swap', () => {
    const run = `${process.pid}-0123456789ab`;
    plant(join(dist, 'prod'), NEW_PROD);
    plant(join(dist, 'fresh'), STAGING);
    nodeFs.writeFileSync(join(dist, `.calico-shield-swap-${run}`), '');
    plant(join(dist, `.prod.old-${run}`), OLD_PROD);
    nodeFs.writeFileSync(join(dist, `.fresh.new-${run}`), '');
    expect(writeDist(dist, [output('prod', OLD_PROD)], { prune: false })).toEqual({ written: [], unchanged: ['prod'], removed: [] });
    expect(nodeFs.readdirSync(dist)).toEqual(['prod']);
  });

  it('can remove what a run that committed left before it could clean up', () => {
    const run = `${process.pid}-0123456789ab`;
    plant(join(dist, 'prod'), NEW_PROD);
    plant(join(dist, `.prod.old-${run}`), OLD_PROD);
    plant(join(dist, `.retired.tmp-${run}`), { 'kustomization.yaml': 'resources: []\n' });
    expect(writeDist(dist, [output('prod', NEW_PROD)], { prune: false })).toEqual({ written: [], unchanged: ['prod'], removed: [] });
    expect(hidden()).toEqual([]);
  });

  it('can leave alone what a run whose process still runs has staged', () => {
    // The test runner's parent process runs as long as this test.
    const alive = `.prod.tmp-${process.ppid}-0123456789ab`;
    plant(join(dist, alive), NEW_PROD);
    writeDist(dist, [output('prod', OLD_PROD)], { prune: false });
    expect(hidden()).toEqual([alive]);
  });

  it.each<[string, string, (folder: string) => void]>([
    ['a file its lock does not list', 'notes.md', (folder) => nodeFs.writeFileSync(join(folder, 'notes.md'), '# mine\n')],
    ['no lock', '', (folder) => nodeFs.rmSync(join(folder, 'calico-shield.lock'))],
    ['a lock calico-shield did not write', '', (folder) => nodeFs.writeFileSync(join(folder, 'calico-shield.lock'), 'mine\n')],
  ])('fails to replace a cluster folder with %s, and writes nothing', (_, file, spoil) => {
    seed();
    spoil(join(dist, 'prod'));
    const before = readTree(dist);
    expect(() => writeDist(dist, NEXT, { prune: true })).toThrow(`${join(dist, 'prod', file)}: `.replace(/\/: $/, ': '));
    expect(readTree(dist)).toEqual(before);
  });

  it('fails to prune a cluster folder with a file its lock does not list, and writes nothing', () => {
    seed();
    nodeFs.writeFileSync(join(dist, 'retired', 'notes.md'), '# mine\n');
    const before = readTree(dist);
    expect(() => writeDist(dist, NEXT, { prune: true })).toThrow(`${join(dist, 'retired', 'notes.md')}: was not written by calico-shield`);
    expect(readTree(dist)).toEqual(before);
  });

  it('fails on a link in a cluster folder without following it, and writes nothing', () => {
    seed();
    const outside = join(dirname(dist), 'outside');
    plant(outside, { 'secret.txt': 'secret\n' });
    nodeFs.symlinkSync(join(outside, 'secret.txt'), join(dist, 'prod', 'kustomization.yaml.bak'));
    expect(() => writeDist(dist, NEXT, { prune: true })).toThrow(`${join(dist, 'prod', 'kustomization.yaml.bak')}: is a symbolic link`);
    expect(state(join(dist, 'prod'), {})).toBe('mixed');
    expect(nodeFs.readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
  });

  it('fails with the folders it could not put back named, and the next run puts them back', () => {
    seed();
    let renames = 0;
    // The swap of prod succeeds, then every rename fails: the prune of retired and putting prod back.
    const fs = wrapFs((method) => {
      if (method === 'renameSync' && ++renames > 2) throw new InjectedFault(method);
    });
    let failure: unknown;
    try {
      writeDist(dist, NEXT, { prune: true, fs });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(PartialWriteError);
    expect((failure as PartialWriteError).replaced).toEqual([join(dist, 'prod')]);
    expect(distState()).toBe(JSON.stringify({ prod: 'new', staging: 'same', retired: 'old', readme: true }));
    expect(writeDist(dist, SEEDED, { prune: true })).toEqual({ written: [], unchanged: ['prod', 'retired', 'staging'], removed: [] });
    expect(hidden()).toEqual([]);
  });

  it('can leave each cluster complete, old or new, whichever file system call fails', () => {
    const { failures, wrong } = runWithFaults(false);
    expect(wrong).toEqual([]);
    expect(failures).toBe(callsOfOneRun());
  });

  it('can recover on the next run after being killed at any file system call', () => {
    const { failures, wrong } = runWithFaults(true);
    expect(wrong).toEqual([]);
    expect(failures).toBe(callsOfOneRun());
  });

  it.each<[string, readonly ClusterOutput[], string]>([
    ['an empty path', [output('prod', { '': 'x' })], 'Output path "" of cluster "prod" must be non-empty and hold only A-Z, a-z, 0-9, ".", "_", "-" and "/".'],
    ['an absolute path', [output('prod', { '/etc/passwd': 'x' })], 'Output path "/etc/passwd" of cluster "prod" must be relative to the cluster folder.'],
    ['a ".." segment', [output('prod', { 'stages/../../x.yaml': 'x' })], 'Output path "stages/../../x.yaml" of cluster "prod" must not hold empty, "." or ".." segments.'],
    ['a "." segment', [output('prod', { './x.yaml': 'x' })], 'Output path "./x.yaml" of cluster "prod" must not hold empty, "." or ".." segments.'],
    ['an empty segment', [output('prod', { 'stages//x.yaml': 'x' })], 'Output path "stages//x.yaml" of cluster "prod" must not hold empty, "." or ".." segments.'],
    ['a trailing slash', [output('prod', { 'stages/': 'x' })], 'Output path "stages/" of cluster "prod" must not hold empty, "." or ".." segments.'],
    ['a backslash', [output('prod', { 'stages\\x.yaml': 'x' })], 'Output path "stages\\x.yaml" of cluster "prod" must be non-empty and hold only'],
    ['a space', [output('prod', { 'x y.yaml': 'x' })], 'Output path "x y.yaml" of cluster "prod" must be non-empty and hold only'],
    ['a non-ASCII letter', [output('prod', { 'accès.md': 'x' })], 'Output path "accès.md" of cluster "prod" must be non-empty and hold only'],
    [
      'a duplicate path',
      [{ cluster: 'prod', files: [{ path: 'a.yaml', content: '1' }, { path: 'a.yaml', content: '2' }] }],
      'Output path "a.yaml" of cluster "prod" appears twice.',
    ],
    ['a path that is also a folder', [output('prod', { stages: 'x', 'stages/a.yaml': 'y' })], 'Output path "stages" of cluster "prod" is both a file and a folder.'],
    ['an upper-case cluster name', [output('Prod', {})], 'Cluster name "Prod" is not a DNS-1123 label'],
    ['a cluster name with a dot', [output('prod.eu', {})], 'Cluster name "prod.eu" is not a DNS-1123 label'],
    ['a cluster name ending with "-"', [output('prod-', {})], 'Cluster name "prod-" is not a DNS-1123 label'],
    ['a cluster name of 64 characters', [output('a'.repeat(64), {})], `Cluster name "${'a'.repeat(64)}" is not a DNS-1123 label`],
    ['an empty cluster name', [output('', {})], 'Cluster name "" is not a DNS-1123 label'],
    ['a duplicate cluster', [output('prod', {}), output('prod', {})], 'Cluster "prod" appears twice in the outputs.'],
  ])('fails on %s before touching the disk', (_, outputs, message) => {
    const good = output('staging', STAGING);
    expect(() => writeDist(dist, [good, ...outputs], { prune: true })).toThrow(message);
    expect(nodeFs.existsSync(dist)).toBe(false);
  });
});
