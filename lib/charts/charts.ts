/**
 * The cdk8s charts, one concern each, built from the constructs generated out of Calico's
 * CRDs (imports/). Each chart takes the ProtectionPlan and emits only its own objects.
 *
 * Every object is written by the construct of the cluster's Calico minor (imports/calico-v3-30-*,
 * calico-v3-31-*, and the unprefixed v3.32 ones): lib/charts/kinds.ts for the kinds whose fields
 * are the same in every minor, and the FelixConfiguration and KubeControllersConfiguration
 * charts below for the two that differ. test/dist-schema.test.ts validates each cluster's
 * objects against its own minor's CRDs.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { FelixConfiguration as FelixConfigurationV330 } from '../../imports/calico-v3-30-felixconfiguration-projectcalico.org';
import { KubeControllersConfiguration as KubeControllersConfigurationV330 } from '../../imports/calico-v3-30-kubecontrollersconfiguration-projectcalico.org';
import {
  FelixConfiguration as FelixConfigurationV331,
  FelixConfigurationSpecNatOutgoingExclusions as NatOutgoingExclusionsV331,
} from '../../imports/calico-v3-31-felixconfiguration-projectcalico.org';
import { KubeControllersConfiguration as KubeControllersConfigurationV331 } from '../../imports/calico-v3-31-kubecontrollersconfiguration-projectcalico.org';
import { FelixConfiguration, FelixConfigurationSpecNatOutgoingExclusions } from '../../imports/felixconfiguration-projectcalico.org';
import {
  GlobalNetworkPolicySpecEgressAction,
  GlobalNetworkPolicySpecIngressAction,
  GlobalNetworkPolicySpecTypes,
} from '../../imports/globalnetworkpolicy-projectcalico.org';
import {
  KubeControllersConfiguration,
  KubeControllersConfigurationSpecControllersNodeHostEndpointAutoCreate,
} from '../../imports/kubecontrollersconfiguration-projectcalico.org';
import { printSelector } from '../calico/selector';
import { ProtectionPlan, ServerRole } from '../plan/plan';
import { HostTrafficPolicy } from './host-traffic-policy';
import { CALICO_KINDS } from './kinds';
import { objectMetadata } from './metadata';
import { AllowedNetworkSet } from './network-set';
import { ProtectingPolicy } from './protecting-policy';

export interface PlanChartProps {
  readonly plan: ProtectionPlan;
}

/** Charts never hash names: every name is the one the Calico documents use. */
const CHART_PROPS = { disableResourceNameHashes: true } as const;

/** The network set of the metrics endpoints' scrapers, as lib/plan names it; the others are protected servers'. */
const METRICS_NETWORK_SET = 'calico-prometheus-set';

/** Deny-list: allow all host traffic by default, at order 5000, before host endpoints exist (selecting the automatic ones in auto mode). */
export class DefaultHostChart extends Chart {
  public constructor(scope: Construct, id: string, props: PlanChartProps) {
    super(scope, id, CHART_PROPS);
    const d = props.plan.defaultAllow;
    if (!d) return;
    new CALICO_KINDS[props.plan.calicoVersion].GlobalNetworkPolicy(this, 'DefaultHost', {
      metadata: objectMetadata({ name: d.name, stage: 'policies' }),
      spec: {
        selector: printSelector(d.selector),
        order: d.order,
        // Both directions are listed explicitly: with rules for both, Calico's default
        // types would be the same, but a reader should not need to know that.
        types: [GlobalNetworkPolicySpecTypes.INGRESS, GlobalNetworkPolicySpecTypes.EGRESS],
        ingress: [{ action: GlobalNetworkPolicySpecIngressAction.ALLOW }],
        egress: [{ action: GlobalNetworkPolicySpecEgressAction.ALLOW }],
      },
    });
  }
}

export interface HostEndpointsChartProps extends PlanChartProps {
  /**
   * The planned host endpoints this chart holds: from index `start` up to, not including,
   * index `end` (both within the plan's list).
   * @default - all of them
   */
  readonly start?: number;
  readonly end?: number;
}

/** One HostEndpoint per node and interface, labelled for the policies that select it. */
export class HostEndpointsChart extends Chart {
  public constructor(scope: Construct, id: string, props: HostEndpointsChartProps) {
    super(scope, id, CHART_PROPS);
    // Construct ids by position: two interfaces whose names map to one object name must reach
    // the collision check (a positioned finding), not fail inside cdk8s.
    const { HostEndpoint } = CALICO_KINDS[props.plan.calicoVersion];
    const all = props.plan.hostEndpoints;
    const end = Math.min(props.end ?? all.length, all.length);
    for (let i = Math.max(props.start ?? 0, 0); i < end; i++) {
      const h = all[i];
      new HostEndpoint(this, `host-endpoint-${i}`, {
        metadata: objectMetadata({ name: h.name, stage: 'host-endpoints', labels: h.labels }),
        spec: {
          node: h.node,
          interfaceName: h.interfaceName,
          ...(h.expectedIPs.length > 0 ? { expectedIPs: [...h.expectedIPs] } : {}),
        },
      });
    }
  }
}

/**
 * Auto mode: KubeControllersConfiguration `default` with `autoCreate: Enabled`, so that
 * kube-controllers creates a host endpoint `<node>-auto-hep` for every node, now and as nodes
 * come and go ("Protect Kubernetes nodes"). Only the fields calico-shield relies on are written,
 * with server-side apply: the object exists in every cluster and its other fields are the
 * installer's (the operator does not write it). `createDefaultHostEndpoint: Enabled` keeps the
 * all-interfaces host endpoint the verify stage models. Stage host-endpoints: the host
 * endpoints appear when it is applied, so after the policies and before failsafe pruning.
 *
 * @see https://docs.tigera.io/calico/latest/network-policy/hosts/kubernetes-nodes
 * @see https://docs.tigera.io/calico/latest/reference/resources/kubecontrollersconfig
 */
export class AutoHostEndpointsChart extends Chart {
  public constructor(scope: Construct, id: string, props: PlanChartProps) {
    super(scope, id, CHART_PROPS);
    const auto = props.plan.autoHostEndpoints;
    if (!auto) return;
    // v3.30's templates have no interfacePattern: its construct gets them without it.
    const withoutPattern = auto.templates.map((t) => ({
      generateName: t.generateName,
      nodeSelector: printSelector(t.nodeSelector),
      // The generated construct spells the field interfaceCidRs and writes it as interfaceCIDRs.
      ...(t.interfaceCIDRs.length > 0 ? { interfaceCidRs: [...t.interfaceCIDRs] } : {}),
      ...(Object.keys(t.labels).length > 0 ? { labels: { ...t.labels } } : {}),
    }));
    const templates = auto.templates.map((t, i) => ({ ...withoutPattern[i], ...(t.interfacePattern !== undefined ? { interfacePattern: t.interfacePattern } : {}) }));
    const metadata = objectMetadata({ name: 'default', stage: 'host-endpoints', sharedObject: true });
    const hostEndpoint = { createDefaultHostEndpoint: 'Enabled', ...(templates.length > 0 ? { templates } : {}) };
    // Each Calico minor's own construct (imports/, from its CRD).
    switch (props.plan.calicoVersion) {
      case 'v3.30':
        if (auto.templates.some((t) => t.interfacePattern !== undefined)) throw new Error('internal error: interfacePattern planned for Calico v3.30');
        new KubeControllersConfigurationV330(this, 'Default', {
          metadata,
          spec: { controllers: { node: { hostEndpoint: { ...hostEndpoint, autoCreate: 'Enabled', ...(templates.length > 0 ? { templates: withoutPattern } : {}) } } } },
        });
        break;
      case 'v3.31':
        new KubeControllersConfigurationV331(this, 'Default', { metadata, spec: { controllers: { node: { hostEndpoint: { ...hostEndpoint, autoCreate: 'Enabled' } } } } });
        break;
      case 'v3.32':
        new KubeControllersConfiguration(this, 'Default', {
          metadata,
          spec: { controllers: { node: { hostEndpoint: { ...hostEndpoint, autoCreate: KubeControllersConfigurationSpecControllersNodeHostEndpointAutoCreate.ENABLED } } } },
        });
        break;
      default: {
        const unknown: never = props.plan.calicoVersion;
        throw new Error(`internal error: no KubeControllersConfiguration construct for Calico ${String(unknown)}`);
      }
    }
  }
}

/** Allow-list: the policies of the host traffic presets (docs/presets.md). */
export class HostTrafficChart extends Chart {
  public constructor(scope: Construct, id: string, props: PlanChartProps) {
    super(scope, id, CHART_PROPS);
    const kinds = CALICO_KINDS[props.plan.calicoVersion];
    for (const policy of props.plan.hostTraffic?.policies ?? []) new HostTrafficPolicy(this, policy.name, { policy, kinds });
  }
}

/** The policy of one metrics endpoint (calico-node, Typha or kube-controllers). */
export class MetricsPolicyChart extends Chart {
  public constructor(scope: Construct, id: string, props: PlanChartProps & { readonly role: Exclude<ServerRole, 'protected-server'> }) {
    super(scope, id, CHART_PROPS);
    const kinds = CALICO_KINDS[props.plan.calicoVersion];
    for (const s of props.plan.servers.filter((x) => x.role === props.role)) {
      new ProtectingPolicy(this, s.id, { policy: s.policy, kinds });
    }
  }
}

/** The GlobalNetworkSet of networks allowed to scrape the metrics endpoints. */
export class MetricsAccessChart extends Chart {
  public constructor(scope: Construct, id: string, props: PlanChartProps) {
    super(scope, id, CHART_PROPS);
    const kinds = CALICO_KINDS[props.plan.calicoVersion];
    for (const set of props.plan.networkSets.filter((s) => s.name === METRICS_NETWORK_SET)) {
      new AllowedNetworkSet(this, set.name, { set, kinds });
    }
  }
}

/** Each protected server's policy and the network set of its allowed client networks. */
export class ProtectedServersChart extends Chart {
  public constructor(scope: Construct, id: string, props: PlanChartProps) {
    super(scope, id, CHART_PROPS);
    const kinds = CALICO_KINDS[props.plan.calicoVersion];
    for (const s of props.plan.servers.filter((x) => x.role === 'protected-server')) {
      new ProtectingPolicy(this, s.id, { policy: s.policy, kinds });
      if (s.clientEgressPolicy) new ProtectingPolicy(this, `${s.id}-client-egress`, { policy: s.clientEgressPolicy, kinds });
      if (s.loopbackPolicy) new ProtectingPolicy(this, `${s.id}-loopback`, { policy: s.loopbackPolicy, kinds });
    }
    for (const set of props.plan.networkSets.filter((s) => s.name !== METRICS_NETWORK_SET)) {
      new AllowedNetworkSet(this, set.name, { set, kinds });
    }
  }
}

/**
 * FelixConfiguration `default`, only with the fields calico-shield must change, with
 * server-side apply (the object exists in every cluster and its other fields are the
 * installer's):
 * - the failsafe lists with the protected ports taken out ("Pruning Felix's failsafe ports"),
 *   when a protected port is failsafe; the lists are replaced whole, so they are not written
 *   otherwise;
 * - `natOutgoingExclusions: IPPoolsAndHostIPs` when the spec's environment asks for it, so pod
 *   traffic to nodes keeps the pod's address (v3.32.1 felix/rules/nat.go:60-67).
 */
export class FelixConfigurationChart extends Chart {
  public constructor(scope: Construct, id: string, props: PlanChartProps) {
    super(scope, id, CHART_PROPS);
    const f = props.plan.failsafe;
    const nat = props.plan.natOutgoingExclusions;
    if (!f && !nat) return;
    const entry = (e: { protocol: string; port: number; net?: string }) => ({
      protocol: e.protocol,
      port: e.port,
      ...(e.net ? { net: e.net } : {}),
    });
    const metadata = objectMetadata({ name: 'default', stage: 'configuration', sharedObject: true });
    const failsafe = f ? { failsafeInboundHostPorts: f.inbound.map(entry), failsafeOutboundHostPorts: f.outbound.map(entry) } : {};
    // Each Calico minor's own construct (imports/, from its CRD): natOutgoingExclusions came in v3.31.
    switch (props.plan.calicoVersion) {
      case 'v3.30':
        if (nat) throw new Error('internal error: natOutgoingExclusions planned for Calico v3.30');
        new FelixConfigurationV330(this, 'Default', { metadata, spec: failsafe });
        break;
      case 'v3.31':
        new FelixConfigurationV331(this, 'Default', {
          metadata,
          spec: { ...failsafe, ...(nat ? { natOutgoingExclusions: NatOutgoingExclusionsV331.IP_POOLS_AND_HOST_I_PS } : {}) },
        });
        break;
      case 'v3.32':
        new FelixConfiguration(this, 'Default', {
          metadata,
          spec: { ...failsafe, ...(nat ? { natOutgoingExclusions: FelixConfigurationSpecNatOutgoingExclusions.IP_POOLS_AND_HOST_I_PS } : {}) },
        });
        break;
      default: {
        const unknown: never = props.plan.calicoVersion;
        throw new Error(`internal error: no FelixConfiguration construct for Calico ${String(unknown)}`);
      }
    }
  }
}

/**
 * Every chart of a cluster, in a fixed order, each in an App of its own: the charts share
 * nothing, and cdk8s validates the whole App on every chart's toJson(), so one App for all
 * of them would walk a 10,000-node cluster's constructs once per chart. The host endpoints are
 * in charts of HOST_ENDPOINTS_PER_CHART, all with the id `host-endpoints`. All of them at once:
 * lib/charts/synth.ts builds them one by one (chartBuilds).
 */
export function buildCharts(plan: ProtectionPlan): Chart[] {
  return chartBuilds(plan).flatMap((c) => c.builds.map((build) => build()));
}

/**
 * How many host endpoints one chart holds. A chart's constructs live until it is rendered
 * (lib/charts/synth.ts renders each chart before it builds the next): 10,000 host endpoints in
 * one chart are 17 MB of constructs, which the collector copied from one generation to the next
 * while they were built; 250 of them die where they were made.
 */
export const HOST_ENDPOINTS_PER_CHART = 250;

/** A chart id and how to build its chart, or its charts, each in an App of its own. */
export interface ChartBuilds {
  readonly id: string;
  readonly builds: readonly (() => Chart)[];
}

/** The charts of a plan, each built when asked for: the host endpoints in charts of HOST_ENDPOINTS_PER_CHART. */
export function chartBuilds(plan: ProtectionPlan): ChartBuilds[] {
  const one = (id: string, make: (app: App, id: string) => Chart): ChartBuilds => ({ id, builds: [() => make(new App(), id)] });
  const perChart = HOST_ENDPOINTS_PER_CHART;
  const hostEndpoints = Array.from({ length: Math.max(1, Math.ceil(plan.hostEndpoints.length / perChart)) }, (_, k) => () =>
    new HostEndpointsChart(new App(), 'host-endpoints', { plan, start: k * perChart, end: (k + 1) * perChart }),
  );
  return [
    one('default-host', (app, id) => new DefaultHostChart(app, id, { plan })),
    { id: 'host-endpoints', builds: hostEndpoints },
    one('auto-host-endpoints', (app, id) => new AutoHostEndpointsChart(app, id, { plan })),
    one('calico-node-metrics', (app, id) => new MetricsPolicyChart(app, id, { plan, role: 'calico-node-metrics' })),
    one('typha-metrics', (app, id) => new MetricsPolicyChart(app, id, { plan, role: 'typha-metrics' })),
    one('kube-controllers-metrics', (app, id) => new MetricsPolicyChart(app, id, { plan, role: 'kube-controllers-metrics' })),
    one('metrics-access', (app, id) => new MetricsAccessChart(app, id, { plan })),
    one('protected-servers', (app, id) => new ProtectedServersChart(app, id, { plan })),
    one('host-traffic', (app, id) => new HostTrafficChart(app, id, { plan })),
    one('failsafe', (app, id) => new FelixConfigurationChart(app, id, { plan })),
  ];
}
