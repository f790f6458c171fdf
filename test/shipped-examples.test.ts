/**
 * The repository's own clusters/, dist/ and deploy/, whatever clusters they hold (the examples
 * calico-shield ships, or a user's own): the one test that reads them. Every other test compiles
 * the copies of the examples in test/fixtures/examples/.
 *
 * Every spec of clusters/ compiles without an error, and synth of clusters/ with
 * deploy/repository.yaml, in a folder of its own, writes the committed dist/ and the committed
 * Argo CD and Flux manifests of deploy/ byte for byte: what Argo CD and Flux apply is what the
 * specs say. After a change to clusters/ or deploy/repository.yaml, `npm run synth` makes it pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOY_REPO_FILE } from '../lib/gitops/deploy';
import { FILE_ERROR_EXIT } from '../lib/io/files';
import { compileCluster } from '../lib/pipeline';
import { readOutputs, removeWorkspaces, runCli, synth, tempDir } from './support/cli';
import { ROOT } from './support/paths';

afterAll(removeWorkspaces);

const CLUSTERS_DIR = path.join(ROOT, 'clusters');

/** The spec files of the repository's clusters/, sorted; none when it is missing. */
const SPECS = fs.existsSync(CLUSTERS_DIR) ? fs.readdirSync(CLUSTERS_DIR).filter((f) => f.endsWith('.yaml')).sort() : [];

/**
 * What synth writes of `outputs` (readOutputs' paths): a visible folder of dist/ per cluster, and
 * deploy/argocd/ and deploy/flux/. dist/README.md, hidden folders and deploy/repository.yaml are
 * not written, and `calico-shield check` does not compare them.
 */
function written(outputs: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...outputs].filter(([file]) => /^dist\/[^./][^/]*\/|^deploy\/(argocd|flux)\//.test(file)));
}

/** The cluster folders of dist/ that `files` (written's paths) are in, sorted. */
function clusterFolders(files: ReadonlyMap<string, string>): string[] {
  return [...new Set([...files.keys()].filter((f) => f.startsWith('dist/')).map((f) => f.split('/')[1]))].sort();
}

/** A folder with copies of the repository's `entries` (files and folders that exist). */
function copyOfRepository(entries: readonly string[]): string {
  const dir = tempDir();
  for (const entry of entries) {
    if (!fs.existsSync(path.join(ROOT, entry))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, entry)), { recursive: true });
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

if (SPECS.length > 0) {
  describe("the repository's clusters/", () => {
    it.each(SPECS)('can compile clusters/%s without an error', (file) => {
      const r = compileCluster({ file: `clusters/${file}`, name: file.replace(/\.yaml$/, ''), bytes: fs.readFileSync(path.join(CLUSTERS_DIR, file)) });
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(r.files?.length).toBeGreaterThan(0);
    });

    it('can synthesise the committed dist/ and deploy/ byte for byte', () => {
      const fresh = copyOfRepository(['clusters', DEPLOY_REPO_FILE]);
      synth(fresh);
      const expected = written(readOutputs(fresh));
      const committed = written(readOutputs(ROOT));
      // A folder per spec, and none of a deleted spec: Argo CD's ApplicationSet makes an Application of each.
      expect(clusterFolders(committed)).toEqual(SPECS.map((f) => f.replace(/\.yaml$/, '')));
      expect([...committed.keys()]).toEqual([...expected.keys()]);
      for (const [file, text] of expected) expect([file, committed.get(file)]).toEqual([file, text]);
    });
  });
} else {
  describe("the repository's clusters/, with no spec", () => {
    it('can leave dist/ and deploy/ as they are: synth refuses a clusters/ without a spec and writes nothing', () => {
      // There is nothing to compile: synth (and so `npm run synth`) stops with an error and changes
      // nothing, so the committed dist/ and deploy/ stay as they were, for a human to keep or remove.
      const repository = copyOfRepository(['clusters', 'dist', 'deploy']);
      const before = readOutputs(repository);
      const result = runCli(repository, ['synth', '--force']);
      expect(result.code).toBe(FILE_ERROR_EXIT);
      expect(result.stderr).toMatch(/^error: clusters: (does not exist|holds no cluster spec)/);
      expect(readOutputs(repository)).toEqual(before);
      expect(before).toEqual(readOutputs(ROOT));
    });
  });
}
