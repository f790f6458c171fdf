/**
 * The Calico objects the Tigera operator creates in every cluster it installs, as far as they
 * decide who reaches Calico's own endpoints. calico-shield never writes them; the verify stage
 * adds them to its model of an operator install (`spec.environment.install: operator`), so
 * that its verdicts hold where the operator's tier decides first.
 *
 * Only the operator of Calico v3.32 (and later) creates them on Calico; the operators of v3.30
 * and v3.31 do so only on Calico Enterprise, under the tier `allow-tigera` (lib/calico/versions.ts
 * `operatorTier`). Read in tigera/operator v1.42.3, the release that ships Calico v3.32.1:
 * - tier `calico-system`, order 100, no defaultAction (so Deny): pkg/render/tiers/tiers.go:34, 94-107;
 * - NetworkPolicy `calico-system.kube-controller-access` in calico-system, tier calico-system,
 *   order 1, selector `k8s-app == 'calico-kube-controllers'`, ingress only from pods
 *   `k8s-app == 'tigera-prometheus'` in namespace `tigera-prometheus` to the metrics port:
 *   pkg/render/kubecontrollers/kube-controllers.go:800-862, pkg/render/common/networkpolicy/networkpolicy.go:340-355;
 * - NetworkPolicy `calico-system.default-deny` in calico-system, tier calico-system, selector
 *   `k8s-app != 'calico-apiserver'`, Ingress and Egress, no rules: pkg/controller/installation/core_controller.go:2434-2449.
 */
import { CalicoObject } from './object';

export const OPERATOR_TIER = 'calico-system';
export const OPERATOR_NAMESPACE = 'calico-system';
/** The order of the operator's tier: before the default tier (1,000,000). */
export const OPERATOR_TIER_ORDER = 100;
export const KUBE_CONTROLLERS_ACCESS_POLICY = 'calico-system.kube-controller-access';
export const OPERATOR_DEFAULT_DENY_POLICY = 'calico-system.default-deny';

/**
 * The operator's tier and the two policies of it that select kube-controllers.
 *
 * @param metricsPort kube-controllers' metrics port (KubeControllersConfiguration
 *        `prometheusMetricsPort`, 9094 unless set otherwise)
 */
export function operatorObjects(metricsPort: number): CalicoObject[] {
  const meta = (name: string) => ({ name, namespace: OPERATOR_NAMESPACE });
  return [
    { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: OPERATOR_TIER }, spec: { order: OPERATOR_TIER_ORDER } },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: meta(KUBE_CONTROLLERS_ACCESS_POLICY),
      spec: {
        tier: OPERATOR_TIER,
        order: 1,
        selector: "k8s-app == 'calico-kube-controllers'",
        types: ['Egress', 'Ingress'],
        ingress: [
          {
            action: 'Allow',
            protocol: 'TCP',
            source: { namespaceSelector: "name == 'tigera-prometheus'", selector: "k8s-app == 'tigera-prometheus'" },
            destination: { ports: [metricsPort] },
          },
        ],
        // Its egress (DNS, the API server, the manager) decides nothing calico-shield probes.
        egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443, 6443, 12388] } }],
      },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: meta(OPERATOR_DEFAULT_DENY_POLICY),
      spec: { tier: OPERATOR_TIER, selector: "k8s-app != 'calico-apiserver'", types: ['Ingress', 'Egress'] },
    },
  ];
}
