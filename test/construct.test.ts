/**
 * The cdk8s construct (lib/construct.ts): one protected cluster in a user's own Chart, with
 * typed props, through the same validation and guard rails as `calico-shield synth`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { addClusterCharts, loadClusterProps } from '../lib/app';
import { CalicoShieldCluster, CalicoShieldError, ClusterSpecProps } from '../lib/construct';
import { compileCluster } from '../lib/pipeline';
import { ROOT } from './support/compile';


const SPEC: ClusterSpecProps = {
  approach: 'deny-list',
  environment: { install: 'manifests', ipPools: [{ cidr: '192.168.0.0/16', natOutgoing: false }], encapsulation: 'None' },
  nodes: [
    { name: 'node-1', interfaces: [{ name: 'eth0', expectedIPs: ['10.0.0.11'] }] },
    { name: 'node-2', interfaces: [{ name: 'eth0', expectedIPs: ['10.0.0.12'] }] },
  ],
  metrics: { allowedNets: ['172.16.0.0/24'], calicoNode: {}, typha: {} },
};

function construct(spec: ClusterSpecProps, chartProps: { namespace?: string; labels?: Record<string, string> } = {}): { chart: Chart; cluster: CalicoShieldCluster } {
  const chart = new Chart(Testing.app(), 'edge', chartProps);
  return { chart, cluster: new CalicoShieldCluster(chart, 'calico-shield', { name: 'edge', spec }) };
}

describe('CalicoShieldCluster', () => {
  it('can hold exactly the objects calico-shield synth compiles from the same spec in a file', () => {
    const { chart, cluster } = construct(SPEC);
    const file = compileCluster({ file: 'clusters/edge.yaml', name: 'edge', bytes: new TextEncoder().encode(JSON.stringify({ apiVersion: 'calico-shield/v1alpha1', kind: 'Cluster', spec: SPEC })) });
    expect(file.objects).toBeDefined();
    expect(cluster.objects).toEqual(file.objects);
    // What cdk8s synthesises from the chart is those objects, unchanged.
    expect(Testing.synth(chart)).toEqual(file.objects);
    expect(cluster.objects.filter((o) => o.kind === 'HostEndpoint').map((o) => o.metadata.name)).toEqual(['node-1.eth0', 'node-2.eth0']);
    expect(cluster.warnings.map((w) => w.code)).toContain('partial-interfaces');
  });

  it('throws a CalicoShieldError naming each wrong field by its path', () => {
    const bad: ClusterSpecProps = { ...SPEC, nodes: [{ name: 'node-1', interfaces: [{ name: 'eth0', expectedIPs: ['10.0.0.300'] }] }] };
    let error: unknown;
    try {
      construct(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalicoShieldError);
    const findings = (error as CalicoShieldError).findings;
    expect(findings.map((f) => [f.code, f.field])).toEqual([['bad-ip', 'spec.nodes[0].interfaces[0].expectedIPs[0]']]);
    // Positions are those of the props' JSON text, which the user never sees: left out.
    expect(findings[0].line).toBeUndefined();
    expect((error as Error).message).toContain('spec.nodes[0].interfaces[0].expectedIPs[0]');
  });

  it('throws on a guard rail as synth fails on it: a spec that cuts what it allows', () => {
    const cut: ClusterSpecProps = { ...SPEC, environment: { install: 'manifests', encapsulation: 'None' } };
    expect(() => construct(cut)).toThrow(/error\[client-cut\] spec\.metrics\.calicoNode/);
  });

  it.each([
    ['a namespace', { namespace: 'calico-system' }],
    ['labels', { labels: { team: 'platform' } }],
  ])('refuses a chart with %s, which cdk8s would add to every Calico object', (_what, chartProps) => {
    expect(() => construct(SPEC, chartProps)).toThrow('sets a namespace or labels');
  });

  it('can build one chart per spec file of a folder', () => {
    const dir = path.join(ROOT, 'test', 'fixtures', 'examples');
    const props = loadClusterProps(dir);
    expect(props.map((p) => p.name)).toEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort());
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-app-')) });
    const charts = addClusterCharts(app, props);
    expect(charts.map((c) => c.node.id)).toEqual(props.map((p) => p.name));
    for (const chart of charts) expect(Testing.synth(chart).length).toBeGreaterThan(0);
    expect(loadClusterProps(path.join(dir, 'no-such-folder'))).toEqual([]);
  });

  it('refuses a spec file that synth would refuse, with its file and position, before building anything', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calico-shield-props-'));
    const example = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'examples', 'example.yaml'), 'utf8');
    // 0x2383 is 9091 to a YAML 1.2 reader that resolves hex, and an error to synth.
    fs.writeFileSync(path.join(dir, 'example.yaml'), example.replace('calicoNode: {}', 'calicoNode: {port: 0x2383}'));
    expect(example).toContain('calicoNode: {}');
    let error: unknown;
    try {
      loadClusterProps(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalicoShieldError);
    expect((error as CalicoShieldError).findings.map((f) => [f.code, f.field, f.file])).toEqual([['wrong-type', 'spec.metrics.calicoNode.port', path.join(dir, 'example.yaml')]]);
  });
});

describe('imports/cluster-spec.ts', () => {
  it('is what scripts/spec-types.js generates from the schema (npm run import)', () => {
    // In a process of its own: the generator formats with prettier, which jest's module system cannot load.
    const generated = spawnSync(process.execPath, ['-e', "require('./scripts/spec-types.js').specTypes().then((t) => process.stdout.write(t))"], { cwd: ROOT, encoding: 'utf8' });
    expect(generated.status).toBe(0);
    expect(fs.readFileSync(path.join(ROOT, 'imports', 'cluster-spec.ts'), 'utf8')).toBe(generated.stdout);
  });

  it('can take the spec block of an example spec file as props', () => {
    const document = parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'examples', 'example.yaml'), 'utf8')) as { spec: ClusterSpecProps };
    expect(construct(document.spec).cluster.objects.length).toBeGreaterThan(0);
  });
});
