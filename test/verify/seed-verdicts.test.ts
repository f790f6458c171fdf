/**
 * The verdicts the two Calico documents promise, read from the ACCESS.md calico-shield writes
 * for each of their examples: "Secure Calico Prometheus endpoints" (deny-list and allow-list;
 * calico-node, Typha, kube-controllers) and "Securing Calico's own communications" (the
 * protected server xyz, and etcd with the document's three kinds of allowed client).
 */
import { CLIENT_CLASSES, type ClientClass } from '../../lib/verify/access';
import { serverTitle } from '../../lib/verify/describe';
import { explain } from '../../lib/verify/explain';
import { compileOk } from '../support/compile';

const SYMBOL = { allowed: '✅', denied: '⛔', failsafe: '⚠️', none: '—' } as const;
type Verdict = keyof typeof SYMBOL;

const compiled = new Map<string, ReturnType<typeof compileOk>>();
const compile = (file: string): ReturnType<typeof compileOk> => {
  const r = compiled.get(file) ?? compileOk(file);
  compiled.set(file, r);
  return r;
};

/** The verdict of one cell of ACCESS.md, and of the access matrix it was written from. */
function verdictOf(file: string, server: string, client: ClientClass): { report: string; matrix: string } {
  const r = compile(file);
  const text = r.files.find((f) => f.path === 'ACCESS.md')?.content ?? '';
  const line = text.split('\n').find((l) => l.startsWith(`| ${server} |`));
  if (!line) throw new Error(`${file}: no row for ${server} in ACCESS.md`);
  const cells = line.slice(2, -2).split(' | ');
  const column = 3 + CLIENT_CLASSES.findIndex((c) => c.id === client);
  const status = r.access?.servers.find((s) => serverTitle(s.server) === server)?.cells.find((c) => c.client === client)?.status ?? 'missing';
  return { report: (cells[column] ?? '').split(' ')[0] ?? '', matrix: status };
}

const expectVerdict = (file: string, server: string, client: ClientClass, verdict: Verdict): void => {
  expect(verdictOf(file, server, client)).toEqual({ report: SYMBOL[verdict], matrix: verdict });
};

/** Explains one connection on the objects compiled from `file`. */
function connect(file: string, query: string): { allowed: boolean; by: string } {
  const result = explain(compile(file).objects, query);
  if (!result.ok) throw new Error(`${query}: ${result.error.message}`);
  const d = result.explanation.verdict.decidedBy;
  return { allowed: result.explanation.verdict.allowed, by: d.kind === 'policy' ? d.policy.name : d.kind };
}

const METRICS = ['calico-node metrics', 'Typha metrics', 'kube-controllers metrics'];

const PROMETHEUS_CLASSES: readonly [string, ClientClass, Verdict][] = [
  ['a pod labelled calico-prometheus-access: "true"', 'allowed-workload', 'allowed'],
  ['an unlabelled pod', 'unlabelled-pod', 'denied'],
  ['an address in the GlobalNetworkSet calico-prometheus-set', 'allowed-network', 'allowed'],
  ['another node', 'other-host', 'denied'],
  ['an address Calico does not know', 'external', 'denied'],
];

describe.each([
  ['deny-list', 'clusters/example.yaml'],
  ['allow-list', 'test/fixtures/clusters/seed-allow-list.yaml'],
])('"Secure Calico Prometheus endpoints", %s approach (%s)', (_approach, file) => {
  it.each(METRICS.flatMap((server) => PROMETHEUS_CLASSES.map(([who, client, verdict]) => [server, who, client, verdict] as const)))(
    'can report %s as reached by %s (%s): %s',
    (server, _who, client, verdict) => expectVerdict(file, server, client, verdict),
  );
});

describe('"Secure Calico Prometheus endpoints", deny-list: other host traffic unaffected', () => {
  it.each<[string, number]>([
    ['ip 203.0.113.9', 22],
    ['ip 203.0.113.9', 443],
    ['ip 203.0.113.9', 10250],
    ['host kubeadm-node-0', 10250],
    ['pod default/web', 443],
  ])('can let %s reach port %i of kubeadm-master', (source, port) => {
    expect(connect('clusters/example.yaml', `${source} -> host kubeadm-master:${port}/TCP`).allowed).toBe(true);
  });
});

describe('"Secure Calico Prometheus endpoints", allow-list: everything else denied, failsafe ports aside', () => {
  const file = 'test/fixtures/clusters/seed-allow-list.yaml';

  it.each<[string, number, boolean, string]>([
    ['ip 203.0.113.9', 22, true, 'failsafe'],
    ['ip 203.0.113.9', 6443, true, 'failsafe'],
    ['ip 203.0.113.9', 10250, false, 'end-of-tier-deny'],
    ['ip 203.0.113.9', 443, false, 'end-of-tier-deny'],
    ['host kubeadm-node-0', 10250, false, 'no-policy-default-deny'],
  ])('can decide %s to port %i of kubeadm-master: allowed %s, by %s', (source, port, allowed, by) => {
    expect(connect(file, `${source} -> host kubeadm-master:${port}/TCP`)).toEqual({ allowed, by });
  });

  it('can report in ACCESS.md kubelet 10250 cut, and BGP open only through a failsafe port', () => {
    const text = compile(file).files.find((f) => f.path === 'ACCESS.md')?.content ?? '';
    expect(text).toContain('| kubelet API | TCP 10250 | inbound | ⛔');
    expect(text).toContain('| BGP | TCP 179 | inbound | ⚠️ failsafe inbound TCP 179');
  });
});

describe('"Securing Calico\'s own communications" (test/fixtures/clusters/seed-comms.yaml, deny-list)', () => {
  const file = 'test/fixtures/clusters/seed-comms.yaml';

  it.each<[string, ClientClass, Verdict]>([
    ['a pod labelled allowed-xyz-client: "true"', 'allowed-workload', 'allowed'],
    ['an unlabelled pod', 'unlabelled-pod', 'denied'],
    ['another node', 'other-host', 'denied'],
    ['an address Calico does not know', 'external', 'denied'],
  ])('can report the protected server xyz as reached by %s: %s', (_who, client, verdict) => expectVerdict(file, 'xyz', client, verdict));

  it('can report kubeadm-master, labelled allowed-abc-client, as an allowed host client of abc', () => {
    expectVerdict(file, 'abc', 'allowed-host', 'allowed');
  });

  it("can deny xyz's port 2379 by its policy, not let it through as a failsafe port", () => {
    expect(connect(file, 'ip 203.0.113.9 -> host kubeadm-master:2379/TCP')).toEqual({ allowed: false, by: 'protected-xyz-server' });
  });
});

describe('the three kinds of allowed client, allow-list (clusters/allow-list-etcd.yaml)', () => {
  const file = 'clusters/allow-list-etcd.yaml';

  it.each<[string, ClientClass, Verdict]>([
    ['workloads (backup/app=etcd-backup, and pods labelled allowed-etcd-client)', 'allowed-workload', 'allowed'],
    ['the network 192.0.2.0/24', 'allowed-network', 'allowed'],
    ['host-networked processes on kubeadm-node-0', 'allowed-host', 'allowed'],
    ['an unlabelled pod', 'unlabelled-pod', 'denied'],
    ['an address Calico does not know', 'external', 'denied'],
  ])('can report etcd as reached by %s: %s', (_who, client, verdict) => expectVerdict(file, 'etcd', client, verdict));

  it('can deny every other source of 2379 once it is no longer a failsafe port', () => {
    expect(connect(file, 'ip 203.0.113.9 -> host kubeadm-master:2379/TCP')).toEqual({ allowed: false, by: 'end-of-tier-deny' });
  });
});
