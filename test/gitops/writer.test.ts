import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ClusterOutput, OutputFile, WriterFs, writeDist } from '../../lib/gitops/writer';

type Tree = Readonly<Record<string, string>>;

const OLD_PROD: Tree = {
  'calico-shield.lock': '{"calico":"v3.31.0"}\n',
  'kustomization.yaml': 'resources:\n- stages/10-policies\n- stages/20-host-endpoints\n',
  'stages/10-policies/kustomization.yaml': 'resources:\n- default-host.yaml\n',
  'stages/10-policies/default-host.yaml': 'kind: GlobalNetworkPolicy\n',
  'stages/20-host-endpoints/kustomization.yaml': 'resources:\n- node-1.eth0.yaml\n',
  'stages/20-host-endpoints/node-1.eth0.yaml': 'kind: HostEndpoint\n',
};
const NEW_PROD: Tree = {
  'calico-shield.lock': '{"calico":"v3.32.1"}\n',
  'kustomization.yaml': 'resources:\n- stages/10-policies\n- stages/30-felix\n',
  'stages/10-policies/kustomization.yaml': 'resources:\n- default-host.yaml\n',
  'stages/10-policies/default-host.yaml': 'kind: GlobalNetworkPolicy\nspec:\n  order: 10\n',
  'stages/30-felix/kustomization.yaml': 'resources:\n- default.yaml\n',
  'stages/30-felix/default.yaml': 'kind: FelixConfiguration\n',
};
const STAGING: Tree = {
  'calico-shield.lock': '{"calico":"v3.32.1"}\n',
  'ACCESS.md': '# Accès — staging\n',
};
const RETIRED: Tree = {
  'calico-shield.lock': '{"calico":"v3.30.0"}\n',
  'kustomization.yaml': 'resources: []\n',
};
const README = '# dist\n';

const output = (cluster: string, tree: Tree): ClusterOutput => ({
  cluster,
  files: Object.entries(tree).map(([path, content]): OutputFile => ({ path, content })),
});
const NEXT: readonly ClusterOutput[] = [output('prod', NEW_PROD), output('staging', STAGING)];

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
    readFileSync: (path) => call('readFileSync', path, () => nodeFs.readFileSync(path)),
    existsSync: (path) => call('existsSync', path, () => nodeFs.existsSync(path)),
  };
}

class InjectedFault extends Error {
  constructor(readonly method: keyof WriterFs) {
    super(`${method} failed`);
  }
}

/** Fails the call numbered `failAt`; when `killed`, every later call fails too, as if the process had died there. */
function faultyFs(failAt: number, killed: boolean): WriterFs {
  let calls = 0;
  return wrapFs((method) => {
    calls += 1;
    if (calls === failAt || (killed && calls > failAt)) {
      throw new InjectedFault(method);
    }
  });
}

/** How many file system calls a run that fails nowhere makes. */
function callsOfOneRun(): number {
  seed();
  let calls = 0;
  writeDist(dist, NEXT, { prune: true, fs: wrapFs(() => (calls += 1)) });
  return calls;
}

/** Runs writeDist with the fault at every call in turn, until a run succeeds; returns what each failed run left. */
function runWithFaults(killed: boolean): { readonly failures: number; readonly wrong: readonly string[] } {
  const wrong: string[] = [];
  for (let failAt = 1; failAt < 1000; failAt += 1) {
    seed();
    let failure: unknown;
    try {
      writeDist(dist, NEXT, { prune: true, fs: faultyFs(failAt, killed) });
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) {
      return { failures: failAt - 1, wrong };
    }
    const prod = state(join(dist, 'prod'), { old: OLD_PROD, new: NEW_PROD });
    const aside = hidden().filter((name) => name.startsWith('.prod.old-'));
    const left = {
      failure: failure instanceof InjectedFault ? failure.method : String(failure),
      // A kill between the two renames leaves prod aside, complete, for the next run to restore.
      prod: prod === 'missing' && killed && aside.length === 1 ? `aside ${state(join(dist, aside[0]), { old: OLD_PROD })}` : prod,
      staging: state(join(dist, 'staging'), { unchanged: STAGING }),
      retired: state(join(dist, 'retired'), { old: RETIRED }),
      readme: nodeFs.readFileSync(join(dist, 'README.md'), 'utf8'),
      hidden: hidden().length,
    };
    const report = writeDist(dist, NEXT, { prune: true });
    const recovered = {
      prod: state(join(dist, 'prod'), { new: NEW_PROD }),
      staging: state(join(dist, 'staging'), { unchanged: STAGING }),
      retired: state(join(dist, 'retired'), {}),
      hidden: hidden(),
      reported: [...report.written, ...report.unchanged].sort(),
    };
    // A failed run removes its hidden folders, unless removing them is what failed.
    const cleanedUp = killed || left.hidden === 0 || left.failure === 'rmSync';
    const leftOk = cleanedUp && failure instanceof InjectedFault && ['old', 'new', 'aside old'].includes(left.prod) && left.staging === 'unchanged' && ['old', 'missing'].includes(left.retired) && left.readme === README;
    const recoveredOk = JSON.stringify(recovered) === JSON.stringify({ prod: 'new', staging: 'unchanged', retired: 'missing', hidden: [], reported: ['prod', 'staging'] });
    if (!leftOk || !recoveredOk) {
      wrong.push(JSON.stringify({ failAt, left, recovered }));
    }
  }
  return { failures: Number.NaN, wrong: ['no run succeeded'] };
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
    expect(calls.filter((call) => !/^(readdirSync|readFileSync|existsSync) /.test(call))).toEqual([`mkdirSync ${dist}`]);
  });

  it.each<[string, (folder: string) => void]>([
    ['an extra file', (folder) => nodeFs.writeFileSync(join(folder, 'extra.yaml'), 'kind: HostEndpoint\n')],
    ['an extra empty folder', (folder) => nodeFs.mkdirSync(join(folder, 'stages'))],
    ['one changed byte', (folder) => nodeFs.writeFileSync(join(folder, 'ACCESS.md'), '# Acces — staging\n')],
    ['a missing file', (folder) => nodeFs.rmSync(join(folder, 'ACCESS.md'))],
  ])('can rewrite a cluster folder with %s', (_, spoil) => {
    seed();
    spoil(join(dist, 'staging'));
    expect(writeDist(dist, [output('staging', STAGING)], { prune: false }).written).toEqual(['staging']);
    expect(readTree(join(dist, 'staging'))).toEqual(withFolders(STAGING));
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

  it('can put back the old folder after a crash between the two renames', () => {
    nodeFs.mkdirSync(dist);
    plant(join(dist, '.prod.old-0123456789ab'), OLD_PROD);
    plant(join(dist, '.prod.tmp-0123456789ab'), { 'kustomization.yaml': 'resources:\n' });
    expect(writeDist(dist, [output('prod', OLD_PROD)], { prune: false })).toEqual({ written: [], unchanged: ['prod'], removed: [] });
    expect(readTree(join(dist, 'prod'))).toEqual(withFolders(OLD_PROD));
    expect(hidden()).toEqual([]);
  });

  it('can remove the old folder left by a crash after the swap', () => {
    plant(join(dist, 'prod'), NEW_PROD);
    plant(join(dist, '.prod.old-0123456789ab'), OLD_PROD);
    plant(join(dist, '.retired.tmp-0123456789ab'), { 'kustomization.yaml': 'resources: []\n' });
    expect(writeDist(dist, [output('prod', NEW_PROD)], { prune: false })).toEqual({ written: [], unchanged: ['prod'], removed: [] });
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
