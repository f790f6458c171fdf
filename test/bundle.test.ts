/**
 * The bundles the calico-shield command, `cdk8s synth` and the package's API load
 * (scripts/bundle.js, built before the tests by test/support/bundle.js) are ASCII: one non-ASCII
 * character anywhere, even in a comment, makes V8 read and compile the whole file as two-byte
 * text (BENCHMARKS.md, the eighth stop). The API's bundle keeps its comments for the package's
 * readers, so a comment of lib/ that esbuild keeps must be ASCII.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './support/compile';

describe('the bundles', () => {
  it.each(['build/cli.js', 'build/main.js', 'build/index.js'])('%s is ASCII', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'latin1');
    const at = text.search(/[^\x00-\x7f]/);
    expect(at === -1 ? 'ASCII' : `a non-ASCII character at ${at}: ${text.slice(Math.max(0, at - 40), at + 40)}`).toBe('ASCII');
  });
});
