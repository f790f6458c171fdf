import fc from 'fast-check';
import * as selectorModule from '../../lib/calico/selector';
import { evaluate, workloadLabels, type Flow, type Peer, type WorkloadPeer } from '../../lib/verify/evaluator';
import { clusterEnvironment } from '../../lib/verify/environment';
import { buildModel, INSTALLER_ENDPOINT_TO_HOST, SPEC_ENDPOINT_TO_HOST } from '../../lib/verify/model';
import { compileOk } from '../support/compile';
import {
  allowList,
  context,
  denyList,
  felixConfiguration,
  gnp,
  gns,
  hep,
  kubeControllers,
  managementHost,
  master,
  masterEth0,
  node0,
  np,
  outsider,
  plainPod,
  prometheusPod,
} from './objects';

const tcp = (source: Peer, destination: Peer, port: number): Flow => ({ source, destination, protocol: 'TCP', port });

// "Secure Calico Prometheus endpoints", deny-list approach: default-host (order 5000) allows
// everything, restrict-calico-node-prometheus (order 500) denies 9091 to sources without
// calico-prometheus-access == "true".
describe('the deny-list example of "Secure Calico Prometheus endpoints"', () => {
  const model = buildModel(denyList, context);

  it('can build the example without issues', () => {
    expect(model.issues).toEqual([]);
  });

  it.each([
    ['can reach 9091 on a node from a labelled pod', prometheusPod, 9091, true, { kind: 'policy', policy: { name: 'default-host' }, ruleIndex: 0, action: 'Allow' }],
    ['fails to reach 9091 from an unlabelled pod', plainPod, 9091, false, { kind: 'policy', policy: { name: 'restrict-calico-node-prometheus' }, ruleIndex: 0, action: 'Deny' }],
    ['can reach 9091 from an address in calico-prometheus-set', managementHost, 9091, true, { kind: 'policy', policy: { name: 'default-host' } }],
    ['fails to reach 9091 from an address Calico does not know', outsider, 9091, false, { kind: 'policy', policy: { name: 'restrict-calico-node-prometheus' } }],
    ['fails to reach 9091 from another node, whose host endpoint lacks the label', node0, 9091, false, { kind: 'policy', policy: { name: 'restrict-calico-node-prometheus' } }],
    ['fails to reach Typha 9093 from an unlabelled pod', plainPod, 9093, false, { kind: 'policy', policy: { name: 'restrict-typha-prometheus' } }],
    ['can reach 443 from anything (default-host)', outsider, 443, true, { kind: 'policy', policy: { name: 'default-host' }, direction: 'Ingress' }],
    ['can reach 22 from anything, through the failsafe port before any policy', outsider, 22, true, { kind: 'failsafe', direction: 'inbound', entry: { protocol: 'TCP', port: 22 } }],
  ])('%s', (_title, source, port, allowed, decidedBy) => {
    const verdict = evaluate(model, tcp(source, master, port));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });

  it('can show every enforcement point a labelled pod crosses to reach 9091', () => {
    const verdict = evaluate(model, tcp(prometheusPod, master, 9091));
    expect(verdict.stages.map((s) => [s.point, s.endpoint, s.decidedBy.kind])).toEqual([
      ['workload-egress', 'monitoring/my-prometheus-pod', 'profile'],
      ['forward-egress', 'kubeadm-node-0.eth0', 'not-policed'],
      ['host-ingress', 'kubeadm-master.eth0', 'policy'],
    ]);
  });
});

// Same document, allow-list approach: no default policy, so host endpoints deny all but failsafe traffic.
describe('the allow-list example of "Secure Calico Prometheus endpoints"', () => {
  const model = buildModel(allowList, context);
  const endOfTier = { kind: 'end-of-tier-deny', tier: 'default', direction: 'Ingress' };

  it.each([
    ['can reach 9091 from a labelled pod', tcp(prometheusPod, master, 9091), true, { kind: 'policy', policy: { name: 'restrict-calico-node-prometheus' }, action: 'Allow' }],
    ['can reach 9091 from the management host in calico-prometheus-set', tcp(managementHost, master, 9091), true, { kind: 'policy', action: 'Allow' }],
    ['fails to reach 9091 from an unlabelled pod (the tier ends in deny)', tcp(plainPod, master, 9091), false, endOfTier],
    ['fails to reach 443 from anywhere', tcp(managementHost, master, 443), false, endOfTier],
    ['can reach 22 through the failsafe port only', tcp(outsider, master, 22), true, { kind: 'failsafe', direction: 'inbound' }],
    [
      'fails host egress to 443: no policy selects the host endpoints for Egress',
      tcp(node0, outsider, 443),
      false,
      { kind: 'no-policy-default-deny', direction: 'Egress' },
    ],
    ['can send DNS from a host through the outbound failsafe port', { source: node0, destination: outsider, protocol: 'UDP', port: 53 } as Flow, true, { kind: 'failsafe', direction: 'outbound', entry: { protocol: 'UDP', port: 53 } }],
  ])('%s', (_title, flow, allowed, decidedBy) => {
    const verdict = evaluate(model, flow);
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });

  it('fails a host-networked Prometheus on a worker at its own egress before reaching the master', () => {
    const verdict = evaluate(model, tcp(node0, master, 9091));
    expect(verdict.allowed).toBe(false);
    expect(verdict.stages.map((s) => s.point)).toEqual(['host-egress']);
  });
});

// The kube-controllers policies of the same document are namespaced NetworkPolicies that
// select the (pod-networked) kube-controllers pods with types [Ingress]. What the document
// leaves out: once any policy selects the pods, every other ingress ends in the tier's
// default deny, and rule selectors of a namespaced policy only see the policy's namespace.
describe('the kube-controllers policies of "Secure Calico Prometheus endpoints"', () => {
  const inCalicoSystem = (labels: Record<string, string>, name: string): WorkloadPeer => ({ ...prometheusPod, name, namespace: 'calico-system', labels, ip: '192.168.1.20' });
  const deny = buildModel(denyList, context);
  const allow = buildModel(allowList, context);
  const policy = { kind: 'NetworkPolicy', name: 'restrict-kube-controllers-prometheus', namespace: 'calico-system' };

  it.each([
    ['fails deny-list: port 8080 from an unlabelled pod ends in the default deny, not only 9094', deny, plainPod, 8080, { kind: 'end-of-tier-deny', tier: 'default', direction: 'Ingress', policies: [policy] }],
    ['fails deny-list: 9094 from a labelled pod in another namespace ends in the default deny', deny, prometheusPod, 9094, { kind: 'end-of-tier-deny', policies: [policy] }],
    ['fails deny-list: 9094 from an unlabelled pod in calico-system is denied by the rule', deny, inCalicoSystem({}, 'debug'), 9094, { kind: 'policy', policy, action: 'Deny' }],
    ['fails allow-list: 9094 from a labelled pod in another namespace (the selector is namespace-scoped)', allow, prometheusPod, 9094, { kind: 'end-of-tier-deny' }],
    ['fails allow-list: 9094 from a host endpoint or network set (the selector is namespace-scoped)', allow, managementHost, 9094, { kind: 'end-of-tier-deny' }],
  ])('%s', (_title, model, source, port, decidedBy) => {
    const verdict = evaluate(model, tcp(source, kubeControllers, port));
    expect(verdict.allowed).toBe(false);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });

  it('can reach 9094 in allow-list mode from a labelled pod in calico-system', () => {
    const verdict = evaluate(allow, tcp(inCalicoSystem({ 'calico-prometheus-access': 'true' }, 'prometheus'), kubeControllers, 9094));
    expect(verdict.allowed).toBe(true);
    expect(verdict.decidedBy).toMatchObject({ kind: 'policy', policy, action: 'Allow' });
  });

  it('can explain why the labelled pod in another namespace is not matched', () => {
    const verdict = evaluate(allow, tcp(prometheusPod, kubeControllers, 9094));
    expect(verdict.steps.join('\n')).toContain(
      'source 192.168.1.10 is not selected by projectcalico.org/namespace == "calico-system" && calico-prometheus-access == "true"',
    );
  });
});

// "Securing Calico's own communications": protected servers, allowed clients by host endpoint
// expectedIPs, and pruning the failsafe port.
describe('the protected-server example of "Securing Calico\'s own communications"', () => {
  const objects = [
    gnp('bl-default-allow', { selector: 'bl-default-allow == "true"', order: 5000, ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }),
    gnp('protected-etcd-server', {
      selector: 'protected-etcd-server == "true"',
      order: 500,
      types: ['Ingress'],
      ingress: [{ action: 'Deny', protocol: 'TCP', source: { notSelector: 'has(allowed-etcd-client)' }, destination: { ports: [2379] } }],
    }),
    hep('kubeadm-master-eth0', { 'bl-default-allow': 'true', 'protected-etcd-server': 'true' }, { node: 'kubeadm-master', interfaceName: 'eth0', expectedIPs: ['10.100.0.15'] }),
    hep('kubeadm-node-0-eth0', { 'bl-default-allow': 'true', 'allowed-etcd-client': 'true' }, { node: 'kubeadm-node-0', interfaceName: 'eth0', expectedIPs: ['10.100.0.16'] }),
  ];
  const pruned = felixConfiguration('default', {
    failsafeInboundHostPorts: [
      { protocol: 'TCP', port: 22 },
      { protocol: 'UDP', port: 68 },
      { protocol: 'TCP', port: 179 },
      { protocol: 'TCP', port: 2380 },
      { protocol: 'TCP', port: 6666 },
      { protocol: 'TCP', port: 6667 },
    ],
  });

  it.each([
    ['can reach etcd from the allowed client host', [...objects, pruned], node0, true, { kind: 'policy', policy: { name: 'bl-default-allow' } }],
    ['fails to reach etcd from anywhere else once 2379 is pruned', [...objects, pruned], outsider, false, { kind: 'policy', policy: { name: 'protected-etcd-server' }, action: 'Deny' }],
    ['fails to protect etcd while 2379 is still a failsafe port', objects, outsider, true, { kind: 'failsafe', entry: { port: 2379 }, configuredBy: 'Felix defaults' }],
  ])('%s', (_title, objs, source, allowed, decidedBy) => {
    const verdict = evaluate(buildModel(objs, context), tcp(source, master, 2379));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });
});

// https://docs.tigera.io/calico/latest/reference/resources/hostendpoint "Default behavior of
// external traffic to/from host", and Felix's resolution of endpoints to interfaces.
describe('host endpoints', () => {
  const allowAll = (selector: string): ReturnType<typeof gnp> => gnp('allow-all', { selector, ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] });
  const star = (labels: Record<string, string>, profiles?: string[]): ReturnType<typeof hep> =>
    hep('kubeadm-master.all', labels, { node: 'kubeadm-master', interfaceName: '*', expectedIPs: ['10.100.0.15'], ...(profiles && { profiles }) });
  const via = (iface: string): Peer => ({ ...master, interface: iface });

  it.each([
    ['fails when no policy selects the host endpoint', [masterEth0], via('eth0'), 443, false, { kind: 'no-policy-default-deny', direction: 'Ingress' }],
    ['can pass failsafe traffic when no policy selects the host endpoint', [masterEth0], via('eth0'), 22, true, { kind: 'failsafe' }],
    ['can pass traffic on an interface the named host endpoint does not name', [masterEth0], via('eth1'), 443, true, { kind: 'not-policed' }],
    ['fails on any interface of a `*` host endpoint without profile', [star({})], via('eth1'), 443, false, { kind: 'no-policy-default-deny' }],
    ['can pass a `*` host endpoint with projectcalico-default-allow', [star({}, ['projectcalico-default-allow'])], via('eth1'), 443, true, { kind: 'profile', profile: 'projectcalico-default-allow' }],
    [
      'can let a named host endpoint win over `*` on its interface',
      [star({}), hep('kubeadm-master.eth0', { open: 'yes' }, { node: 'kubeadm-master', interfaceName: 'eth0' }), allowAll('open == "yes"')],
      via('eth0'),
      443,
      true,
      { kind: 'policy', policy: { name: 'allow-all' } },
    ],
    [
      'fails through `*` on the interfaces without their own host endpoint',
      [star({}), hep('kubeadm-master.eth0', { open: 'yes' }, { node: 'kubeadm-master', interfaceName: 'eth0' }), allowAll('open == "yes"')],
      via('eth1'),
      443,
      false,
      { kind: 'no-policy-default-deny' },
    ],
    [
      'can match a host endpoint without interfaceName by the interface address in expectedIPs',
      [hep('master-by-ip', {}, { node: 'kubeadm-master', expectedIPs: ['10.100.0.15'] })],
      via('ens3'),
      443,
      false,
      { kind: 'no-policy-default-deny' },
    ],
  ])('%s', (_title, objects, destination, port, allowed, decidedBy) => {
    const verdict = evaluate(buildModel(objects, context), tcp(outsider, destination, port));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });

  // https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes#automatic-host-endpoints
  it('can model automatic host endpoints, which carry projectcalico-default-allow', () => {
    const kcc = { apiVersion: 'projectcalico.org/v3', kind: 'KubeControllersConfiguration', metadata: { name: 'default' }, spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled' } } } } };
    const model = buildModel([kcc], { ...context, nodes: [{ name: 'kubeadm-master', labels: { role: 'master' }, ips: ['10.100.0.15'] }] });
    expect(model.hostEndpoints).toEqual([
      expect.objectContaining({ name: 'kubeadm-master-auto-hep', interfaceName: '*', profiles: ['projectcalico-default-allow'], expectedIPs: ['10.100.0.15'] }),
    ]);
    expect(evaluate(model, tcp(outsider, via('eth7'), 443)).decidedBy).toMatchObject({ kind: 'profile', profile: 'projectcalico-default-allow' });
    const locked = buildModel([kcc, gnp('masters', { selector: 'role == "master"', types: ['Ingress'] })], { ...context, nodes: [{ name: 'kubeadm-master', labels: { role: 'master' }, ips: ['10.100.0.15'] }] });
    expect(evaluate(locked, tcp(outsider, via('eth7'), 443)).decidedBy).toMatchObject({ kind: 'end-of-tier-deny' });
  });
});

describe('a workload and a host on one node', () => {
  const hostPod: WorkloadPeer = { ...plainPod, node: 'kubeadm-master' };
  const isolated = np('default', 'deny-all', { selector: 'all()', types: ['Ingress'] });

  // Host endpoint reference: "Traffic from a host to its workload endpoints is always allowed, despite any policy".
  it('can reach its own pods from the host whatever the pod policy', () => {
    const verdict = evaluate(buildModel([isolated, masterEth0], context), tcp(master, hostPod, 8080));
    expect(verdict).toMatchObject({ allowed: true, decidedBy: { kind: 'host-to-local-workload' } });
  });

  it('fails from a host to a pod on another node under the same policy', () => {
    const verdict = evaluate(buildModel([isolated], context), tcp(node0, { ...hostPod, ip: '192.168.0.9' }, 8080));
    expect(verdict).toMatchObject({ allowed: false, decidedBy: { kind: 'end-of-tier-deny' } });
  });

  // Felix's workload-to-host chain runs instead of host endpoint ingress policy; its end is
  // DefaultEndpointToHostAction (https://docs.tigera.io/calico/latest/reference/felix/configuration).
  it.each([
    ['can reach 9091 on its own host despite the deny-list policy (DefaultEndpointToHostAction Accept)', [], {}, true, { kind: 'endpoint-to-host-action', action: 'Accept', configuredBy: INSTALLER_ENDPOINT_TO_HOST }],
    // calico-node's environment variable outranks FelixConfiguration (felix/config/config_params.go SourcesInDescendingOrder).
    ['can reach it still when a FelixConfiguration says Drop', [felixConfiguration('default', { defaultEndpointToHostAction: 'Drop' })], {}, true, { kind: 'endpoint-to-host-action', action: 'Accept', configuredBy: INSTALLER_ENDPOINT_TO_HOST }],
    ['fails when calico-node runs with FELIX_DEFAULTENDPOINTTOHOSTACTION=DROP', [], { defaultEndpointToHostAction: 'Drop' as const }, false, { kind: 'endpoint-to-host-action', action: 'Drop', configuredBy: SPEC_ENDPOINT_TO_HOST }],
  ])('%s', (_title, extra, more, allowed, decidedBy) => {
    const verdict = evaluate(buildModel([...denyList, ...extra], { ...context, ...more }), tcp(hostPod, master, 9091));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });

  it('fails from a pod to its own host when its own egress policy denies', () => {
    const egressDeny = np('default', 'no-egress', { selector: 'all()', types: ['Egress'] });
    const verdict = evaluate(buildModel([egressDeny], context), tcp(hostPod, master, 9091));
    expect(verdict.stages.map((s) => s.point)).toEqual(['workload-egress']);
    expect(verdict.decidedBy).toMatchObject({ kind: 'end-of-tier-deny', direction: 'Egress' });
  });
});

// https://docs.tigera.io/calico/latest/reference/host-endpoints/forwarded
describe('forwarded traffic (applyOnForward)', () => {
  const denyIngress = (applyOnForward: boolean): ReturnType<typeof gnp> =>
    gnp('host-deny', { selector: 'running-calico == "true"', applyOnForward, types: ['Ingress'], ingress: [{ action: 'Deny' }] });

  it.each([
    ['can reach a pod through a host endpoint whose policies lack applyOnForward', false, true, { kind: 'not-policed' }],
    ['fails through a host endpoint with an applyOnForward Deny', true, false, { kind: 'policy', policy: { name: 'host-deny' }, action: 'Deny' }],
  ])('%s', (_title, applyOnForward, allowed, decidedBy) => {
    const verdict = evaluate(buildModel([masterEth0, denyIngress(applyOnForward)], context), tcp(outsider, kubeControllers, 8080));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.stages[0]).toMatchObject({ point: 'forward-ingress', endpoint: 'kubeadm-master.eth0', decidedBy });
  });

  it('fails for host-terminated traffic under the same policy without applyOnForward', () => {
    expect(evaluate(buildModel([masterEth0, denyIngress(false)], context), tcp(outsider, master, 8080)).allowed).toBe(false);
  });
});

// https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy#spec (order) and
// https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule (actions).
describe('policy order, tiers and actions', () => {
  const rule = (action: string): Record<string, unknown> => ({ action, protocol: 'TCP', destination: { ports: [443] } });
  const policy = (name: string, order: number | undefined, ...actions: string[]): ReturnType<typeof gnp> =>
    gnp(name, { selector: 'running-calico == "true"', ...(order !== undefined && { order }), ingress: actions.map(rule) });

  it.each([
    ['can let the lower order decide first', [policy('b', 100, 'Deny'), policy('a', 200, 'Allow')], false, 'b'],
    ['can apply a policy without order last', [policy('a', undefined, 'Deny'), policy('b', 1e6, 'Allow')], true, 'b'],
    ['can break order ties by name', [policy('b-deny', 100, 'Deny'), policy('a-allow', 100, 'Allow')], true, 'a-allow'],
  ])('%s', (_title, policies, allowed, decider) => {
    const verdict = evaluate(buildModel([masterEth0, ...policies], context), tcp(outsider, master, 443));
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject({ kind: 'policy', policy: { name: decider } });
  });

  it('can go on after a Log rule to the next rule', () => {
    const verdict = evaluate(buildModel([masterEth0, policy('a', 100, 'Log', 'Allow')], context), tcp(outsider, master, 443));
    expect(verdict).toMatchObject({ allowed: true, decidedBy: { kind: 'policy', ruleIndex: 1, action: 'Allow' } });
    expect(verdict.steps).toContain('  GlobalNetworkPolicy a (order 100) rule 0 (Log) matches: logged, evaluation goes on');
  });

  it.each([
    ['fails at the end of the tier when a selecting policy does not act', [policy('a', 100, 'Allow')], 8443, { kind: 'end-of-tier-deny', policies: [{ name: 'a' }] }],
    ['fails after Pass on a host endpoint without profile', [policy('a', 100, 'Pass'), policy('b', 200, 'Allow')], 443, { kind: 'no-policy-default-deny', passedBy: { policy: { name: 'a' }, ruleIndex: 0 } }],
  ])('%s', (_title, policies, port, decidedBy) => {
    const verdict = evaluate(buildModel([masterEth0, ...policies], context), tcp(outsider, master, port));
    expect(verdict.allowed).toBe(false);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });

  it.each([
    ['can Pass a host endpoint to projectcalico-default-allow', master, 'projectcalico-default-allow'],
    ['can Pass a pod to its namespace profile', kubeControllers, 'kns.calico-system'],
  ])('%s', (_title, destination, profile) => {
    const passAll = gnp('pass', { selector: 'all()', order: 1, ingress: [{ action: 'Pass' }] });
    const withProfile = hep('kubeadm-master.eth0', { 'running-calico': 'true' }, { node: 'kubeadm-master', interfaceName: 'eth0', profiles: ['projectcalico-default-allow'] });
    const verdict = evaluate(buildModel([withProfile, passAll], context), tcp(prometheusPod, destination, 443));
    expect(verdict.allowed).toBe(true);
    expect(verdict.decidedBy).toMatchObject({ kind: 'profile', profile, passedBy: { policy: { name: 'pass' } } });
  });

  // "workload endpoints with no policy selecting them are allowed (Kubernetes default)".
  it('can reach a pod that no policy selects, through its namespace profile', () => {
    expect(evaluate(buildModel([], context), tcp(plainPod, kubeControllers, 8080)).decidedBy).toMatchObject({ kind: 'profile', profile: 'kns.calico-system', direction: 'Ingress' });
  });

  // "If types has no value": Egress only when only egress rules exist.
  it('can leave ingress alone when a policy without types has only egress rules', () => {
    const egressOnly = gnp('egress-only', { selector: 'running-calico == "true"', egress: [{ action: 'Deny' }] });
    const model = buildModel([masterEth0, egressOnly], context);
    expect(evaluate(model, tcp(outsider, master, 443)).decidedBy).toMatchObject({ kind: 'no-policy-default-deny', direction: 'Ingress' });
    expect(evaluate(model, tcp(master, outsider, 443)).decidedBy).toMatchObject({ kind: 'policy', direction: 'Egress', action: 'Deny' });
  });
});

// https://docs.tigera.io/calico/latest/reference/resources/networkpolicy: Rule (protocol,
// notProtocol, icmp, ipVersion), EntityRule (nets, notNets, selector, notSelector and
// "Understanding notSelector", ports, notPorts, serviceAccounts) and Ports ("start:end", named ports).
describe('rule matching', () => {
  const only = (ruleSpec: Record<string, unknown>): ReturnType<typeof buildModel> =>
    buildModel(
      [
        masterEth0,
        hep('kubeadm-node-0.eth0', { 'running-calico': 'true' }, { node: 'kubeadm-node-0', interfaceName: 'eth0', expectedIPs: ['10.100.0.16'], profiles: ['projectcalico-default-allow'] }),
        gnp('only', { selector: 'running-calico == "true"', ingress: [{ action: 'Allow', ...ruleSpec }] }),
        gns('mgmt', { zone: 'mgmt' }, ['172.15.0.0/24']),
      ],
      context,
    );
  const allows = (ruleSpec: Record<string, unknown>, flow: Flow): boolean => evaluate(only(ruleSpec), flow).allowed;

  it.each([
    ['can match a port range "first:last"', { protocol: 'TCP', destination: { ports: ['9090:9099'] } }, tcp(outsider, master, 9094), true],
    ['fails outside the port range', { protocol: 'TCP', destination: { ports: ['9090:9099'] } }, tcp(outsider, master, 9100), false],
    ['fails on a port in notPorts', { protocol: 'TCP', destination: { notPorts: [22, '9090:9099'] } }, tcp(outsider, master, 9091), false],
    ['can match a port outside notPorts', { protocol: 'TCP', destination: { notPorts: [22, '9090:9099'] } }, tcp(outsider, master, 443), true],
    ['fails on a named port, which the model does not resolve', { protocol: 'TCP', destination: { ports: ['metrics'] } }, tcp(outsider, master, 9091), false],
    ['can match a numeric protocol', { protocol: 6 }, tcp(outsider, master, 443), true],
    ['fails on another protocol', { protocol: 'UDP' }, tcp(outsider, master, 443), false],
    ['fails on notProtocol', { notProtocol: 'TCP' }, tcp(outsider, master, 443), false],
    ['fails an ICMP rule for TCP', { protocol: 'ICMP', icmp: { type: 8 } }, tcp(outsider, master, 443), false],
    ['can match source nets', { source: { nets: ['203.0.113.0/24'] } }, tcp(outsider, master, 443), true],
    ['fails source notNets', { source: { notNets: ['203.0.113.0/24'] } }, tcp(outsider, master, 443), false],
    ['fails destination nets that miss the host', { destination: { nets: ['10.0.0.0/16'] } }, tcp(outsider, master, 443), false],
    ['can match a source in a selected network set', { source: { selector: 'zone == "mgmt"' } }, tcp(managementHost, master, 443), true],
    // "Understanding notSelector": a selector matches known endpoints only; notSelector also matches anything unknown.
    ['fails all() for an address Calico does not know', { source: { selector: 'all()' } }, tcp(outsider, master, 443), false],
    ['can match notSelector for an address Calico does not know', { source: { notSelector: 'zone == "mgmt"' } }, tcp(outsider, master, 443), true],
    ['fails notSelector for an address in the selected network set', { source: { notSelector: 'zone == "mgmt"' } }, tcp(managementHost, master, 443), false],
    ['can match a pod by its labels through its IP', { source: { selector: 'app == "prometheus"' } }, tcp(prometheusPod, master, 443), true],
    ['can match a host by its host endpoint expectedIPs', { source: { selector: 'running-calico == "true"' } }, tcp(node0, master, 443), true],
    // Selector module semantics: != and not in match absent labels.
    ['can match != on a pod without the label', { source: { selector: 'tier != "db"' } }, tcp(prometheusPod, master, 443), true],
    ['can match not in on a pod without the label', { source: { selector: 'tier not in {"db"}' } }, tcp(prometheusPod, master, 443), true],
    ['fails ipVersion 6 for IPv4', { ipVersion: 6 }, tcp(outsider, master, 443), false],
    ['fails source ports when the client port is unknown', { protocol: 'TCP', source: { ports: ['1024:65535'] } }, tcp(outsider, master, 443), false],
    ['can match source ports when the client port is given', { protocol: 'TCP', source: { ports: ['1024:65535'] } }, { ...tcp(outsider, master, 443), sourcePort: 40000 }, true],
    ['can match a service account by name', { source: { serviceAccounts: { names: ['prometheus'] } } }, tcp({ ...prometheusPod, serviceAccount: 'prometheus' }, master, 443), true],
    ['fails another service account', { source: { serviceAccounts: { names: ['prometheus'] } } }, tcp({ ...prometheusPod, serviceAccount: 'default' }, master, 443), false],
  ])('%s', (_title, ruleSpec, flow, allowed) => {
    expect(allows(ruleSpec, flow)).toBe(allowed);
  });
});

// https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors, "Understanding
// scopes and the all() and global() operators", and GlobalNetworkPolicy spec.namespaceSelector.
describe('namespaces', () => {
  const pod = (namespace: string, labels: Record<string, string> = {}, namespaceLabels: Record<string, string> = {}): WorkloadPeer => ({
    ...plainPod,
    namespace,
    labels,
    namespaceLabels,
    ip: '192.168.1.30',
  });
  const target = (namespace: string): WorkloadPeer => ({ ...kubeControllers, namespace, labels: { app: 'server' } });

  it.each([
    // NetworkPolicy "selects over the workloads in the same namespace".
    ['fails in the namespace of a deny-all NetworkPolicy', [np('a', 'deny', { selector: 'all()', types: ['Ingress'] })], pod('x'), target('a'), false],
    ['can reach a pod in another namespace than the NetworkPolicy', [np('a', 'deny', { selector: 'all()', types: ['Ingress'] })], pod('x'), target('b'), true],
    // Without namespaceSelector a NetworkPolicy rule selector only sees its own namespace.
    ['fails a same-label pod from another namespace', [np('a', 'from-app', { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: 'app == "client"' } }] })], pod('x', { app: 'client' }), target('a'), false],
    ['can allow a same-label pod from the same namespace', [np('a', 'from-app', { selector: 'all()', ingress: [{ action: 'Allow', source: { selector: 'app == "client"' } }] })], pod('a', { app: 'client' }), target('a'), true],
    [
      'can allow pods of namespaces chosen by a rule namespaceSelector',
      [np('a', 'from-ns', { selector: 'all()', ingress: [{ action: 'Allow', source: { namespaceSelector: 'team == "obs"' } }] })],
      pod('x', {}, { team: 'obs' }),
      target('a'),
      true,
    ],
    [
      'can select a namespace by name with projectcalico.org/name',
      [np('a', 'from-ns', { selector: 'all()', ingress: [{ action: 'Allow', source: { namespaceSelector: 'projectcalico.org/name == "x"' } }] })],
      pod('x'),
      target('a'),
      true,
    ],
    // GlobalNetworkPolicy namespaceSelector limits the policy to workloads of matching namespaces.
    ['fails in a namespace a GlobalNetworkPolicy namespaceSelector selects', [gnp('ns-deny', { namespaceSelector: 'team == "obs"', types: ['Ingress'] })], pod('x'), { ...target('a'), namespaceLabels: { team: 'obs' } }, false],
    ['can reach a namespace the GlobalNetworkPolicy namespaceSelector leaves out', [gnp('ns-deny', { namespaceSelector: 'team == "obs"', types: ['Ingress'] })], pod('x'), target('a'), true],
  ])('%s', (_title, objects, source, destination, allowed) => {
    expect(evaluate(buildModel(objects, context), tcp(source, destination, 8080)).allowed).toBe(allowed);
  });

  it('fails to apply a namespaceSelector GlobalNetworkPolicy to host endpoints', () => {
    const model = buildModel([masterEth0, gnp('ns-deny', { namespaceSelector: 'all()', types: ['Ingress'] })], context);
    expect(evaluate(model, tcp(outsider, master, 443)).decidedBy).toMatchObject({ kind: 'no-policy-default-deny' });
  });

  it('can reach a global network set from a NetworkPolicy through namespaceSelector global()', () => {
    const viaGlobal = np('calico-system', 'from-sets', {
      selector: 'all()',
      ingress: [{ action: 'Allow', source: { namespaceSelector: 'global()', selector: 'calico-prometheus-access == "true"' } }],
    });
    const model = buildModel([viaGlobal, gns('calico-prometheus-set', { 'calico-prometheus-access': 'true' }, ['172.15.0.101/32'])], context);
    expect(evaluate(model, tcp(managementHost, kubeControllers, 9094)).allowed).toBe(true);
    expect(evaluate(model, tcp({ ...prometheusPod, namespace: 'calico-system' }, kubeControllers, 9094)).allowed).toBe(false);
  });
});

// https://docs.tigera.io/calico/latest/reference/host-endpoints/failsafe
describe('failsafe ports', () => {
  const restricted = felixConfiguration('default', { failsafeInboundHostPorts: [{ protocol: 'TCP', port: 22, net: '10.0.0.0/8' }], failsafeOutboundHostPorts: [] });

  it.each([
    ['can pass inbound 22 from the failsafe net', [masterEth0, restricted], tcp({ kind: 'external', ip: '10.1.2.3' }, master, 22), true, { kind: 'failsafe', entry: { net: '10.0.0.0/8' }, configuredBy: 'FelixConfiguration default' }],
    ['fails inbound 22 from outside the failsafe net', [masterEth0, restricted], tcp(outsider, master, 22), false, { kind: 'no-policy-default-deny' }],
    ['fails outbound 2379 once the outbound list is emptied', [masterEth0, restricted], tcp(master, outsider, 2379), false, { kind: 'no-policy-default-deny', direction: 'Egress' }],
    ['can pass outbound 2379 by default (destination port of host-originated traffic)', [masterEth0], tcp(master, outsider, 2379), true, { kind: 'failsafe', direction: 'outbound' }],
    ['fails to reach a pod on 22: failsafe ports apply to host endpoints only', [np('calico-system', 'deny', { selector: 'all()', types: ['Ingress'] })], tcp(outsider, kubeControllers, 22), false, { kind: 'end-of-tier-deny' }],
    [
      'can let a node.<name> FelixConfiguration override default on that node',
      [masterEth0, restricted, felixConfiguration('node.kubeadm-master', { failsafeInboundHostPorts: [{ port: 22 }] })],
      tcp(outsider, master, 22),
      true,
      { kind: 'failsafe', configuredBy: 'FelixConfiguration node.kubeadm-master' },
    ],
  ])('%s', (_title, objects, flow, allowed, decidedBy) => {
    const verdict = evaluate(buildModel(objects, context), flow);
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.decidedBy).toMatchObject(decidedBy);
  });
});

// What `calico-shield explain` prints.
describe('explanations', () => {
  it('can say which object put a source in a notSelector', () => {
    const verdict = evaluate(buildModel(denyList, context), tcp(managementHost, master, 9091));
    expect(verdict.steps).toContain(
      '  GlobalNetworkPolicy restrict-calico-node-prometheus (order 500) rule 0 (Deny) does not match: source 172.15.0.101 (GlobalNetworkSet calico-prometheus-set (172.15.0.0/24)) is selected by notSelector calico-prometheus-access == "true"',
    );
    expect(verdict.steps[verdict.steps.length - 1]).toBe('verdict: allowed');
  });

  it('can stop at the first enforcement point that drops the packet', () => {
    const egressDeny = np('default', 'no-egress', { selector: 'all()', types: ['Egress'] });
    const verdict = evaluate(buildModel([...denyList, egressDeny], context), tcp(plainPod, master, 443));
    expect(verdict.stages.map((s) => s.point)).toEqual(['workload-egress']);
    expect(verdict.steps[verdict.steps.length - 1]).toBe('verdict: denied at workload-egress');
  });
});

describe('malformed flows', () => {
  const model = buildModel([], context);
  it.each([
    ['fails on a source address that is not an IP', tcp({ kind: 'external', ip: '10.0.0.300' }, master, 443), /source's ip "10.0.0.300"/],
    ['fails on a port out of range', tcp(outsider, master, 70000), /port 70000 is not a port/],
    ['fails on an unknown protocol', { ...tcp(outsider, master, 443), protocol: 300 }, /300 is not a Calico protocol/],
  ])('%s', (_title, flow, message) => {
    expect(() => evaluate(model, flow)).toThrow(message);
  });
});

describe('scale', () => {
  // 5,000 nodes with one label set: policy selectors are matched once per label set and rule
  // selectors once per endpoint (IP sets), not once per query.
  it('can evaluate 5,000 nodes without matching selectors per query', () => {
    const nodes = Array.from({ length: 5000 }, (_, i) => `node-${i}`);
    const objects = [
      ...denyList.filter((o) => o.kind !== 'HostEndpoint'),
      ...nodes.map((n, i) => hep(`${n}.eth0`, { 'running-calico': 'true' }, { node: n, interfaceName: 'eth0', expectedIPs: [`10.${(i >> 8) & 255}.${i & 255}.1`] })),
    ];
    const model = buildModel(objects, context);
    const spy = jest.spyOn(selectorModule, 'matchesSelector');
    try {
      const denied = nodes.filter((n, i) => !evaluate(model, tcp(plainPod, { kind: 'host', node: n, interface: 'eth0', ip: `10.${(i >> 8) & 255}.${i & 255}.1` }, 9091)).allowed);
      expect(denied).toHaveLength(5000);
      // One pass over the 5,000 host endpoints builds the notSelector's IP set, each query checks
      // its own pod once, and the policies are selected once per label set (not per query).
      expect(spy.mock.calls.length).toBeLessThan(12_000);
    } finally {
      spy.mockRestore();
    }
  });
});

// The access matrix evaluates its thousands of flows without steps (access.ts probe): the
// verdict must not depend on whether it explains itself.
describe('evaluating without steps', () => {
  it.each(['clusters/example.yaml', 'clusters/allow-list-essentials.yaml', 'clusters/allow-list-etcd.yaml', 'clusters/auto-hep.yaml', 'clusters/etcd-v3-30.yaml'])('gives every probe of %s the verdict it gives with them, and no steps', (file) => {
    const r = compileOk(file);
    const { environment, objects: installed } = clusterEnvironment(r.spec);
    const model = buildModel([...installed, ...r.objects], { failsafeDefaults: r.spec.failsafe, environment, calicoVersion: r.spec.calicoVersion, defaultEndpointToHostAction: r.spec.environment.defaultEndpointToHostAction, ...(r.plan?.autoHostEndpoints ? { nodes: r.plan.autoHostEndpoints.nodes } : {}) });
    const probes = r.access?.servers.flatMap((s) => s.cells.flatMap((c) => c.probes)) ?? [];
    expect(probes.length).toBeGreaterThan(20);
    for (const p of probes) {
      const flow: Flow = { source: p.source, destination: p.destination, protocol: p.protocol, port: p.port };
      for (const failsafe of [true, false]) {
        const explained = evaluate(model, flow, { failsafe });
        const bare = evaluate(model, flow, { failsafe, steps: false });
        expect(bare.steps).toEqual([]);
        expect(explained.steps.length).toBeGreaterThan(1);
        expect({ ...bare, steps: explained.steps }).toEqual(explained);
      }
    }
  });

  // With steps, a rule's criteria are checked in their order, selectors before ports, and the
  // first that fails is named (found by review: only the verdicts were compared).
  it('names the first criterion that fails when it explains itself', () => {
    const server = hep('server.eth0', { 'running-calico': 'true' }, { node: 'server', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] });
    const policy = gnp('ports', {
      selector: 'running-calico == "true"',
      order: 10,
      types: ['Ingress'],
      ingress: [
        { action: 'Allow', protocol: 'TCP', source: { selector: 'role == "client"' }, destination: { ports: [9091] } },
        { action: 'Allow', protocol: 'TCP', destination: { ports: [9091] } },
      ],
    });
    const flow: Flow = { source: { kind: 'external', ip: '10.0.0.2' }, destination: { kind: 'host', node: 'server', interface: 'eth0', ip: '10.0.0.1' }, protocol: 'TCP', port: 22 };
    const { steps } = evaluate(buildModel([server, policy], context), flow, { failsafe: false });
    expect(steps).toContain('  GlobalNetworkPolicy ports (order 10) rule 0 (Allow) does not match: source 10.0.0.2 is not selected by role == "client"');
    expect(steps).toContain('  GlobalNetworkPolicy ports (order 10) rule 1 (Allow) does not match: destination port 22 is not in ports [9091]');
  });

  // Without steps a rule's ports are checked before its selectors: any order gives the same
  // verdict when every criterion must hold, for source and destination ports alike, with the
  // source port known or not.
  it('gives the verdict it gives with them, whatever the rules say of ports and selectors', () => {
    const ranges = fc.array(fc.oneof(fc.integer({ min: 1, max: 6 }), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 6 })).map(([a, b]) => `${a}:${b}`)), { minLength: 1, maxLength: 2 });
    const side = fc.record({ ports: fc.option(ranges, { nil: undefined }), notPorts: fc.option(ranges, { nil: undefined }), selector: fc.option(fc.constantFrom('role == "client"', 'has(role)', '!has(role)'), { nil: undefined }) });
    const rule = fc.record({ action: fc.constantFrom('Allow', 'Deny', 'Log'), source: side, destination: side });
    const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
    // The client outside the cluster, in a network set the selectors may select.
    const client = gns('clients', { role: 'client' }, ['10.0.0.0/24']);
    const server = hep('server.eth0', { 'running-calico': 'true' }, { node: 'server', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] });
    const from: Peer = { kind: 'external', ip: '10.0.0.2' };
    const to: Peer = { kind: 'host', node: 'server', interface: 'eth0', ip: '10.0.0.1' };
    const verdicts = new Set<string>();
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 6 }), fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), (rules, port, sourcePort) => {
        const policy = gnp('ports', { selector: 'running-calico == "true"', order: 10, types: ['Ingress'], ingress: rules.map((r) => ({ action: r.action, protocol: 'TCP', source: defined(r.source), destination: defined(r.destination) })) });
        const model = buildModel([client, server, policy], context);
        const flow: Flow = { source: from, destination: to, protocol: 'TCP', port, ...(sourcePort !== undefined && { sourcePort }) };
        const explained = evaluate(model, flow, { failsafe: false });
        const bare = evaluate(model, flow, { failsafe: false, steps: false });
        expect({ ...bare, steps: explained.steps }).toEqual(explained);
        verdicts.add(`${explained.allowed} ${explained.decidedBy.kind}`);
      }),
      { numRuns: 1500 },
    );
    // Rules allowed, denied, and matched nothing (the tier's default deny).
    expect([...verdicts].sort()).toEqual(['false end-of-tier-deny', 'false policy', 'true policy']);
  });
});

// The access matrix asks for the labels of the same few pods thousands of times, each time as
// a new peer: one label set per pod's labels object, namespace and service account.
describe('workload labels', () => {
  const pod = (over: Partial<WorkloadPeer>): WorkloadPeer => ({ kind: 'workload', namespace: 'default', ip: '192.168.1.11', node: 'n', ...over });

  it('are one frozen object for peers of the same labels object, namespace and service account', () => {
    const labels = { app: 'web' };
    const a = workloadLabels(pod({ labels, name: 'a', ip: '192.168.1.1' }));
    const b = workloadLabels(pod({ labels, name: 'b', ip: '192.168.1.2', node: 'other' }));
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a).toEqual({ app: 'web', 'projectcalico.org/namespace': 'default', 'projectcalico.org/orchestrator': 'k8s', 'pcns.projectcalico.org/name': 'default' });
  });

  it('differ by namespace and service account, however their names read together', () => {
    const labels = {};
    const sets = [
      workloadLabels(pod({ labels, namespace: 'a/b' })),
      workloadLabels(pod({ labels, namespace: 'a', serviceAccount: 'b' })),
      workloadLabels(pod({ labels, namespace: 'a' })),
      workloadLabels(pod({ labels, namespace: 'a', serviceAccount: '' })),
    ];
    expect(new Set(sets).size).toBe(4);
    expect(sets[0]).toHaveProperty(['projectcalico.org/namespace'], 'a/b');
    expect(sets[0]).not.toHaveProperty(['projectcalico.org/serviceaccount']);
    expect(sets[1]).toHaveProperty(['projectcalico.org/serviceaccount'], 'b');
    expect(sets[3]).toHaveProperty(['projectcalico.org/serviceaccount'], '');
  });

  it('are computed afresh for another labels object with the same labels, and for namespace labels', () => {
    const first = workloadLabels(pod({ labels: { app: 'web' } }));
    const other = workloadLabels(pod({ labels: { app: 'web' } }));
    expect(other).toEqual(first);
    expect(other).not.toBe(first);
    const withNamespace = workloadLabels(pod({ labels: { app: 'web' }, namespaceLabels: { team: 'x' } }));
    expect(withNamespace).toHaveProperty(['pcns.team'], 'x');
    expect(Object.isFrozen(withNamespace)).toBe(false);
    // The namespace's labels are not part of the memo's key: never memoised.
    const shared = { app: 'db' };
    const inX = workloadLabels(pod({ labels: shared, namespaceLabels: { team: 'x' } }));
    const inY = workloadLabels(pod({ labels: shared, namespaceLabels: { team: 'y' } }));
    const inNone = workloadLabels(pod({ labels: shared }));
    expect(inX).toHaveProperty(['pcns.team'], 'x');
    expect(inY).toHaveProperty(['pcns.team'], 'y');
    expect(inNone).not.toHaveProperty(['pcns.team']);
    expect(workloadLabels(pod({ labels: shared, namespaceLabels: { team: 'x' } }))).not.toBe(inX);
  });
});
