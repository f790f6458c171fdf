/** Selectors built from validated labels, shared by the plan's policies. */
import { sel, type Selector } from '../calico/selector';
import type { Labels } from '../spec/types';

/** Label Calico puts on every WorkloadEndpoint: the pod's namespace (re-exported for the plan). */
export { NAMESPACE_LABEL } from '../calico/object';

/** Every label, with its value: `a == "1" && b == ""`; `all()` for none. */
export function labelsSelector(labels: Labels): Selector {
  return sel.and(...Object.keys(labels).sort().map((k) => sel.eq(k, labels[k] as string)));
}
