/**
 * ACCESS.md, by focused assertions rather than a snapshot: its sections, the verdict of each
 * cell, the Mermaid diagram's edges, the warnings, determinism, and that GitOps tools never
 * apply it.
 */
import { parse } from 'yaml';
import type { CalicoObject } from '../../lib/calico/object';
import type { Finding } from '../../lib/spec/errors';
import { verifyCluster } from '../../lib/verify/guard-rails';
import { ACCESS_REPORT_FILE, renderAccessReport } from '../../lib/verify/report';
import { compileOk, compileText } from '../support/compile';
import { readSpec } from '../support/paths';

const report = (file: string, mutate: (objects: readonly CalicoObject[]) => readonly CalicoObject[] = (o) => o): { text: string; findings: readonly Finding[] } => {
  const r = compileOk(file);
  if (!r.plan) throw new Error('no plan');
  const { access, findings } = verifyCluster(r.plan, mutate(r.objects));
  return { text: renderAccessReport(r.plan, access, findings), findings };
};

const section = (text: string, title: string): string => {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section ${title}`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
};

const row = (text: string, server: string): string[] => {
  const line = text.split('\n').find((l) => l.startsWith(`| ${server} |`));
  if (!line) throw new Error(`no row for ${server}`);
  return line.slice(2, -2).split(' | ');
};

describe('ACCESS.md of clusters/example.yaml (deny-list)', () => {
  const { text } = report('clusters/example.yaml');

  it('can start with a title, say it is generated and never applied, and explain the approach', () => {
    expect(text.split('\n')[0]).toBe('# Access to the protected servers of cluster `example`');
    expect(text).toContain('Argo CD and Flux do not apply it');
    expect(section(text, 'Approach')).toContain('**deny-list**: GlobalNetworkPolicy `default-host` (order 5000) allows all traffic of the host endpoints');
  });

  it('can give one row per protected server with a verdict and its deciding policy per client class', () => {
    expect(section(text, 'Access matrix')).toContain(
      '| Server | Port | Runs on | Allowed workload | Unlabelled pod | Allowed network | Allowed host | Other host | External address | Pod on the same node |',
    );
    expect(row(text, 'calico-node metrics')).toEqual([
      'calico-node metrics',
      'TCP 9091',
      'host-networked on every node',
      '✅ `default-host` rule 0',
      '⛔ `restrict-calico-node-prometheus` rule 0',
      '✅ `default-host` rule 0',
      '— metrics have no host clients',
      '⛔ `restrict-calico-node-prometheus` rule 0',
      '⛔ `restrict-calico-node-prometheus` rule 0',
      '✅ DefaultEndpointToHostAction Accept',
    ]);
    expect(row(text, 'kube-controllers metrics')[4]).toBe('⛔ `calico-system/restrict-kube-controllers-prometheus` rule 2');
  });

  it('can draw only the allowed connections in a Mermaid flowchart GitHub renders', () => {
    const diagram = section(text, 'Who reaches what');
    expect(diagram).toContain('```mermaid\nflowchart LR\n');
    expect(diagram).toContain('  c_allowed_workload -->|"TCP 9091"| s0');
    expect(diagram).toContain('  c_pod_same_node -->|"TCP 9091, own node"| s0');
    expect(diagram).toContain('  s1["kube-controllers metrics<br/>TCP 9094"]');
    expect(diagram).not.toContain('c_unlabelled_pod');
    expect(diagram).not.toContain('c_external');
    expect(diagram).not.toContain('-.->');
  });

  it('can list the probes behind every cell, with Markdown-safe text', () => {
    const probes = section(text, 'Probes');
    expect(probes).toContain(
      '- Unlabelled pod: pod default/unlabelled (192.168.16.10) on node kubeadm-node-0 → node kubeadm-master (10.100.0.15, eth0) (and the nodes like it), TCP 9091: ⛔ GlobalNetworkPolicy restrict-calico-node-prometheus ingress rule 0 (Deny)',
    );
    expect(probes).toContain('- Another port of its pods: pod default/unlabelled (192.168.16.10) on node kubeadm-master → pod calico-system/calico-kube-controllers (192.168.32.10) on node node-without-host-endpoint, TCP 8080: ⛔');
  });

  it('can list the warnings by code, with their hints, escaping what Markdown would take for HTML', () => {
    const warnings = section(text, 'Warnings');
    expect(warnings.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2).split(':')[0])).toEqual(['**namespace-default-deny**', '**partial-interfaces**', '**pod-to-own-host**']);
    expect(warnings).toContain('HostEndpoint &lt;node&gt;.all-interfaces');
    expect(warnings).not.toContain('<node>');
  });

  it('escapes hidden characters and angle brackets in free text, and leaves other text as it is', () => {
    const r = compileOk('clusters/example.yaml');
    const { plan, access } = r;
    if (!plan || !access) throw new Error('no access matrix');
    const finding = (message: string): Finding => ({ severity: 'warning', code: 'x', message, hint: 'plain → text', file: 'f' });
    const warningsOf = (message: string): string => section(renderAccessReport(plan, access, [finding(message)]), 'Warnings');
    expect(warningsOf('a\u202eb <c> \u0007')).toContain('- **x**: a\\u202eb &lt;c&gt; \\u0007 (plain → text)');
    // Each on its own: a hidden character without an angle bracket, and the other way round.
    expect(warningsOf('a\u202eb')).toContain('- **x**: a\\u202eb (plain → text)');
    expect(warningsOf('<c>')).toContain('- **x**: &lt;c&gt; (plain → text)');
    // One bracket alone, as in an explain query's `->` (found by review).
    expect(warningsOf('a -> b')).toContain('- **x**: a -&gt; b (plain → text)');
    expect(warningsOf('a <- b')).toContain('- **x**: a &lt;- b (plain → text)');
    expect(warningsOf('a → b, 10.0.0.1:80 (c)')).toContain('- **x**: a → b, 10.0.0.1:80 (c) (plain → text)');
  });

  it('can render the same text twice, with no timestamp', () => {
    expect(report('clusters/example.yaml').text).toBe(text);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}/);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/\n\n\n/);
  });
});

describe('ACCESS.md of test/fixtures/clusters/allow-list-no-presets.yaml (allow-list, no presets)', () => {
  it('can show the usual host paths, with the source of each', () => {
    const paths = section(report('test/fixtures/clusters/allow-list-no-presets.yaml').text, 'Usual host paths (allow-list)');
    expect(paths).toContain('| Path | Port | Direction | Verdict | Used by | Documented |');
    expect(paths).toContain('| kubelet API | TCP 10250 | inbound | ⛔ end of tier (ingress) | the API server (logs, exec, port-forward), metrics-server and Prometheus in pods (arriving as their node where pod traffic is masqueraded) | [source](https://kubernetes.io/docs/reference/networking/ports-and-protocols/) |');
    expect(paths).toContain('| BGP | TCP 179 | inbound | ⚠️ failsafe inbound TCP 179 |');
  });

  it('can say that without presets the paths are probed from and to an address outside the cluster, and loopback on each host', () => {
    const paths = section(report('test/fixtures/clusters/allow-list-no-presets.yaml').text, 'Usual host paths (allow-list)');
    expect(paths).toContain('`spec.hostTraffic` names no preset, so each path is probed from and to an address outside the cluster');
    expect(paths).toContain('[projectcalico/calico#4478](https://github.com/projectcalico/calico/issues/4478)');
    // Named interfaces only (eth0): loopback is not policed.
    expect(paths).toContain('| Felix health | TCP 9099 | local (loopback) | ✅ not policed |');
    expect(paths).not.toContain('the control plane');
  });

  it('can draw a dashed arrow for a port open only through a failsafe port', () => {
    const { text, findings } = report('clusters/allow-list-etcd.yaml', (objects) => objects.filter((o) => o.kind !== 'FelixConfiguration'));
    expect(findings.map((f) => f.code)).toContain('failsafe-open');
    expect(row(text, 'etcd')[8]).toBe('⚠️ failsafe inbound TCP 2379');
    expect(section(text, 'Who reaches what')).toContain('  c_external -.->|"TCP 2379 failsafe"| s0');
  });

  it('can leave the usual host paths out in the deny-list approach', () => {
    expect(report('clusters/example.yaml').text).not.toContain('## Usual host paths');
  });
});

describe('ACCESS.md of clusters/allow-list-essentials.yaml (allow-list, presets)', () => {
  it('can mark ⚠️ only the paths that close without failsafe ports (BGP 179), and show the others as their policy allows them', () => {
    const paths = section(report('clusters/allow-list-essentials.yaml').text, 'Usual host paths (allow-list)');
    const warned = paths.split('\n').filter((l) => l.includes('⚠️')).map((l) => l.split(' | ').slice(0, 3).join(' | '));
    expect(warned).toEqual(['| BGP | TCP 179 | inbound to every node from every node', '| BGP | TCP 179 | outbound from every node to every node']);
    // DNS, Typha, etcd peers and the API server are failsafe ports too, but the presets allow them by themselves.
    expect(paths).toContain('| DNS | UDP 53 | outbound from every node to anywhere | ✅ `allow-dns` egress rule 0 (also failsafe) |');
    expect(paths).toContain('| Typha | TCP 5473 | inbound to every node from every node | ✅ `allow-typha` rule 0 (also failsafe) |');
  });

  const { text } = report('clusters/allow-list-essentials.yaml');
  const paths = section(text, 'Usual host paths (allow-list)');

  it('can name the presets and their order in the approach', () => {
    expect(section(text, 'Approach')).toContain(
      'The GlobalNetworkPolicies `allow-<preset>` (order 1000) allow the host paths of the presets of `spec.hostTraffic`: `api-server`, `kubelet`, `etcd`, `dns`, `calico-health`, `loopback`, `vxlan`, `typha`',
    );
  });

  it('can say that the paths are probed between roles, with the selector of each role, not from outside', () => {
    expect(paths).toContain('Each path is probed between the roles it names');
    expect(paths).toContain('every node (`running-calico == "true"`) or the control plane (`running-calico == "true" && node-role.kubernetes.io/control-plane == ""`)');
    expect(paths).not.toContain('names no preset');
    expect(paths).not.toContain('nothing to probe');
  });

  it('can show the direction and roles of each path, in the words of docs/presets.md', () => {
    expect(paths).toContain('| Path | Port | Direction and peers | Verdict | Used by | Documented |');
    expect(paths).toContain('| kubelet API | TCP 10250 | inbound to every node from nodes and pods | ✅ `allow-kubelet` rule 0 |');
    expect(paths).toContain('| kubelet API | TCP 10250 | outbound from the control plane to every node | ✅ `allow-kubelet` egress rule 0 |');
    expect(paths).toContain('| Kubernetes API server | TCP 6443 | inbound to the control plane from nodes and pods |');
    expect(paths).toContain('| DNS over TCP | TCP 53 | outbound from every node to anywhere | ✅ `allow-dns` egress rule 1 |');
    // All-interfaces host endpoints police loopback: the presets allow it.
    expect(paths).toContain('| Felix health | TCP 9099 | local, on every node (loopback) | ✅ `allow-calico-health` rule 0 |');
    expect(paths).toContain('| loopback UDP | UDP 53 | local, on every node (loopback) | ✅ `allow-loopback` rule 2 (also failsafe) |');
  });

  it('can say when a role has no host endpoint to probe', () => {
    const spec = readSpec('clusters/allow-list-essentials.yaml').replace(
      /presets: \[.*\]/,
      'presets: [dns, calico-health, loopback, vxlan, typha]\n    controlPlane: {nodeSelector: {tier: control}}',
    );
    const r = compileText(spec, 'allow-list-essentials');
    const none = section(new Map(r.files?.map((f) => [f.path, f.content])).get(ACCESS_REPORT_FILE) ?? '', 'Usual host paths (allow-list)');
    expect(none).toContain('| kubelet API | TCP 10250 | outbound from the control plane to every node | — nothing to probe |');
    expect(none).toContain('— nothing to probe: no host endpoint of `spec.nodes` has the role.');
    expect(none).toContain('`running-calico == "true" && tier == "control"`');
  });

  it('can render the same text twice', () => {
    expect(report('clusters/allow-list-essentials.yaml').text).toBe(text);
  });
});

describe('ACCESS.md of clusters/auto-hep.yaml (automatic host endpoints)', () => {
  it('can say that the host endpoints are modelled from spec.nodes', () => {
    const approach = section(report('clusters/auto-hep.yaml').text, 'Approach');
    expect(approach).toContain('Host endpoints mode **auto**');
    expect(approach).toContain('from `spec.nodes`: `<node>-auto-hep`, all interfaces (`*`)');
    expect(section(report('clusters/example.yaml').text, 'Approach')).not.toContain('mode **auto**');
  });
});

describe('ACCESS.md in dist/<cluster>/', () => {
  const r = compileOk('clusters/example.yaml');
  const files = new Map(r.files.map((f) => [f.path, f.content]));

  it('can be written next to the manifests, and locked with them', () => {
    expect(files.get(ACCESS_REPORT_FILE)).toBe(report('clusters/example.yaml').text);
    expect(JSON.parse(files.get('calico-shield.lock') ?? '{}').files[ACCESS_REPORT_FILE]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fails to appear in any kustomization, so Argo CD and Flux never apply it', () => {
    const kustomizations = [...files].filter(([path]) => path.endsWith('kustomization.yaml'));
    expect(kustomizations.length).toBeGreaterThan(1);
    for (const [, text] of kustomizations) expect((parse(text) as { resources: string[] }).resources).not.toContain(ACCESS_REPORT_FILE);
  });
});
