/**
 * A new calico-shield version that changes no object rewrites only the locks: the objects name
 * calico-shield without its version, which calico-shield.lock records (docs/gitops.md).
 */
import { ClusterInput } from '../../lib/pipeline';
import { OutputFile } from '../../lib/gitops/writer';
import { CLUSTERS } from '../support/cli';
import { readSpec } from '../support/paths';

type Compile = (input: ClusterInput) => { readonly files?: readonly OutputFile[] };

/** compileCluster of a calico-shield whose package.json says `version`. */
function compilerOf(version: string): Compile {
  let compile: Compile | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../package.json', () => ({ version }));
    compile = (jest.requireActual('../../lib/pipeline') as { compileCluster: Compile }).compileCluster;
  });
  jest.dontMock('../../package.json');
  if (!compile) throw new Error('the pipeline did not load');
  return compile;
}

describe('a version bump of calico-shield', () => {
  it.each(CLUSTERS)('leaves every file of dist/%s byte-identical but the lock', (cluster) => {
    const input: ClusterInput = { file: `clusters/${cluster}.yaml`, name: cluster, bytes: new TextEncoder().encode(readSpec(`clusters/${cluster}.yaml`)) };
    const before = compilerOf('1.0.0')(input).files ?? [];
    const after = compilerOf('1.1.0')(input).files ?? [];
    expect(before.length).toBeGreaterThan(0);
    expect(after.map((f) => f.path)).toEqual(before.map((f) => f.path));
    const changed = after.filter((f, i) => f.content !== before[i].content).map((f) => f.path);
    expect(changed).toEqual(['calico-shield.lock']);
    const lock = after.find((f) => f.path === 'calico-shield.lock')?.content ?? '';
    expect(JSON.parse(lock).generatorVersion).toBe('1.1.0');
  });
});
