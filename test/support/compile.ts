/** Compiles a spec file of the tests (an example's copy or another fixture, see specFile) for tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterResult, compileCluster } from '../../lib/pipeline';
import { withTestEnvironment } from './environment';
import { specFile } from './paths';

export { ROOT } from './paths';

/** Compiles a spec path of the tests (`clusters/<file>` is an example's copy: see specFile), labelled with that path. */
export function compileFile(relativePath: string): ClusterResult {
  const bytes = fs.readFileSync(specFile(relativePath));
  return compileCluster({ file: relativePath, name: path.basename(relativePath).replace(/\.ya?ml$/, ''), bytes });
}

/** Compiles spec text given inline, as if it were clusters/<name>.yaml, in the test environment unless it gives its own. */
export function compileText(text: string, name = 'test'): ClusterResult {
  return compileCluster({ file: `clusters/${name}.yaml`, name, bytes: Buffer.from(withTestEnvironment(text)) });
}

/** Like compileFile, but fails the test with the findings when there is an error. */
export function compileOk(relativePath: string): ClusterResult & Required<Pick<ClusterResult, 'objects' | 'files' | 'spec'>> {
  const r = compileFile(relativePath);
  if (!r.objects || !r.files || !r.spec) throw new Error(`${relativePath} does not compile:\n${r.findings.map((f) => `${f.line}:${f.col} ${f.code} ${f.message}`).join('\n')}`);
  return r as ClusterResult & Required<Pick<ClusterResult, 'objects' | 'files' | 'spec'>>;
}
