// What `cdk8s synth` runs (cdk8s.yaml `app`): every clusters/<name>.yaml compiled into
// dist/<name>/ by calico-shield synth (the folders Argo CD and Flux apply), then the same
// clusters as a cdk8s App, one <cluster>.k8s.yaml each, into cdk8s's output folder, so that
// `cdk8s synth` writes manifests and `cdk8s synth --stdout` prints them.
import * as path from 'node:path';
import { App } from 'cdk8s';
import { addClusterCharts, loadClusterProps } from './lib/app';
import { run } from './lib/cli';

const argv = process.argv.slice(2);
const outdir = process.env.CDK8S_OUTDIR;
// Under cdk8s synth, stdout may be the manifests (--stdout): synth's own report goes to stderr.
const report = (text: string): void => void (outdir ? process.stderr : process.stdout).write(text);
process.exitCode = run(['synth', ...argv], { stdout: report, stderr: (text) => process.stderr.write(text), cwd: process.cwd() });
if (process.exitCode === 0 && outdir) {
  // The folder synth read: --clusters DIR or --clusters=DIR, as its parser takes them.
  const clusters = argv.find((a) => a.startsWith('--clusters='))?.slice('--clusters='.length) ?? (argv.includes('--clusters') ? argv[argv.indexOf('--clusters') + 1] : 'clusters');
  const app = new App({ outdir });
  addClusterCharts(app, loadClusterProps(path.resolve(clusters ?? 'clusters')));
  app.synth();
}
