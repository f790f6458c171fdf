/**
 * Where the tests find their files. They never read the repository's clusters/, dist/ or
 * deploy/, which hold whatever clusters its users run (test/shipped-examples.test.ts aside): the
 * example specs calico-shield ships are copied to test/fixtures/examples/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The copies of the example specs calico-shield ships in clusters/, which the tests compile in their place. */
export const EXAMPLES = path.join(ROOT, 'test', 'fixtures', 'examples');

/** The copy of deploy/repository.yaml that goes with EXAMPLES. */
export const DEPLOY_REPOSITORY = path.join(ROOT, 'test', 'fixtures', 'deploy', 'repository.yaml');

/**
 * The file behind a spec path of the tests: `clusters/<file>` is the example's copy in EXAMPLES
 * (tests keep the label a GitOps repository shows), any other path is relative to the repository.
 */
export function specFile(relativePath: string): string {
  return relativePath.startsWith('clusters/') ? path.join(EXAMPLES, relativePath.slice('clusters/'.length)) : path.join(ROOT, relativePath);
}

/** The text of a spec path of the tests (see specFile). */
export function readSpec(relativePath: string): string {
  return fs.readFileSync(specFile(relativePath), 'utf8');
}
