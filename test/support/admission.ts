/**
 * The Calico objects the admission tests build, one helper per kind, and the compact form of
 * their violations (test/calico/admission*.test.ts).
 */
import { Violation } from '../../lib/calico/admission';
import { CalicoObject } from '../../lib/calico/object';

export type Json = Record<string, unknown>;

export const gnp = (spec: Json, name = 'thing'): CalicoObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec: { selector: 'all()', ...spec } });
export const np = (spec: Json, name = 'thing', namespace: string | null = 'calico-system'): CalicoObject => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: namespace === null ? { name } : { name, namespace },
  spec: { selector: 'all()', ...spec },
});
export const rule = (r: Json): CalicoObject => gnp({ ingress: [{ action: 'Allow', ...r }] });
export const hep = (spec: Json, name = 'node-1.eth0'): CalicoObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name }, spec });
export const gns = (nets: unknown, labels?: Record<string, string>): CalicoObject => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkSet',
  metadata: labels ? { name: 'set', labels } : { name: 'set' },
  spec: { nets },
});
export const felix = (spec: Json): CalicoObject => ({ apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec });
export const template = (t: Json): CalicoObject => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'KubeControllersConfiguration',
  metadata: { name: 'default' },
  spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled', templates: [{ generateName: 'eth', ...t }] } } } },
});

/** `field: message (rule)` of each violation, for compact assertions. */
export const shown = (v: readonly Violation[]): string[] => v.map((x) => `${x.field}: ${x.message} (${x.rule})`);
