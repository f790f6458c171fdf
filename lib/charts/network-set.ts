/** A GlobalNetworkSet: addresses that count as labelled sources in policy selectors. */
import { Construct } from 'constructs';
import { NetworkSetPlan } from '../plan/plan';
import type { CalicoKinds } from './kinds';
import { objectMetadata } from './metadata';

export interface AllowedNetworkSetProps {
  readonly set: NetworkSetPlan;
  /** The constructs of the cluster's Calico minor. */
  readonly kinds: CalicoKinds;
}

export class AllowedNetworkSet extends Construct {
  public constructor(scope: Construct, id: string, props: AllowedNetworkSetProps) {
    super(scope, id);
    new props.kinds.GlobalNetworkSet(this, 'Resource', {
      metadata: objectMetadata({ name: props.set.name, stage: 'policies', labels: props.set.labels }),
      spec: { nets: [...props.set.nets] },
    });
  }
}
