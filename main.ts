// What `cdk8s synth` runs (cdk8s.yaml `app`): compile every clusters/<name>.yaml into dist/<name>/.
import { run } from './lib/cli';

process.exitCode = run(['synth', ...process.argv.slice(2)], {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
