/**
 * chartJson renders a chart's objects one by one, without cdk8s's App-wide dependency graph
 * and validation pass, only when neither could change anything: it must give exactly what
 * `chart.toJson()` gives, and fall back to it otherwise.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { buildCharts } from '../../lib/charts/charts';
import { chartJson } from '../../lib/charts/synth';
import { planCluster } from '../../lib/plan/plan';
import { parseClusterSpec } from '../../lib/spec/parse';
import { EXAMPLES as EXAMPLES_DIR, readSpec } from '../support/paths';

const EXAMPLES = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort();

function charts(file: string): Chart[] {
  const name = path.basename(file, '.yaml');
  const { spec } = parseClusterSpec(`clusters/${file}`, name, Buffer.from(readSpec(`clusters/${file}`)));
  if (!spec) throw new Error(`${file} does not parse`);
  return buildCharts(planCluster(spec));
}

describe('chartJson', () => {
  it.each(EXAMPLES)('gives what chart.toJson() gives for every chart of clusters/%s', (file) => {
    const direct = charts(file).map((c) => chartJson(c));
    const viaCdk8s = charts(file).map((c) => c.toJson());
    expect(direct).toEqual(viaCdk8s);
    // Not vacuous: every example has objects.
    expect(direct.flat().length).toBeGreaterThan(3);
  });

  /** Two objects, the first added depending on the second: cdk8s writes the second first. */
  function dependentChart(): Chart {
    const chart = new Chart(new App(), 'dependent', { disableResourceNameHashes: true });
    const first = new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    const second = new ApiObject(chart, 'second', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
    first.addDependency(second);
    return chart;
  }

  it('follows the dependency order cdk8s gives when a construct has a dependency', () => {
    const names = (objects: unknown[]): unknown[] => objects.map((o) => (o as { metadata: { name: string } }).metadata.name);
    expect(names(chartJson(dependentChart()))).toEqual(['second', 'first']);
    expect(names(chartJson(dependentChart()))).toEqual(names(dependentChart().toJson()));
  });

  it('fails as chart.toJson() does when a construct does not validate', () => {
    const chart = new Chart(new App(), 'invalid', { disableResourceNameHashes: true });
    const object = new ApiObject(chart, 'object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'object' } });
    object.node.addValidation({ validate: () => ['not valid'] });
    expect(() => chartJson(chart)).toThrow(/not valid/);
  });
});
