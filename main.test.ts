/**
 * One snapshot per chart of each example cluster (the copies in test/fixtures/examples/, labelled
 * clusters/<name>.yaml): the reviewable form of what lands in dist/. Behaviour is pinned by
 * focused assertions in test/; these make every change visible.
 */
import { objectYaml } from './lib/gitops/render';
import { CLUSTERS } from './test/support/cli';
import { compileOk } from './test/support/compile';
import { YamlText, yamlSerializer } from './test/support/yaml-snapshot';

expect.addSnapshotSerializer(yamlSerializer);

const WAVE_OF_KIND: Readonly<Record<string, string>> = {
  GlobalNetworkSet: '1',
  GlobalNetworkPolicy: '1',
  NetworkPolicy: '1',
  HostEndpoint: '2',
  KubeControllersConfiguration: '2',
  FelixConfiguration: '3',
};

describe.each(CLUSTERS.map((name) => `${name}.yaml`))('clusters/%s', (file) => {
  const result = compileOk(`clusters/${file}`);

  it('can compile without findings', () => {
    expect(result.findings).toEqual([]);
  });

  it.each((result.charts ?? []).map((c) => [c.chart, c] as const))('can synthesise the %s chart', (_id, chart) => {
    expect(chart.objects.length).toBeGreaterThan(0);
    for (const o of chart.objects) {
      expect(o.apiVersion).toBe('projectcalico.org/v3');
      expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('calico-shield');
      // Policies and sets first, host endpoints (or what creates them) second, Felix last.
      expect(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe(WAVE_OF_KIND[o.kind]);
    }
    expect(new YamlText(chart.objects.map((o) => `---\n${objectYaml(o)}`).join(''))).toMatchSnapshot();
  });
});
