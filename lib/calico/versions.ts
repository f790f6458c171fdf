/**
 * The Calico releases calico-shield compiles for, in one table: a cluster's
 * `spec.calicoVersion` names the minor; the patch release pinned here is the one whose source
 * every rule of that minor is read from, whose CRDs are in crds/calico-<release>/ and which
 * the lock records.
 *
 * What differs between the minors, as far as the objects calico-shield writes go (each read
 * in github.com/projectcalico/calico at the tag):
 * - FelixConfiguration `natOutgoingExclusions` exists from v3.31 (v3.31.7
 *   api/pkg/apis/projectcalico/v3/felixconfig.go:141-147, 535; absent from v3.30.7's).
 * - The automatic host endpoint templates' `interfacePattern` exists from v3.31 (v3.31.7
 *   api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go:139; absent from v3.30.7's types
 *   and CRD); `templates` and `createDefaultHostEndpoint` exist in all three (v3.30.7 :114, 117).
 * - projectcalico.org/v3 is served by calico-apiserver in every one of them; v3.32 can also
 *   serve it from CRDs (a tech preview, v3.32.1 release-notes/v3.32.0-release-notes.md:25-27).
 * - Before v3.32, a policy in the default tier is stored under `default.<name>`
 *   (v3.31.7 libcalico-go/lib/names/policy.go:132-149 TieredPolicyName), so its name has 8
 *   characters less room than Kubernetes' 253.
 * - On an operator install, the tier `calico-system` and its policies for kube-controllers
 *   (lib/calico/operator.ts) come with tigera/operator v1.42 (Calico v3.32). The operators of
 *   v3.30.7 (v1.38.13) and v3.31.7 (v1.40.15) create their tier, then named `allow-tigera`, only
 *   on Calico Enterprise: the tiers controller starts only when an Enterprise CRD exists
 *   (v1.38.13 pkg/controller/tiers/tiers_controller.go:59-63, v1.40.15 :58-62), and so do the
 *   installation controller's policies (v1.38.13 pkg/controller/installation/core_controller.go:1500-1508,
 *   v1.40.15 :1565-1573).
 * Felix's failsafe ports are the same in all three (lib/calico/felix.ts, each tag's line).
 */

export const CALICO_MINORS = ['v3.30', 'v3.31', 'v3.32'] as const;
export type CalicoMinor = (typeof CALICO_MINORS)[number];

/** The minor a spec without calicoVersion compiles for: the newest. */
export const DEFAULT_CALICO: CalicoMinor = 'v3.32';

export interface CalicoRelease {
  readonly minor: CalicoMinor;
  /** The patch release whose source, CRDs and rules calico-shield models. */
  readonly release: string;
  /** Its commit in github.com/projectcalico/calico. */
  readonly commit: string;
  /** FelixConfiguration has natOutgoingExclusions. */
  readonly natOutgoingExclusions: boolean;
  /** KubeControllersConfiguration's host endpoint templates have interfacePattern. */
  readonly templateInterfacePattern: boolean;
  /** The tigera/operator release that installs it (manifests/tigera-operator.yaml at the tag). */
  readonly operator: string;
  /** On an operator install, the operator's tier `calico-system` and its policies exist. */
  readonly operatorTier: boolean;
  /** Felix reads FelixConfigurations that select nodes by `nodeSelector` (v3.32.1 api/pkg/apis/projectcalico/v3/felixconfig.go:169-183, a tech preview). */
  readonly felixNodeSelector: boolean;
  /** A rule may name ports without a protocol when they are all named (v3.32.1 validator.go:1330-1367; before, v3.31.7 :1302-1330). */
  readonly namedPortsWithoutProtocol: boolean;
  /**
   * How Felix orders policies of equal `order`: by the name it stores them under
   * (`default.<name>`, v3.31.7 felix/calc/policy_sorter.go:317-324) or by name/namespace/kind
   * (v3.32.1 :388-397).
   */
  readonly equalOrderTieBreak: 'stored-name' | 'name-namespace-kind';
  /** Characters a policy name in the default tier may have (253, less `default.` where it is stored so). */
  readonly maxPolicyName: number;
}

export const CALICO_RELEASES: Readonly<Record<CalicoMinor, CalicoRelease>> = {
  'v3.30': {
    minor: 'v3.30',
    release: 'v3.30.7',
    commit: '74485ea40911c4868ae83ddb5da489c1533d1dba',
    operator: 'v1.38.13',
    operatorTier: false,
    natOutgoingExclusions: false,
    templateInterfacePattern: false,
    felixNodeSelector: false,
    namedPortsWithoutProtocol: false,
    equalOrderTieBreak: 'stored-name',
    maxPolicyName: 253 - 'default.'.length,
  },
  'v3.31': {
    minor: 'v3.31',
    release: 'v3.31.7',
    commit: '94bd1d5b0e04459d4d1c83653e0335a9201248b8',
    operator: 'v1.40.15',
    operatorTier: false,
    natOutgoingExclusions: true,
    templateInterfacePattern: true,
    felixNodeSelector: false,
    namedPortsWithoutProtocol: false,
    equalOrderTieBreak: 'stored-name',
    maxPolicyName: 253 - 'default.'.length,
  },
  'v3.32': {
    minor: 'v3.32',
    release: 'v3.32.1',
    commit: '0ca9d1b93644778cafdf1812f3dda02ac0c361e8',
    operator: 'v1.42.3',
    operatorTier: true,
    natOutgoingExclusions: true,
    templateInterfacePattern: true,
    felixNodeSelector: true,
    namedPortsWithoutProtocol: true,
    equalOrderTieBreak: 'name-namespace-kind',
    maxPolicyName: 253,
  },
};

export function isCalicoMinor(value: string): value is CalicoMinor {
  return (CALICO_MINORS as readonly string[]).includes(value);
}

/** The minor whose pinned release is `release` (as a lock records it), if calico-shield models it. */
export function minorOfRelease(release: string): CalicoMinor | undefined {
  return CALICO_MINORS.find((m) => CALICO_RELEASES[m].release === release);
}
