/**
 * Two objects with one kind, namespace and name would silently replace each other when
 * applied (the Typha example of "Secure Calico Prometheus endpoints" does exactly that with
 * restrict-calico-node-prometheus). calico-shield refuses to write them.
 */
import { CalicoObject, objectKey } from '../calico/object';

export interface Collision {
  readonly key: string;
  /** Indexes of the colliding objects in the input. */
  readonly indexes: readonly number[];
}

export function findCollisions(objects: readonly CalicoObject[]): Collision[] {
  const byKey = new Map<string, number[]>();
  objects.forEach((o, i) => {
    const key = objectKey(o);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  return [...byKey.entries()]
    .filter(([, idx]) => idx.length > 1)
    .map(([key, indexes]) => ({ key, indexes }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}
