/**
 * The cluster specs of a folder as a cdk8s App: one Chart per clusters/<name>.yaml holding a
 * CalicoShieldCluster. What `cdk8s synth` builds (main.ts) and what a user's own cdk8s app
 * can build from their clusters/ folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { CalicoShieldCluster, CalicoShieldClusterProps, ClusterSpecProps } from './construct';

/**
 * The specs of `dir` (every `<name>.yaml`, sorted by name) as construct props. Only the YAML
 * is read here: the construct validates the fields, as synth does.
 */
export function loadClusterProps(dir: string): CalicoShieldClusterProps[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const document: unknown = parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const spec = typeof document === 'object' && document !== null && 'spec' in document ? document.spec : undefined;
      return { name: f.slice(0, -'.yaml'.length), spec: (spec ?? {}) as ClusterSpecProps };
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
