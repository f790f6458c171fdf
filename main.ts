// What `cdk8s synth` runs (cdk8s.yaml `app`): compile every clusters/<name>.yaml into dist/<name>/.
import * as fs from 'node:fs';
import { run } from './lib/cli';

process.exitCode = run(['synth', ...process.argv.slice(2)], {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
// cdk8s synth checks that the app created its output folder (cdk8s.yaml `output`, which cdk8s
// empties first). The manifests go to dist/ instead, written atomically per cluster, so that a
// bad spec never leaves dist/ emptied.
if (process.exitCode === 0 && process.env.CDK8S_OUTDIR) fs.mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true });
