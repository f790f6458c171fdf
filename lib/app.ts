/**
 * The cluster specs of a folder as a cdk8s App: one Chart per clusters/<name>.yaml holding a
 * CalicoShieldCluster. What `cdk8s synth` builds (main.ts) and what a user's own cdk8s app
 * can build from their clusters/ folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { CalicoShieldCluster, CalicoShieldClusterProps, CalicoShieldError, ClusterSpecProps } from './construct';
import { fastRoot } from './spec/fast-yaml';
import { nodeValue } from './spec/nodes';
import { parseClusterSpec } from './spec/parse';

/**
 * The specs of `dir` (every `<name>.yaml`, sorted by name) as construct props. Each file is read
 * as synth reads it first (so `0x2383`, a metadata.name other than the file's, or YAML that
 * only another reader accepts is refused here with its file, line and column, as synth refuses
 * it), then its spec block becomes the props, which the construct compiles.
 */
export function loadClusterProps(dir: string): CalicoShieldClusterProps[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.yaml'.length);
      const bytes = fs.readFileSync(path.join(dir, f));
      const errors = parseClusterSpec(path.join(dir, f), name, bytes).findings.filter((x) => x.severity === 'error');
      if (errors.length > 0) throw new CalicoShieldError(errors);
      // The fast reader's tree when it takes the text (it did, as parseClusterSpec's first try): it
      // reads as yaml's parse does, in half the time on a large spec; yaml's parse otherwise.
      const text = bytes.toString('utf8');
      const root = fastRoot(text);
      const document: unknown = root ? nodeValue(root) : parse(text);
      const spec = typeof document === 'object' && document !== null && 'spec' in document ? document.spec : undefined;
      return { name, spec: (spec ?? {}) as ClusterSpecProps };
    });
}

/** Adds a Chart named like each cluster, holding its CalicoShieldCluster, to `app`. */
export function addClusterCharts(app: App, clusters: readonly CalicoShieldClusterProps[]): Chart[] {
  return clusters.map((props) => {
    const chart = new Chart(app, props.name, { disableResourceNameHashes: true });
    new CalicoShieldCluster(chart, 'calico-shield', props);
    return chart;
  });
}
