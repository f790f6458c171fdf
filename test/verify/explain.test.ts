/**
 * `calico-shield explain`: the query parser as tables (queries that parse, broken queries with
 * their error code and column), the answers on compiled objects, the queries the guard rails
 * print, and the command's exit codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAILSAFE_DEFAULTS } from '../../lib/calico/felix';
import { explain, explainQuery, formatQueryError, parseQuery, printQuery, type Query } from '../../lib/verify/explain';
import { buildModel } from '../../lib/verify/model';
import { removeWorkspaces, runCli, synth, workspace } from '../support/cli';
import { compileOk } from '../support/compile';

describe('parseQuery', () => {
  it.each<[string, Query]>([
    [
      'pod monitoring/prometheus{calico-prometheus-access=true} -> host kubeadm-master:9091/TCP',
      {
        source: { kind: 'pod', namespace: 'monitoring', name: 'prometheus', labels: { 'calico-prometheus-access': 'true' }, col: 1 },
        destination: { kind: 'host', node: 'kubeadm-master', col: 61 },
        port: 9091,
        protocol: 'TCP',
      },
    ],
    ['ip 172.15.0.7 -> host kubeadm-master/eth0:9091/TCP', { source: { kind: 'ip', ip: '172.15.0.7', col: 1 }, destination: { kind: 'host', node: 'kubeadm-master', interface: 'eth0', col: 18 }, port: 9091, protocol: 'TCP' }],
    ['host kubeadm-node-0 -> host kubeadm-master:2379/TCP', { source: { kind: 'host', node: 'kubeadm-node-0', col: 1 }, destination: { kind: 'host', node: 'kubeadm-master', col: 24 }, port: 2379, protocol: 'TCP' }],
    [
      'pod default/web -> pod calico-system{k8s-app=calico-kube-controllers} on kubeadm-master ip 10.244.0.5:9094',
      {
        source: { kind: 'pod', namespace: 'default', name: 'web', labels: {}, col: 1 },
        destination: { kind: 'pod', namespace: 'calico-system', labels: { 'k8s-app': 'calico-kube-controllers' }, node: 'kubeadm-master', ip: '10.244.0.5', col: 20 },
        port: 9094,
        protocol: 'TCP',
      },
    ],
    ['ip fd00:0::1 -> ip [2001:db8::2]:53/udp', { source: { kind: 'ip', ip: 'fd00::1', col: 1 }, destination: { kind: 'ip', ip: '2001:db8::2', col: 17 }, port: 53, protocol: 'UDP' }],
    ['host a/* ip 10.0.0.1 -> ip 203.0.113.9:443', { source: { kind: 'host', node: 'a', interface: '*', ip: '10.0.0.1', col: 1 }, destination: { kind: 'ip', ip: '203.0.113.9', col: 25 }, port: 443, protocol: 'TCP' }],
    ['  pod ns{ a = b , c=d }  ->  host n:1/sctp  ', { source: { kind: 'pod', namespace: 'ns', labels: { a: 'b', c: 'd' }, col: 3 }, destination: { kind: 'host', node: 'n', col: 30 }, port: 1, protocol: 'SCTP' }],
  ])('can parse %j', (text, query) => {
    expect(parseQuery(text)).toEqual({ ok: true, query });
  });

  it.each<[string, string, number]>([
    ['', 'expected-peer', 1],
    ['pods x -> host a:1', 'expected-peer', 1],
    ['ip 1.2.3.4 -> node a:1', 'expected-peer', 15],
    ['pod -> host a:1', 'bad-namespace', 5],
    ['pod Monitoring/x -> host a:80', 'bad-namespace', 5],
    ['pod ns/x on -> host a:1', 'bad-node', 13],
    ['pod ns host a:1', 'expected-arrow', 8],
    ['ip 1.2.3.4 - > host a:1', 'expected-arrow', 12],
    ['host kubeadm-master/eth0:9091/TCP', 'expected-arrow', 25],
    ['host a/x/y -> host b:1', 'expected-arrow', 9],
    ['ip 10.0.0.300 -> host a:1', 'bad-ip', 4],
    ['host a ip 010.0.0.1 -> host b:1', 'bad-ip', 11],
    ['ip [fd00::1 -> host a:80', 'bad-ip', 4],
    ['ip 10.0.0.1 -> ip fd00::1:80', 'bad-ip', 19],
    ['host a/eth0+1 -> host b:1', 'bad-interface', 8],
    ['ip 10.0.0.1 -> host a', 'expected-port', 22],
    ['ip 10.0.0.1 -> host a:TCP', 'expected-port', 23],
    ['ip 10.0.0.1 -> host a:0', 'bad-port', 23],
    ['ip 10.0.0.1 -> host a:70000/TCP', 'bad-port', 23],
    ['ip 10.0.0.1 -> host a:80/ICMP', 'bad-protocol', 26],
    ['host a -> host b:80/', 'bad-protocol', 21],
    ['ip 10.0.0.1 -> host a:80/TCP extra', 'trailing-input', 30],
    ['pod ns{=b} -> host a:80', 'bad-label', 8],
    ['pod ns{a=b,a=c} -> host a:80', 'bad-label', 12],
    ['pod ns{a=b c=d} -> host a:1', 'bad-label', 12],
    ['pod ns{a=-b} -> host a:1', 'bad-label', 10],
    ['pod ns{a=b', 'bad-label', 11],
    ['host', 'expected-space', 5],
  ])('fails on %j with %s at column %i', (text, code, col) => {
    const result = parseQuery(text);
    expect(result.ok ? undefined : [result.error.code, result.error.col]).toEqual([code, col]);
    expect(result.ok ? undefined : result.error.hint).toEqual(expect.any(String));
  });

  it('can show the column at fault under the query', () => {
    const result = parseQuery('ip 10.0.0.1 -> host a:70000/TCP');
    if (result.ok) throw new Error('parsed');
    expect(formatQueryError('ip 10.0.0.1 -> host a:70000/TCP', result.error)).toBe(
      'error[bad-port] at column 23: port 70000 is not valid: it is outside 1–65535\n  ip 10.0.0.1 -> host a:70000/TCP\n                        ^\n  hint: the highest port is 65535\n',
    );
  });
});

describe('explain on compiled objects', () => {
  const example = compileOk('clusters/example.yaml').objects;
  const etcd = compileOk('clusters/allow-list-etcd.yaml').objects;

  it.each<[string, string, boolean, string]>([
    ['a labelled pod to calico-node metrics', 'pod monitoring/prometheus{calico-prometheus-access=true} -> host kubeadm-master:9091/TCP', true, 'default-host'],
    ['an unlabelled pod to calico-node metrics', 'pod default/web -> host kubeadm-master:9091/TCP', false, 'restrict-calico-node-prometheus'],
    ['an address of calico-prometheus-set', 'ip 172.15.0.7 -> host kubeadm-master/eth0:9091/TCP', true, 'default-host'],
    ['another node to Typha metrics', 'host kubeadm-node-0 -> host kubeadm-master:9093/TCP', false, 'restrict-typha-prometheus'],
    ['a labelled pod to kube-controllers', 'pod monitoring/prom{calico-prometheus-access=true} -> pod calico-system{k8s-app=calico-kube-controllers}:9094', true, 'restrict-kube-controllers-prometheus'],
  ])('can answer for %s in the deny-list example', (_title, query, allowed, policy) => {
    const result = explain(example, query);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.explanation.verdict.allowed).toBe(allowed);
    expect(result.explanation.verdict.decidedBy).toMatchObject({ kind: 'policy', policy: { name: policy } });
  });

  it('can answer for a host client of etcd through its egress policy (allow-list-etcd)', () => {
    const result = explain(etcd, 'host kubeadm-node-0 -> host kubeadm-master:2379/TCP');
    if (!result.ok) throw new Error(result.error.message);
    expect(result.explanation.verdict.stages.map((s) => [s.point, s.decidedBy.kind === 'policy' ? s.decidedBy.policy.name : s.decidedBy.kind])).toEqual([
      ['host-egress', 'allowed-etcd-client-egress'],
      ['host-ingress', 'protected-etcd-server'],
    ]);
  });

  it('can say what it filled in', () => {
    const result = explain(example, 'pod monitoring/prometheus -> host kubeadm-master:9091');
    if (!result.ok) throw new Error(result.error.message);
    expect(result.explanation.assumptions).toEqual([
      'source pod monitoring/prometheus: on node kubeadm-node-0 (not kubeadm-master\'s)',
      'source pod monitoring/prometheus: address 10.244.1.10, which no object names',
      'destination host kubeadm-master: interface eth0 (host endpoint kubeadm-master.eth0)',
      'destination host kubeadm-master: address 10.100.0.15 (an expected IP of kubeadm-master.eth0)',
    ]);
  });

  it.each<[string, string, string, number]>([
    ['a host no object knows, without its address', 'host nowhere -> host kubeadm-master:9091', 'unknown-address', 1],
    ['addresses of two families', 'ip fd00::1 -> host kubeadm-master:9091', 'mixed-families', 15],
  ])('fails on %s', (_title, query, code, col) => {
    const result = explain(example, query);
    expect(result.ok ? undefined : [result.error.code, result.error.col]).toEqual([code, col]);
  });

  it.each(['clusters/example.yaml', 'clusters/allow-list-etcd.yaml', 'test/fixtures/clusters/seed-comms.yaml'])('can replay every probe of %s from the query the guard rails would print', (file) => {
    const r = compileOk(file);
    const model = buildModel(r.objects, { failsafeDefaults: FAILSAFE_DEFAULTS['v3.32'] });
    const probes = (r.access?.servers ?? []).flatMap((s) => s.cells.flatMap((c) => c.probes));
    expect(probes.length).toBeGreaterThan(10);
    for (const p of probes) {
      const parsed = parseQuery(printQuery(p));
      if (!parsed.ok) throw new Error(`${printQuery(p)}: ${parsed.error.message}`);
      const result = explainQuery(model, parsed.query);
      if (!result.ok) throw new Error(`${printQuery(p)}: ${result.error.message}`);
      expect([printQuery(p), result.explanation.verdict.allowed, result.explanation.verdict.decidedBy]).toEqual([printQuery(p), p.allowed, p.decidedBy]);
    }
  });
});

describe('explain per Calico minor', () => {
  // Two policies of order 10 select the Prometheus pod: Felix applies the NetworkPolicy "a" first
  // in v3.32 (name/namespace/kind) and the GlobalNetworkPolicy "b" first before (the stored names
  // "default.b" < "monitoring/default.a"): felix/calc/policy_sorter.go, v3.32.1:388-397, v3.31.7:317-324.
  const objects = [
    { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'a', namespace: 'monitoring' }, spec: { selector: "app == 'prometheus'", order: 10, ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [9090] } }] } },
    { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'b' }, spec: { selector: "app == 'prometheus'", order: 10, ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [9090] } }] } },
  ];
  const query = 'pod default/client{app=client} -> pod monitoring/prometheus{app=prometheus}:9090/TCP';

  it.each([
    ['v3.32', true],
    ['v3.31', false],
    ['v3.30', false],
  ] as const)('answers for Calico %s as its Felix orders equal policies: allowed %s', (calicoVersion, allowed) => {
    const result = explain(objects, query, { calicoVersion });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.explanation.verdict.allowed).toBe(allowed);
  });
});

describe('calico-shield explain', () => {
  let work: string;
  const cli = (...argv: string[]) => runCli(work, argv);
  beforeAll(() => {
    work = workspace('all');
    synth(work);
  });
  afterAll(removeWorkspaces);

  it('can exit 0 with the verdict, the deciding rule and the steps when the connection is allowed', () => {
    const r = cli('explain', '--cluster', 'example', 'pod monitoring/prometheus{calico-prometheus-access=true} -> host kubeadm-master:9091/TCP');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'allowed: pod monitoring/prometheus (192.168.16.10) on node kubeadm-node-0 → host kubeadm-master (10.100.0.15, interface eth0), TCP 9091',
      'decided by: GlobalNetworkPolicy default-host ingress rule 0 (Allow)',
    ]);
    expect(r.stdout).toContain('\nsteps:\n  workload-egress: workload monitoring/prometheus\n');
    expect(r.stdout).toContain('  verdict: allowed\n');
  });

  it('can exit 3 when the connection is denied', () => {
    const r = cli('explain', '--cluster', 'allow-list-etcd', 'ip 203.0.113.9 -> host kubeadm-master/eth0:10250/TCP');
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([3, 'denied: external address 203.0.113.9 → host kubeadm-master (10.100.0.15, interface eth0), TCP 10250']);
  });

  it('can exit 0 through a failsafe port', () => {
    const r = cli('explain', '--cluster', 'allow-list-etcd', 'ip 203.0.113.9 -> host kubeadm-master/eth0:22/TCP');
    expect([r.code, r.stdout.split('\n')[1]]).toEqual([0, 'decided by: Felix failsafe inbound port TCP 22 (FelixConfiguration default)']);
  });

  it('fails with exit 2 and a caret under the column at fault on a bad query', () => {
    const r = cli('explain', '--cluster', 'example', 'pod monitoring/prometheus -> host kubeadm-master:9091/ICMP');
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error[bad-protocol] at column 55: unknown protocol "ICMP"\n  pod monitoring/prometheus -> host kubeadm-master:9091/ICMP\n                                                        ^\n  hint: use TCP, UDP or SCTP\n',
    });
  });

  it.each<[string, string[], number, string]>([
    ['without --cluster', ['explain', 'ip 1.2.3.4 -> host a:1'], 2, 'explain needs --cluster NAME and a query in quotes'],
    ['without a query', ['explain', '--cluster', 'example'], 2, 'explain needs --cluster NAME and a query in quotes'],
    ['with --cluster on check', ['check', '--cluster', 'example'], 2, '--cluster is an option of synth, explain and audit'],
    ['with --force on another command than synth', ['check', '--force'], 2, '--force is an option of synth'],
    ['for a cluster without dist/ folder', ['explain', '--cluster', 'nowhere', 'ip 1.2.3.4 -> host a:1'], 1, 'error: cannot read kustomization.yaml in dist/nowhere/: run calico-shield synth first, or explain --spec'],
  ])('fails %s', (_title, argv, code, message) => {
    const r = cli(...argv);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([code, message]);
  });

  it('fails with exit 1 when a file the kustomizations list is missing', () => {
    fs.cpSync(path.join(work, 'dist', 'example'), path.join(work, 'dist', 'broken'), { recursive: true });
    fs.rmSync(path.join(work, 'dist', 'broken', '02-host-endpoints', 'hostendpoints.yaml'));
    const r = cli('explain', '--cluster', 'broken', 'ip 1.2.3.4 -> host kubeadm-master:9091');
    expect([r.code, r.stderr]).toEqual([1, 'error: 02-host-endpoints/: hostendpoints.yaml is listed in kustomization.yaml but missing in dist/broken/: run calico-shield synth first, or explain --spec\n']);
  });

  it('can document the query syntax in --help', () => {
    const r = cli('--help');
    expect(r.stdout).toContain('explain   --cluster NAME [--spec] [--from DUMP] "<source> -> <destination>:<port>[/<protocol>]"');
    expect(r.stdout).toContain('pod <namespace>[/<name>][{key=value,...}] [on <node>] [ip <address>]');
  });
});

describe('calico-shield explain --spec', () => {
  // A cluster whose protected port is open to every pod of a client node (the pool masquerades
  // pods to their node's address): synth refuses it and writes nothing.
  const OPEN = `apiVersion: calico-shield/v1alpha1
kind: Cluster
spec:
  approach: deny-list
  environment: {install: manifests, encapsulation: None, ipPools: [{cidr: 192.168.0.0/16, natOutgoing: true}]}
  nodes:
    - {name: n1, interfaces: [{name: eth0, expectedIPs: [10.0.0.1]}]}
    - {name: n2, interfaces: [{name: eth0, expectedIPs: [10.0.0.2]}]}
  protectedServers:
    - name: api
      port: 7443
      runsOn: {nodes: [n1]}
      allowedClients: {nodes: [n2]}
`;

  it('can show why a failed synth refused the spec, with no dist/ written', () => {
    const dir = workspace([], { files: { 'clusters/open.yaml': OPEN } });
    expect(runCli(dir, ['synth']).code).toBe(1);
    expect(fs.existsSync(path.join(dir, 'dist', 'open'))).toBe(false);
    const query = 'pod default/unlabelled on n2 -> host n1:7443';
    const r = runCli(dir, ['explain', '--cluster', 'open', '--spec', query]);
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^allowed: /)]);
    expect(r.stdout).toContain('masquerade');
    // Without --spec there is nothing to read.
    expect(runCli(dir, ['explain', '--cluster', 'open', query]).stderr).toContain('run calico-shield synth first, or explain --spec');
  });

  it('can replay the explain command in the hint of an audit, with no dist/ written', () => {
    const dumps = path.join(__dirname, '..', 'fixtures', 'dumps');
    const dir = workspace([], { files: { 'clusters/prod.yaml': fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'clusters', 'env-manifests-none.yaml'), 'utf8') } });
    const audit = runCli(dir, ['audit', '--cluster', 'prod', '--from', path.join(dumps, 'allow-all.yaml')]);
    const command = /calico-shield explain --cluster prod --spec --from (\S+) "([^"]+)"/.exec(audit.stderr);
    // The audit finds the open port and prints the command, or the test would check nothing.
    expect(command).not.toBeNull();
    const r = runCli(dir, ['explain', '--cluster', 'prod', '--spec', '--from', command?.[1] ?? '', command?.[2] ?? '']);
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^allowed: /)]);
    expect(r.stdout).toContain('legacy-allow-internal');
  });

  it('fails with exit 1 and the findings of a spec that does not compile', () => {
    const dir = workspace([], { files: { 'clusters/bad.yaml': OPEN.replace('10.0.0.2', '10.0.0.300') } });
    const r = runCli(dir, ['explain', '--cluster', 'bad', '--spec', 'ip 1.2.3.4 -> host n1:7443']);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('error[bad-ip]')]);
  });

  it('fails with exit 2 for --spec on another command', () => {
    expect(runCli(workspace([]), ['synth', '--spec']).stderr.split('\n')[0]).toBe('--spec is an option of explain');
  });
});
