/** A projectcalico.org/v3 object as written to dist/: plain JSON. */
export interface CalicoObjectMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface CalicoObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: CalicoObjectMetadata;
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** Label Calico puts on every namespaced endpoint and network set: the namespace's name. */
export const NAMESPACE_LABEL = 'projectcalico.org/namespace';

/** `Kind/namespace/name`: two objects with one key would replace each other. */
export function objectKey(o: CalicoObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
