/** A GlobalNetworkSet: addresses that count as labelled sources in policy selectors. */
import { Construct } from 'constructs';
import { GlobalNetworkSet } from '../../imports/globalnetworkset-projectcalico.org';
import { NetworkSetPlan } from '../plan/plan';
import { objectMetadata } from './metadata';

export interface AllowedNetworkSetProps {
  readonly set: NetworkSetPlan;
}

export class AllowedNetworkSet extends Construct {
  public constructor(scope: Construct, id: string, props: AllowedNetworkSetProps) {
    super(scope, id);
    new GlobalNetworkSet(this, 'Resource', {
      metadata: objectMetadata({ name: props.set.name, stage: 'policies', labels: props.set.labels }),
      spec: { nets: [...props.set.nets] },
    });
  }
}
