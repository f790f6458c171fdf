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
  return refKey({ kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }) });
}

/** objectKey of the object a reference names. */
export function refKey(ref: { readonly kind: string; readonly name: string; readonly namespace?: string }): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether every value of the mapping is a string (labels, annotations). */
const isStringMap = (v: unknown): boolean => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * A value read from dist/ (untrusted: hand edits, pull requests) as a CalicoObject, or what is
 * wrong with its envelope: the fields every reader of an object relies on. Its spec is checked
 * by whoever reads it (lib/verify/model.ts reports what it cannot take).
 */
export function asCalicoObject(value: unknown): CalicoObject | string {
  if (!isRecord(value)) return 'is not a mapping';
  if (typeof value.apiVersion !== 'string') return 'has no apiVersion string';
  if (typeof value.kind !== 'string' || value.kind === '') return 'has no kind string';
  const m = value.metadata;
  if (!isRecord(m)) return 'has no metadata mapping';
  if (typeof m.name !== 'string' || m.name === '') return 'has no metadata.name string';
  if (m.namespace !== undefined && typeof m.namespace !== 'string') return 'has a metadata.namespace that is not a string';
  if (m.labels !== undefined && !isStringMap(m.labels)) return 'has metadata.labels that are not a mapping of strings';
  if (m.annotations !== undefined && !isStringMap(m.annotations)) return 'has metadata.annotations that are not a mapping of strings';
  if (value.spec !== undefined && !isRecord(value.spec)) return 'has a spec that is not a mapping';
  return value as unknown as CalicoObject;
}
