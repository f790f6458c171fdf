/**
 * The verify stage: every synth proves the emitted objects do what the spec asks, or says
 * why not. Errors stop the synth (nothing is written); warnings are printed and listed in
 * ACCESS.md.
 *
 * `verifyCluster(plan, objects)` builds the {@link Model} of the objects (as Felix would read
 * them), computes the {@link AccessMatrix} and checks it against the plan's intent:
 *
 * | code | severity | when |
 * | --- | --- | --- |
 * | `exposed-port` | error | a protected port is reachable from a class of clients the spec does not allow |
 * | `failsafe-open` | error | a protected port of a host-networked server is still a Felix failsafe port |
 * | `client-cut` | error | a class of clients the spec allows cannot reach the port |
 * | `no-host-endpoint` | error / warning | a node running a host-networked server has no host endpoint / the spec lists no node at all |
 * | `invalid-object` / `not-modelled` | error / warning | an emitted object Calico would refuse / a field the model does not evaluate |
 * | `host-traffic-cut` | warning | allow-list: host paths of lib/calico/presets.ts the default deny cuts (by role, with presets) |
 * | `partial-interfaces` | warning | only named interfaces have host endpoints on nodes running host-networked servers |
 * | `selector-matches-nothing` | warning | a policy selects nothing known, or a server has no known client |
 * | `pod-to-own-host` | warning | pods reach host-networked servers of their own node whatever the policy |
 * | `namespace-default-deny` | warning | a policy on pods ends all their other ingress in the default tier's deny (deviation D8) |
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/comms/secure-metrics
 */
import { matchesSelector, printSelector, type Labels } from '../calico/selector';
import { objectKey, refKey, type CalicoObject } from '../calico/object';
import { allowedClientLabel, type ProtectionPlan, type ServerPlan } from '../plan/plan';
import { CALICO_RELEASES } from '../calico/versions';
import { sortFindings, type Finding, type Severity } from '../spec/errors';
import type { EssentialDirection, EssentialHostPath } from '../calico/essentials';
import { presetOf } from '../calico/presets';
import { CLIENT_CLASSES, computeAccess, type AccessCell, type AccessMatrix, type EssentialAccess, type Probe, type ServerAccess } from './access';
import { describeDecision, describePeer, formatCount, PEER_WORDS, policyName, ROLE_WORDS, sample, serverPort, serverTitle } from './describe';
import { workloadLabels } from './evaluator';
import { printQuery } from './explain';
import { SYSTEM_PODS } from '../calico/needs';
import { parseCidr } from '../calico/net';
import { KUBE_CONTROLLERS_ACCESS_POLICY, OPERATOR_TIER } from '../calico/operator';
import { compareText } from '../calico/strings';
import { clusterEnvironment } from './environment';
import { buildModel, type Model, type ModelContext } from './model';

export interface Verification {
  readonly findings: readonly Finding[];
  readonly access: AccessMatrix;
}

export interface VerifyContext extends Pick<ModelContext, 'nodes'> {
  /**
   * The objects the cluster has besides calico-shield's: for `audit`, what a dump of the live
   * cluster holds (its installer's tier among them).
   *
   * @default - the installer's objects of spec.environment (the operator's tier on operator installs)
   */
  readonly installed?: readonly CalicoObject[];
  /** For `audit`: the dump (`--from`) the hints' explain commands replay their probe on. @default - none */
  readonly explainFrom?: string;
}

/**
 * Verifies the objects a plan compiled to; findings are sorted.
 *
 * @param context.nodes the cluster's nodes, for the host endpoints kube-controllers creates
 *   when the objects enable them (auto mode) @default - none
 */
export function verifyCluster(plan: ProtectionPlan, objects: readonly CalicoObject[], context: VerifyContext = {}): Verification {
  // Felix's lists are the spec's (Calico's defaults unless the spec says the cluster differs)
  // wherever the emitted objects do not set them; the installer's own objects decide too.
  const { environment, objects: modelled } = clusterEnvironment(plan.spec);
  const { installed = modelled, explainFrom, ...modelContext } = context;
  const model = buildModel([...installed, ...objects], { failsafeDefaults: plan.spec.failsafe, environment, calicoVersion: plan.spec.calicoVersion, defaultEndpointToHostAction: plan.spec.environment.defaultEndpointToHostAction, ...modelContext });
  const access = computeAccess(plan, model);
  const rails = new GuardRails(plan, model, access, objects, explainFrom);
  return { findings: sortFindings(rails.check()), access };
}

/**
 * Egress policy that closes pods' way to the servers of their own host: a Pass in the default
 * tier would skip the pods' own policies there (Kubernetes NetworkPolicies are in it, at order
 * 1000), so the policy goes in a tier of its own before every other (v3.32.1
 * api/pkg/apis/projectcalico/v3/tier.go:48-50: the admin tier at 1,000, default at 1,000,000;
 * felix/rules/endpoints.go:620-660 Pass ends the tier's policies, the next tier decides).
 */
const POD_TO_HOST_EGRESS =
  "deny these ports in the pods' egress policy, from a Tier of its own ordered before every other tier (an order below 1,000: Calico's admin tier is at 1,000, the default tier at 1,000,000): a policy that selects the pods but not the allowed clients, denies these ports to every address of the node (its host endpoints' addresses and its tunnel address) and ends with a Pass rule, so that the tiers after it decide the pods' other egress as before";

class GuardRails {
  private readonly findings: Finding[] = [];

  constructor(
    private readonly plan: ProtectionPlan,
    private readonly model: Model,
    private readonly access: AccessMatrix,
    /** The objects calico-shield compiled: the others are the cluster's or its installer's. */
    private readonly own: readonly CalicoObject[],
    private readonly explainFrom: string | undefined,
  ) {}

  /** `Kind/namespace/name` of the compiled objects, per kind asked about (never the 10,000 host endpoints' unless asked). */
  private readonly ownKeys = new Map<string, ReadonlySet<string>>();

  /** The command that shows every step of one probe, on the same objects the finding saw. */
  private explainCommand(probe: Probe): string {
    // --spec: the hint is printed by a synth or an audit that compiled the spec in memory, and a
    // failed synth wrote nothing to dist/, which explain would read otherwise.
    return `calico-shield explain --cluster ${this.plan.cluster} --spec${this.explainFrom === undefined ? '' : ` --from ${this.explainFrom}`} "${printQuery(probe)}"`;
  }

  private owns(ref: { readonly kind: string; readonly name: string; readonly namespace?: string }): boolean {
    let keys = this.ownKeys.get(ref.kind);
    if (keys === undefined) {
      keys = new Set(this.own.filter((o) => o.kind === ref.kind).map(objectKey));
      this.ownKeys.set(ref.kind, keys);
    }
    return keys.has(refKey(ref));
  }

  check(): Finding[] {
    this.modelIssues();
    for (const server of this.access.servers) {
      this.exposedPort(server);
      this.clientCut(server);
      this.failsafeOpen(server);
      this.noHostEndpoint(server);
      this.namespaceDefaultDeny(server);
    }
    this.essentialCut();
    this.catchAllClients();
    this.systemPods();
    this.partialInterfaces();
    this.hostTrafficCut();
    this.selectorsMatchNothing();
    this.podToOwnHost();
    return this.findings;
  }

  private add(severity: Severity, code: string, path: string, message: string, hint: string): void {
    const spec = this.plan.spec;
    // Defaults have no position of their own: use the closest enclosing field that has one.
    let at = path;
    while (!spec.positions.has(at)) {
      const parent = at.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
      if (parent === at) break;
      at = parent;
    }
    const pos = spec.positions.get(at);
    this.findings.push({ severity, code, message, hint, file: spec.file, ...(pos && { line: pos.line, col: pos.col }), field: path });
  }

  /**
   * Objects Calico would refuse, or fields evaluated differently than Felix would. In calico-shield's
   * own objects that is a bug in the charts; in the cluster's (audit) it is the cluster's, and only
   * narrows what the verdicts cover.
   */
  private modelIssues(): void {
    const unmodelledKinds = new Map<string, string[]>();
    for (const issue of this.model.issues) {
      const object = `${issue.object.kind} ${issue.object.namespace === undefined ? '' : `${issue.object.namespace}/`}${issue.object.name}`;
      if (this.owns(issue.object)) {
        this.add(
          issue.severity,
          issue.severity === 'error' ? 'invalid-object' : 'not-modelled',
          'spec',
          `the emitted ${object} ${issue.path}: ${issue.message}`,
          issue.severity === 'error' ? 'Calico would refuse this object: calico-shield wrote something it should not, please report it' : 'the verdicts in ACCESS.md assume what the message says',
        );
      } else if (issue.severity === 'warning' && issue.path === 'kind') {
        // Kinds the evaluator does not read (IPPool, Profile, BGP…): one note for all of them.
        unmodelledKinds.set(issue.object.kind, [...(unmodelledKinds.get(issue.object.kind) ?? []), object]);
      } else {
        this.add(
          'warning',
          issue.severity === 'error' ? 'cluster-object-refused' : 'not-modelled',
          'spec',
          `the cluster's ${object} ${issue.path}: ${issue.message}`,
          issue.severity === 'error'
            ? `Calico ${CALICO_RELEASES[this.plan.calicoVersion].release} would refuse this object as the dump shows it, so the verdicts leave it out; check it (another Calico version, or a dump edited by hand?) before trusting the report`
            : 'the verdicts take the cluster\'s object as the message says',
        );
      }
    }
    if (unmodelledKinds.size > 0) {
      const kinds = [...unmodelledKinds.entries()].sort(([a], [b]) => compareText(a, b));
      this.add(
        'warning',
        'not-modelled',
        'spec',
        `the cluster's objects of kinds the evaluator does not read are left out: ${kinds.map(([kind, objects]) => `${objects.length} ${kind} (${objects.slice(0, 3).join(', ')}${objects.length > 3 ? ', …' : ''})`).join(', ')}`,
        'none of these kinds holds policy, host endpoints or network sets; docs/verification.md says what is modelled and what is not',
      );
    }
  }

  /** (a) A class the spec does not allow gets through, other than by a failsafe port (failsafe-open) or to its own host (pod-to-own-host). */
  private exposedPort(server: ServerAccess): void {
    for (const cell of this.cellsOf(server, 'denied')) {
      const open = cell.probes.filter((p) => p.allowed && p.decidedBy.kind !== 'failsafe' && !(cell.client === 'pod-same-node' && p.decidedBy.kind === 'endpoint-to-host-action'));
      const first = open[0];
      if (first === undefined) continue;
      this.add(
        'error',
        'exposed-port',
        server.server.path,
        `${serverPort(server.server)} is reachable from ${classTitle(cell)}: ${flowText(first)} is allowed by ${describeDecision(first.decidedBy)}${stageText(first)}`,
        rewriteHint(first, this.plan) ?? `${this.protectingPolicies(server.server)} should stop it; see every step with: ${this.explainCommand(first)}`,
      );
    }
  }

  /** (c) A class the spec allows cannot connect. */
  private clientCut(server: ServerAccess): void {
    for (const cell of this.cellsOf(server, 'allowed')) {
      const cut = cell.probes.filter((p) => !p.allowed);
      const first = cut[0];
      if (first === undefined) continue;
      if (operatorTierDecided(first)) {
        this.add(
          'error',
          'operator-tier',
          server.server.path,
          `${serverPort(server.server)} is cut off from ${classTitle(cell)}, which the spec allows: on operator installs the Tigera operator's tier "${OPERATOR_TIER}" (order 100) decides before calico-shield's policies in the default tier, and its policy ${KUBE_CONTROLLERS_ACCESS_POLICY} admits only pods k8s-app=tigera-prometheus in namespace tigera-prometheus (tigera/operator v1.42.3 pkg/render/kubecontrollers/kube-controllers.go:827-837): ${flowText(first)} is denied by ${describeDecision(first.decidedBy)}`,
          "leave metrics.kubeControllers out on operator installs (the operator's policy already limits the port to its Prometheus) and scrape from pods k8s-app: tigera-prometheus in namespace tigera-prometheus; or set spec.environment.install: manifests if Calico was installed from manifests",
        );
        continue;
      }
      this.add(
        'error',
        'client-cut',
        server.server.path,
        `${serverPort(server.server)} is cut off from ${classTitle(cell)}, which the spec allows: ${flowText(first)} is denied by ${describeDecision(first.decidedBy)}${stageText(first)}`,
        rewriteHint(first, this.plan) ?? `the allowed client must pass its own egress and the server's ingress; see every step with: ${this.explainCommand(first)}`,
      );
    }
  }

  /**
   * (b) "once you have specific policy in place for a protected server, it is important that
   * that server's port is no longer configured as one of Felix's failsafe ports": an inbound
   * failsafe port lets every source in; an outbound one lets every host process out to it.
   * Failsafe ports apply to host endpoints only, so servers on pods are not concerned.
   *
   * @see https://docs.tigera.io/calico/latest/reference/host-endpoints/failsafe
   */
  private failsafeOpen(server: ServerAccess): void {
    const s = server.server;
    const hosts = server.targets.filter((t) => t.peer.kind === 'host');
    if (hosts.length === 0) return;
    const matching = (entries: readonly { readonly entry: { readonly protocol: string; readonly port: number; readonly net?: string } }[]) =>
      entries.filter((r) => r.entry.protocol === s.protocol && r.entry.port === s.port);
    const matches = (entries: Parameters<typeof matching>[0]): boolean => matching(entries).length > 0;
    const inbound = new Map<string, number>();
    /** Whom an inbound entry lets in: every source, or those of its `net`. */
    const sources = new Map<string, string>();
    for (const t of hosts) {
      const felix = this.model.felix(t.peer.node).failsafeInbound;
      const found = matching(felix.value);
      if (found.length === 0) continue;
      inbound.set(felix.configuredBy, (inbound.get(felix.configuredBy) ?? 0) + t.nodes);
      const nets = found.map((r) => r.entry.net);
      sources.set(felix.configuredBy, nets.includes(undefined) ? 'every source' : `every source in ${nets.join(', ')}`);
    }
    const outbound = new Map<string, number>();
    for (const cls of this.access.hostClasses) {
      const felix = this.model.felix(cls.hostEndpoint.node).failsafeOutbound;
      if (matches(felix.value)) outbound.set(felix.configuredBy, (outbound.get(felix.configuredBy) ?? 0) + new Set(cls.members.map((m) => m.node)).size);
    }
    const hint = `remove ${s.protocol} ${s.port} from failsafeInboundHostPorts and failsafeOutboundHostPorts ("Pruning Felix's failsafe ports" in Securing Calico's own communications); calico-shield writes them in the FelixConfiguration default when a protected port is failsafe`;
    for (const [by, nodes] of inbound) {
      this.add('error', 'failsafe-open', s.path, `${serverPort(s)} is still a failsafe inbound port (${by}): Felix lets ${sources.get(by) ?? 'every source'} reach it on ${nodesText(nodes)}, whatever the policy`, hint);
    }
    for (const [by, nodes] of outbound) {
      this.add('error', 'failsafe-open', s.path, `${serverPort(s)} is still a failsafe outbound port (${by}): every host-networked process on ${nodesText(nodes)} may connect to it, whatever the policy`, hint);
    }
  }

  /** (e) Nodes running a host-networked server with no host endpoint: Calico polices nothing there. */
  private noHostEndpoint(server: ServerAccess): void {
    const s = server.server;
    const { uncoveredNodes: u } = server;
    if (u.count > 0) {
      this.add(
        'error',
        'no-host-endpoint',
        this.nodePath(u.names[0] as string) ?? s.path,
        `${serverPort(s)} runs host-networked on ${sample(u.names, u.count)}, but no host endpoint covers ${u.count === 1 ? 'that node' : 'these nodes'}: Calico does not police connections to it there`,
        'give each such node its interfaces in spec.nodes (or "*"), so that a HostEndpoint is written for it',
      );
    } else if (s.runsOnAllNodes && this.plan.spec.nodes.length === 0) {
      const auto = this.plan.hostEndpointsMode === 'auto';
      this.add(
        'warning',
        'no-host-endpoint',
        s.path,
        auto
          ? `${serverPort(s)} runs on every node, but spec.nodes lists none: kube-controllers creates their host endpoints, but calico-shield cannot probe them`
          : `${serverPort(s)} runs on every node, but spec.nodes lists none: no HostEndpoint is written, so its policy applies to nothing yet`,
        auto ? `list the nodes with their addresses in spec.nodes (calico-shield nodes import --interface '*')` : 'list the nodes and their interfaces in spec.nodes',
      );
    }
  }

  /** (e) Named interfaces only: connections through other interfaces skip every host endpoint. */
  private partialInterfaces(): void {
    const affected = this.access.servers.filter((s) => s.partialNodes.count > 0);
    if (affected.length === 0) return;
    const nodes = new Set(affected.flatMap((s) => s.partialNodes.names));
    const count = Math.max(...affected.map((s) => s.partialNodes.count));
    const first = [...nodes].sort()[0] as string;
    this.add(
      'warning',
      'partial-interfaces',
      `${this.nodePath(first) ?? 'spec.nodes'}.interfaces`,
      `only named interfaces have host endpoints on ${count === this.plan.spec.nodes.length ? 'every node' : sample([...nodes].sort(), count)}: connections to ${affected.map((s) => serverPort(s.server)).join(', ')} arriving by another interface are not policed`,
      'add an interface "*" to these nodes (HostEndpoint <node>.all-interfaces polices every interface without its own endpoint), or make sure the servers listen on the named interfaces only',
    );
  }

  /**
   * (d) Allow-list: which host paths of lib/calico/presets.ts the default deny cuts, and which
   * only failsafe ports keep open. With presets (spec.hostTraffic), each path between the roles
   * it names, for the presets the spec names and those every node needs; the others (BGP,
   * IP-in-IP, VXLAN, WireGuard, Typha, NodePorts) depend on the installation, and leaving them
   * out of the presets says the cluster does not use them. Local paths (a host to itself over
   * loopback) are cut only by all-interfaces host endpoints, the automatic ones included.
   *
   * @see https://github.com/projectcalico/calico/issues/4478
   */
  private hostTrafficCut(): void {
    if (this.plan.approach !== 'allow-list' || this.access.essentials.length === 0) return;
    const presets = this.plan.hostTraffic?.presets;
    const named = (e: EssentialAccess): boolean => presets?.includes(e.path.preset) === true;
    const concerns = (e: EssentialAccess): boolean => presets === undefined || named(e) || presetOf(e.path.preset).needed === 'always';
    const cut = this.access.essentials.filter((e) => (e.status === 'denied' || e.status === 'mixed') && concerns(e));
    const failsafe = this.access.essentials.filter((e) => e.status === 'failsafe' && concerns(e) && !named(e));
    const unprobed = presets === undefined ? [] : this.access.essentials.filter((e) => e.status === 'none' && concerns(e));
    if (cut.length === 0 && failsafe.length === 0 && unprobed.length === 0) return;
    // One entry per path and direction: `NodePort Services 30000-32767/TCP`, `etcd 2380/TCP`,
    // with presets the roles too: `kubelet API 10250/TCP to every node from the control plane`.
    const list = (entries: readonly EssentialAccess[]): string =>
      (['inbound', 'outbound', 'local'] as const)
        .map((d) => {
          const names: string[] = [];
          for (const path of new Set(entries.filter((e) => e.direction === d).map((e) => e.path))) {
            const ports = entries.filter((e) => e.direction === d && e.path === path);
            const range = ports.length > 1 && path.endPort !== undefined && path.probePorts === undefined ? `${path.port}-${path.endPort}` : ports.map((e) => e.port).join(', ');
            names.push(`${path.name} ${range}/${path.protocol}${presets === undefined ? '' : legText(path, d)}${ports.some((e) => e.status === 'mixed') ? ' (on some nodes)' : ''}`);
          }
          return names.length > 0 ? `${d === 'local' ? 'host-local' : d} ${names.join(', ')}` : undefined;
        })
        .filter((x) => x !== undefined)
        .join('; ');
    // The first part continues the message's sentence, the others start their own.
    const parts = [
      ...(cut.length > 0 ? [`the host endpoints' default deny cuts ${list(cut)}`] : []),
      ...(failsafe.length > 0 ? [`${cut.length > 0 ? 'Open' : 'they are open'} only through Felix's failsafe ports: ${list(failsafe)}`] : []),
      ...(unprobed.length > 0 ? [`${cut.length + failsafe.length > 0 ? 'Not probed' : 'they were not probed'}, as no host endpoint has the role: ${list(unprobed)}`] : []),
    ];
    const missing = [...new Set([...cut, ...failsafe].filter((e) => !named(e)).map((e) => e.path.preset))];
    this.add(
      'warning',
      'host-traffic-cut',
      presets === undefined ? 'spec.approach' : `${this.plan.hostTraffic?.path ?? 'spec.hostTraffic'}.presets`,
      `allow-list: no policy allows ${presets === undefined ? 'the usual' : 'these'} host paths of a node, so ${parts.join('. ')}`,
      presets === undefined
        ? `allow the paths the cluster uses with spec.hostTraffic.presets (docs/presets.md) or GlobalNetworkPolicies selecting ${printSelector(this.plan.hostSelector)} before applying, or use the deny-list approach; docs/verification.md lists the paths and their sources`
        : `${missing.length > 0 ? `add ${missing.join(', ')} to spec.hostTraffic.presets (docs/presets.md), or allow these paths with policies of your own` : 'label the nodes of each role in spec.nodes[].labels (spec.hostTraffic.controlPlane says which labels make the control plane)'}; ACCESS.md lists every probe`,
    );
  }

  /** (f) Policies that select nothing calico-shield knows, and servers without a known client. */
  private selectorsMatchNothing(): void {
    const pods = this.describedPods();
    const hostLabels = this.access.hostClasses.map((c) => c.hostEndpoint.labels);
    for (const p of this.model.policies) {
      // calico-shield writes to the default tier; the installer's tiers are not its to report.
      if (p.tier !== 'default' || !this.owns(p.ref)) continue;
      const selects = hostLabels.some((l) => matchesSelector(p.selector.selector, l, { global: true })) || pods.some((l) => matchesSelector(p.selector.selector, l, { global: false }));
      if (selects) continue;
      const owner = this.plan.servers.find((s) => s.policy.name === p.ref.name || s.clientEgressPolicy?.name === p.ref.name);
      const preset = this.plan.hostTraffic?.policies.some((h) => h.name === p.ref.name) ? `${this.plan.hostTraffic?.path ?? 'spec.hostTraffic'}.presets` : undefined;
      this.add(
        'warning',
        'selector-matches-nothing',
        owner?.path ?? preset ?? 'spec',
        `${p.ref.kind} ${policyName(p.ref)} selects nothing calico-shield knows of: no host endpoint and no pod the spec describes matches ${p.selector.key}`,
        'check the nodes the server runs on (runsOn) and the labels of its pods',
      );
    }
    const seen = new Set<string>();
    const clientPods = this.clientPods();
    for (const server of this.access.servers) {
      const s = server.server;
      const key = printSelector(s.clientSelector);
      if (seen.has(key)) continue;
      seen.add(key);
      const ips = this.model.ipSet({ selector: s.clientSelector, key });
      if (ips.hasHostAddresses || ips.nets.length > 0 || clientPods.some((l) => matchesSelector(s.clientSelector, l, { global: false }))) continue;
      const metrics = s.role !== 'protected-server';
      this.add(
        'warning',
        'selector-matches-nothing',
        metrics ? 'spec.metrics' : `${s.path}.allowedClients`,
        `no client of ${metrics ? 'the metrics endpoints' : serverTitle(s)} is known: no network, host endpoint or workload of the spec matches ${key}`,
        metrics
          ? `only pods labelled ${this.plan.spec.metrics.accessLabel}=true by hand can scrape; list metrics.allowedNets for scrapers outside the cluster`
          : `only pods labelled ${allowedClientLabel(s.id)}=true by hand can connect; list allowedClients (workloads, nodes or nets)`,
      );
    }
  }

  /**
   * (g) Felix sends traffic from a pod to its own host through the workload's egress policy
   * and then DefaultEndpointToHostAction, never through host endpoint ingress policy; with
   * Accept (what Calico's installers set, in calico-node's environment, where no
   * FelixConfiguration overrides it: ModelContext.defaultEndpointToHostAction) or Return, any
   * pod reaches host-networked servers on its own node whatever their policy. Reported once
   * per cluster.
   *
   * @see https://docs.tigera.io/calico/latest/reference/resources/felixconfig (defaultEndpointToHostAction)
   * @see https://docs.tigera.io/calico/latest/reference/host-endpoints/summary
   */
  private podToOwnHost(): void {
    const open: { server: ServerPlan; probe: Probe }[] = [];
    for (const server of this.access.servers) {
      const cell = server.cells.find((c) => c.client === 'pod-same-node');
      const probe = cell?.probes.find((p) => p.allowed && p.decidedBy.kind === 'endpoint-to-host-action');
      if (probe) open.push({ server: server.server, probe });
    }
    const first = open[0];
    if (first === undefined || first.probe.decidedBy.kind !== 'endpoint-to-host-action') return;
    const { action, configuredBy } = first.probe.decidedBy;
    this.add(
      'warning',
      'pod-to-own-host',
      first.server.path,
      `with DefaultEndpointToHostAction ${action} (${configuredBy}), any pod reaches the host-networked servers of its own node ${action === 'Return' ? "unless the host's own INPUT rules drop it, " : ''}whatever their policy: ${open.map((o) => serverPort(o.server)).join(', ')} (Calico polices traffic from a pod to its own host with the pod's egress policy, not with host endpoint policy)`,
      `to close it, ${POD_TO_HOST_EGRESS}${
        this.plan.spec.environment.install === 'manifests'
          ? "; or set FELIX_DEFAULTENDPOINTTOHOSTACTION=DROP in calico-node's environment and spec.environment.defaultEndpointToHostAction: Drop, which drops every connection from a pod to its own host after its egress policy, Services with host-networked backends on that node included (felix/rules/static.go:453-467). A FelixConfiguration's defaultEndpointToHostAction has no effect: the environment variable outranks it"
          : ': the Tigera operator sets FELIX_DEFAULTENDPOINTTOHOSTACTION=ACCEPT on calico-node, which no FelixConfiguration overrides'
      }`,
    );
  }

  /**
   * (h) Deviation D8: a policy selecting pods for ingress makes every connection it does not
   * allow end in the default tier's deny, even in the deny-list approach, whose default-host
   * policy selects host endpoints only.
   */
  private namespaceDefaultDeny(server: ServerAccess): void {
    const probe = server.otherPort;
    if (this.plan.approach !== 'deny-list' || probe === undefined || probe.allowed || probe.decidedBy.kind !== 'end-of-tier-deny') return;
    const s = server.server;
    this.add(
      'warning',
      'namespace-default-deny',
      s.path,
      `${s.policy.kind} ${policyName({ kind: s.policy.kind, name: s.policy.name, ...(s.policy.namespace !== undefined && { namespace: s.policy.namespace }) })} selects ${server.runsOn} for ingress: every other connection to them ends in the default tier's deny (probed: ${probe.protocol} ${probe.port} from ${describePeer(probe.source)}), not in default-host`,
      s.role === 'kube-controllers-metrics' && this.onlyKubeControllers(s)
        ? 'kube-controllers serves nothing else (its health checks are exec probes), so only its metrics port is reachable; see deviation D8 in docs/seed-deviations.md'
        : "allow the pods' other ports with a policy of their own, or select only the server's pods; see deviation D8 in docs/seed-deviations.md",
    );
  }

  /**
   * A protected port on a path the cluster needs (lib/calico/needs.ts), which those who need
   * it no longer get through: a metrics port set to the API server's 6443 or the kubelet's
   * 10250, a protected server on SSH's 22, etcd's 2379 protected from the control plane, a
   * protected port that overrides a preset the spec names.
   */
  private essentialCut(): void {
    for (const n of this.access.needs) {
      const s = n.server;
      const path = `${n.need.name} path (${n.need.protocol} ${n.need.port}${n.need.endPort === undefined ? '' : `-${n.need.endPort}`} into ${ROLE_WORDS[n.need.on]} from ${PEER_WORDS[n.need.from]}: ${n.need.usedBy})`;
      if (n.probes.length === 0) {
        // Nothing to probe is no proof: the path may well be cut on the cluster's real nodes.
        this.add(
          'warning',
          'need-not-probed',
          s.role === 'protected-server' ? s.path : `${s.path}.port`,
          `${serverPort(s)} sits on the cluster's ${path}, but nothing could be probed: no host endpoint the server runs on is ${ROLE_WORDS[n.need.on]} (${printSelector(this.plan.hostRoles[n.need.on])}), or no one who needs the path is described, so whether it is cut is unknown`,
          `label the nodes of each role in spec.nodes[].labels (spec.hostTraffic.controlPlane says which labels make the control plane), or give ${serverTitle(s)} a port off the path`,
        );
        continue;
      }
      const cut = n.probes.find((p) => !p.allowed);
      if (cut === undefined) continue;
      const preset = n.need.namedPreset;
      const field = s.role === 'protected-server' ? `${s.path}.allowedClients` : `${s.path}.port`;
      this.add(
        'error',
        preset ? 'preset-overridden' : 'essential-cut',
        s.role === 'protected-server' ? s.path : `${s.path}.port`,
        `${serverPort(s)} sits on the cluster's ${path}${preset ? `, which the preset ${preset} of spec.hostTraffic.presets opens` : ''}, and cuts it: ${flowText(cut)} is denied by ${describeDecision(cut.decidedBy)}${stageText(cut)}`,
        s.role === 'protected-server'
          ? `let those who need the path be allowed clients (${field}), or protect another port; if only the allowed clients may use it, say so with spec.acknowledge: [{code: ${preset ? 'preset-overridden' : 'essential-cut'}, field: ${s.path}, reason: …}]`
          : `give ${serverTitle(s)} its own port (${field}); ${n.need.port} is the ${n.need.name}'s`,
      );
    }
  }

  /**
   * Allowed clients that are every address of a family: `0.0.0.0/0`, `::/0`, or the IPv4-mapped
   * `::ffff:0.0.0.0/96` (which matches IPv4 clients through dual-stack sockets). The protection
   * then protects nothing; exposed-port cannot see it when every node is an allowed client too.
   */
  private catchAllClients(): void {
    const spec = this.plan.spec;
    // The lists are sorted once read: a finding points at the list, which names the net.
    const nets: { net: string; path: string }[] = [
      ...spec.metrics.allowedNets.map((net) => ({ net, path: 'spec.metrics.allowedNets' })),
      ...spec.protectedServers.flatMap((srv) => srv.allowedClients.nets.map((net) => ({ net, path: `${srv.path}.allowedClients.nets` }))),
    ];
    for (const { net, path } of nets) {
      const catchAll = isCatchAll(net);
      if (catchAll === undefined) continue;
      this.add(
        'error',
        'catch-all-clients',
        path,
        `${net} allows ${catchAll} as clients: the port is protected from nobody`,
        `list the networks the clients are in; if every address may connect on purpose, say so with spec.acknowledge: [{code: catch-all-clients, field: ${path}, reason: …}]`,
      );
    }
  }

  /**
   * A namespaced policy of calico-shield (kube-controllers' metrics) that selects a system pod
   * too: every other connection to it then ends in the default tier's deny.
   */
  private systemPods(): void {
    for (const s of this.plan.servers) {
      if (s.policy.kind !== 'NetworkPolicy' || s.policy.namespace === undefined) continue;
      for (const pod of SYSTEM_PODS) {
        if (pod.namespace !== s.policy.namespace || !matchesSelector(s.policy.selector, pod.labels, { global: false })) continue;
        this.add(
          'error',
          'selects-system-pods',
          s.role === 'kube-controllers-metrics' ? `${s.path}.podLabels` : s.path,
          `${s.policy.kind} ${s.policy.namespace}/${s.policy.name} selects ${pod.name} (${Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(', ')} in ${pod.namespace}) too: every other connection to it ends in the default tier's deny, so the cluster loses ${pod.serves}`,
          s.role === 'kube-controllers-metrics' ? "set metrics.kubeControllers.podLabels to labels only kube-controllers' pods carry (k8s-app: calico-kube-controllers)" : 'select only the pods of the server',
        );
      }
    }
  }

  /** Whether the kube-controllers policy selects by kube-controllers' own label, as the operator and the manifests set it. */
  private onlyKubeControllers(s: ServerPlan): boolean {
    const labels = this.plan.spec.metrics.kubeControllers?.podLabels ?? {};
    return s.role === 'kube-controllers-metrics' && labels['k8s-app'] === 'calico-kube-controllers';
  }

  private cellsOf(server: ServerAccess, intent: 'allowed' | 'denied'): AccessCell[] {
    return server.cells.filter((c) => CLIENT_CLASSES.find((k) => k.id === c.client)?.intent === intent);
  }

  private protectingPolicies(s: ServerPlan): string {
    return `${s.policy.kind} ${s.policy.name}${this.plan.approach === 'allow-list' ? ' and the host endpoints\' default deny' : ''}`;
  }

  private nodePath(node: string): string | undefined {
    return this.plan.spec.nodes.find((n) => n.name === node)?.path;
  }

  /** The labels of every pod the spec describes (servers' and clients'), as their workload endpoints carry them. */
  private describedPods(): Labels[] {
    const servers = this.access.servers.flatMap((s) => s.targets.flatMap((t) => (t.peer.kind === 'workload' ? [workloadLabels(t.peer)] : [])));
    return [...servers, ...this.clientPods()];
  }

  /** The labels of the client pods the spec describes: its workload clients (not the pods probes made up with the client label). */
  private clientPods(): Labels[] {
    return this.plan.spec.protectedServers.flatMap((s) =>
      s.allowedClients.workloads.map((w) => workloadLabels({ kind: 'workload', namespace: w.namespace ?? 'default', labels: w.labels, ip: '0.0.0.0', node: '' })),
    );
  }
}

function classTitle(cell: AccessCell): string {
  const title = CLIENT_CLASSES.find((c) => c.id === cell.client)?.title ?? cell.client;
  return `the class "${title}"`;
}

/** `pod default/unlabelled (10.244.1.10) on node b → node a (10.100.0.15, eth0) and 9 more nodes like it`. */
function flowText(p: Probe): string {
  const more = p.targetNodes > 1 ? ` and ${formatCount(p.targetNodes - 1)} more node${p.targetNodes === 2 ? '' : 's'} like it` : '';
  const from = p.sourceNodes > 1 ? ` (and ${formatCount(p.sourceNodes - 1)} more like it)` : '';
  return `${describePeer(p.source)}${from} → ${describePeer(p.destination)}${more}`;
}

function stageText(p: Probe): string {
  const st = p.stage;
  const at = st === undefined ? '' : ` at ${st.point}${st.endpoint === undefined ? '' : ` of ${st.endpoint}`}`;
  return `${at}${rewriteText(p)}`;
}

/** `, after Felix masqueraded it to node n1's address 10.0.0.1`: what changed the source on the way. */
function rewriteText(p: Probe): string {
  return p.rewrites
    .map((r) =>
      r.kind === 'masquerade'
        ? `, after Felix masqueraded it to node ${r.node}'s address ${r.source} (a natOutgoing IP pool, ${r.exclusions === undefined ? 'and this Calico has no natOutgoingExclusions' : `natOutgoingExclusions ${r.exclusions}`}${r.exclusions === 'IPPoolsAndHostIPs' ? ', and the destination is no Calico node address' : ''})`
        : `, sent from node ${r.node}'s tunnel address ${r.source} (the pod is on another node, over the pools' encapsulation)`,
    )
    .join('');
}

/** What to change in the environment when a rewrite decided the probe, or undefined. */
function rewriteHint(p: Probe, plan: ProtectionPlan): string | undefined {
  const mode = plan.hostEndpointsMode;
  const masquerade = p.rewrites.find((r) => r.kind === 'masquerade');
  if (masquerade?.exclusions === 'IPPoolsAndHostIPs') {
    return "the server's address is not among the Calico nodes' (Felix's all-hosts-net), so pods are masqueraded towards it anyway: serve on the node's own address, or let the pods' nodes be clients";
  }
  if (masquerade && !CALICO_RELEASES[plan.calicoVersion].natOutgoingExclusions) {
    return `Calico ${plan.calicoVersion} masquerades pods towards every address outside the IP pools, node addresses included, and has no natOutgoingExclusions: turn natOutgoing off on the pool if the pod network is routed, or move the cluster to Calico v3.31 or later and set spec.environment.natOutgoingExclusions: IPPoolsAndHostIPs (docs/upgrading.md); with masquerade a node's pods all count as the node`;
  }
  if (masquerade) {
    return "set spec.environment.natOutgoingExclusions: IPPoolsAndHostIPs, so pods keep their own address towards nodes (calico-shield writes it into FelixConfiguration default; docs/spec.md#environment says what else it changes); with masquerade a node's pods all count as the node";
  }
  if (p.rewrites.some((r) => r.kind === 'tunnel')) {
    return mode === 'static'
      ? "a host reaches pods on other nodes from its tunnel address, which the static host endpoints do not list: use hostEndpoints.mode: auto (kube-controllers' host endpoints carry the tunnel addresses), or allow the pool's network as a client"
      : 'the automatic host endpoint of the client node should carry its tunnel address: check that kube-controllers runs with autoCreate Enabled';
  }
  return undefined;
}

/** The first 12 bytes of ::ffff:0:0/96. */
const IPV4_MAPPED: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function maskedByte(b: number, index: number, prefixLength: number): number {
  const kept = Math.min(Math.max(prefixLength - 8 * index, 0), 8);
  return b & ((0xff << (8 - kept)) & 0xff);
}

/** What a catch-all net stands for ("every IPv4 address"), or undefined when it is a real network. */
function isCatchAll(net: string): string | undefined {
  const parsed = parseCidr(net);
  if (!parsed.ok) return undefined;
  const c = parsed.cidr;
  if (c.prefixLength === 0) return c.family === 4 ? 'every IPv4 address' : 'every IPv6 address';
  // A network that holds ::ffff:0:0/96 holds every IPv4 address, as dual-stack sockets see them
  // (the spec reads ::ffff:0:0/96 itself as 0.0.0.0/0).
  if (c.family === 6 && c.prefixLength <= 96 && IPV4_MAPPED.every((b, i) => maskedByte(b, i, c.prefixLength) === c.address.bytes[i])) return 'every IPv4 address (IPv4-mapped IPv6)';
  return undefined;
}

/** The operator's tier decided: calico-shield's policies in the default tier are never reached. */
function operatorTierDecided(p: Probe): boolean {
  return p.decidedBy.kind === 'end-of-tier-deny' && p.decidedBy.tier === OPERATOR_TIER;
}


/** ` to every node from the control plane`: where a path goes, by role. */
function legText(path: EssentialHostPath, direction: EssentialDirection): string {
  if (direction === 'inbound' && path.inbound) return ` to ${ROLE_WORDS[path.inbound.on]} from ${PEER_WORDS[path.inbound.from]}`;
  if (direction === 'outbound' && path.outbound) return ` from ${ROLE_WORDS[path.outbound.on]} to ${PEER_WORDS[path.outbound.to]}`;
  return path.local ? ` on ${ROLE_WORDS[path.local]}` : '';
}

function nodesText(nodes: number): string {
  return nodes === 1 ? '1 node' : `${formatCount(nodes)} nodes`;
}
