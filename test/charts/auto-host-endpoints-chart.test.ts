/**
 * The objects of auto mode and of the host traffic presets: KubeControllersConfiguration
 * `default` (only the fields calico-shield owns, server-side applied, never pruned or deleted,
 * in the host-endpoints stage) and the `allow-<preset>` policies (port ranges, IP-in-IP,
 * excluded ports), each valid against its Calico v3.32.1 CRD.
 */
import * as path from 'node:path';
import type { CalicoObject } from '../../lib/calico/object';
import { EXCLUDED_PORTS_ANNOTATION } from '../../lib/charts/host-traffic-policy';
import { HOST_TRAFFIC_ORDER } from '../../lib/plan/host-traffic';
import { ROOT, compileText } from '../support/compile';
import { loadCrdValidators } from '../support/crd-schema';

const validators = loadCrdValidators(path.join(ROOT, 'crds/calico-v3.32.1'));

const NODES = `  nodes:
    - name: cp-1
      labels: {node-role.kubernetes.io/control-plane: ""}
      interfaces: [{name: "*", expectedIPs: [10.0.0.1]}]
    - name: worker-1
      interfaces: [{name: "*", expectedIPs: [10.0.0.2]}]
`;

function objects(body: string, approach = 'deny-list'): readonly CalicoObject[] {
  const r = compileText(`apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: ${approach}\n${body}`, 'c');
  if (!r.objects || r.findings.length > 0) throw new Error(r.findings.map((f) => `${f.code} ${f.message}`).join('\n'));
  return r.objects;
}

const find = (list: readonly CalicoObject[], kind: string, name: string): CalicoObject | undefined => list.find((o) => o.kind === kind && o.metadata.name === name);

describe('AutoHostEndpointsChart', () => {
  const auto = objects(`  hostEndpoints: {mode: auto}\n${NODES}  metrics: {calicoNode: {}}\n`);
  const kcc = find(auto, 'KubeControllersConfiguration', 'default');

  it('can enable automatic host endpoints with only the fields calico-shield owns', () => {
    expect(kcc?.spec).toEqual({ controllers: { node: { hostEndpoint: { autoCreate: 'Enabled', createDefaultHostEndpoint: 'Enabled' } } } });
  });

  it('can apply it after the policies, server-side, and never prune or delete it, nor report it extraneous once it leaves dist/', () => {
    expect(kcc?.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/sync-wave': '2',
      'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false',
      'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      'kustomize.toolkit.fluxcd.io/ssa': 'Merge',
    });
  });

  it('can leave the HostEndpoints to kube-controllers in auto mode, and write no KubeControllersConfiguration in static mode', () => {
    expect(auto.filter((o) => o.kind === 'HostEndpoint')).toEqual([]);
    const fixed = objects(`${NODES}  metrics: {calicoNode: {}}\n`);
    expect(fixed.filter((o) => o.kind === 'KubeControllersConfiguration')).toEqual([]);
    expect(fixed.filter((o) => o.kind === 'HostEndpoint').map((o) => o.metadata.labels?.['node-role.kubernetes.io/control-plane'])).toEqual(['', undefined]);
  });

  it('can write templates, their node selector built from labels', () => {
    const list = objects(`  hostEndpoints:\n    mode: auto\n    templates:\n      - {generateName: storage, nodeSelector: {zone: b}, interfaceCIDRs: [10.200.0.0/16], labels: {net: storage}}\n      - {generateName: bonds, interfacePattern: "^bond[0-9]+$"}\n${NODES}`);
    expect(find(list, 'KubeControllersConfiguration', 'default')?.spec).toEqual({
      controllers: {
        node: {
          hostEndpoint: {
            autoCreate: 'Enabled',
            createDefaultHostEndpoint: 'Enabled',
            templates: [
              { generateName: 'bonds', nodeSelector: 'all()', interfacePattern: '^bond[0-9]+$' },
              { generateName: 'storage', nodeSelector: 'zone == "b"', interfaceCIDRs: ['10.200.0.0/16'], labels: { net: 'storage' } },
            ],
          },
        },
      },
    });
    expect(validators.validate(find(list, 'KubeControllersConfiguration', 'default'))).toEqual([]);
  });

  it.each(['KubeControllersConfiguration', 'GlobalNetworkPolicy'])('can write every %s of auto mode as its CRD allows', (kind) => {
    const list = auto.filter((o) => o.kind === kind);
    expect(list.length).toBeGreaterThan(0);
    for (const o of list) expect(validators.validate(o)).toEqual([]);
  });
});

describe('HostTrafficChart', () => {
  const list = objects(`${NODES}  metrics: {calicoNode: {}}\n  protectedServers: [{name: etcd, port: 2379, runsOn: {nodes: [cp-1]}, allowedClients: {nodes: [cp-1]}}]\n  hostTraffic: {presets: all}\n`, 'allow-list');
  const policy = (preset: string) => find(list, 'GlobalNetworkPolicy', `allow-${preset}`);

  it('can write one policy per preset, after the protecting policies', () => {
    const names = list.filter((o) => o.metadata.name.startsWith('allow-') && !o.metadata.name.endsWith('-egress')).map((o) => o.metadata.name);
    expect(names).toEqual(['allow-api-server', 'allow-kubelet', 'allow-etcd', 'allow-dns', 'allow-calico-health', 'allow-loopback', 'allow-bgp', 'allow-ipip', 'allow-vxlan', 'allow-wireguard', 'allow-typha', 'allow-node-ports', 'allow-webhooks', 'allow-kube-proxy']);
    expect(new Set(names.map((n) => find(list, 'GlobalNetworkPolicy', n)?.spec?.['order']))).toEqual(new Set([HOST_TRAFFIC_ORDER]));
    expect(HOST_TRAFFIC_ORDER).toBeGreaterThan(500);
  });

  it.each<[string, unknown]>([
    ['etcd', { ports: [2380] }],
    ['node-ports', { ports: ['30000:32767'] }],
    ['loopback', { ports: ['1:2378', '2380:9090', '9092:65535'] }],
  ])('can write the ports of allow-%s as numbers and Calico ranges', (preset, destination) => {
    const ingress = policy(preset)?.spec?.['ingress'] as { destination: unknown }[];
    expect(ingress[0]?.destination).toEqual(expect.objectContaining(destination as object));
  });

  it('can write IP-in-IP as IP protocol 4, without ports', () => {
    expect(policy('ipip')?.spec?.['ingress']).toEqual([{ action: 'Allow', protocol: 4, source: { selector: 'running-calico == "true"' } }]);
  });

  it('can say on the policy which ports it leaves to the protected servers', () => {
    expect(EXCLUDED_PORTS_ANNOTATION).toBe('calico-shield/excluded-ports');
    expect(policy('etcd')?.metadata.annotations?.[EXCLUDED_PORTS_ANNOTATION]).toBe('TCP 2379 (etcd)');
    expect(policy('loopback')?.metadata.annotations?.[EXCLUDED_PORTS_ANNOTATION]).toBe('TCP 2379 (etcd), TCP 9091 (calico-node-metrics)');
    expect(policy('dns')?.metadata.annotations?.[EXCLUDED_PORTS_ANNOTATION]).toBeUndefined();
  });

  it('can write every preset policy as the GlobalNetworkPolicy CRD allows', () => {
    for (const o of list.filter((x) => x.metadata.name.startsWith('allow-'))) expect([o.metadata.name, validators.validate(o)]).toEqual([o.metadata.name, []]);
  });
});
