/**
 * Two helpers over strings that every stage uses: the order calico-shield sorts text in, and a
 * bounded memo of a pure function of a string.
 */

/**
 * Code-unit order, as Go's and the sort command's C locale compare: never a locale's
 * collation, which depends on the machine's settings (LANG) and ICU's version.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Arrays up to this length are sorted by insertion, in place: V8's sort copies every array it
 * sorts into a new work array first, and the pipeline sorts the few keys of each of 20,000
 * objects, most of them in order already.
 */
const SMALL_SORT = 16;

/**
 * `items.sort(compare)`, stable and in place, without the work array for a small array.
 * Returns `items`.
 */
export function sortSmall<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > SMALL_SORT) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    if (compare(items[j] as T, item) <= 0) continue;
    do {
      items[j + 1] = items[j] as T;
      j--;
    } while (j >= 0 && compare(items[j] as T, item) > 0);
    items[j + 1] = item;
  }
  return items;
}

/** Objects by their `name`, in code-unit order. */
export function compareByName(a: { readonly name: string }, b: { readonly name: string }): number {
  return compareText(a.name, b.name);
}

/** What memoize keeps for an undefined result. */
const NONE: unique symbol = Symbol('none');

/**
 * `fn`, remembering its result per argument: a large cluster repeats the same addresses, keys
 * and labels thousands of times. Past `limit` arguments the memo starts again, which keeps a
 * long-lived process that compiles many clusters bounded. Only for pure functions whose
 * results are never modified.
 */
export function memoize<T>(fn: (text: string) => T, limit: number): (text: string) => T {
  // An undefined result is kept as NONE: one lookup tells a known argument from a new one.
  const known = new Map<string, T | typeof NONE>();
  return (text) => {
    const found = known.get(text);
    if (found !== undefined) return found === NONE ? (undefined as T) : found;
    if (known.size >= limit) known.clear();
    const result = fn(text);
    known.set(text, result === undefined ? NONE : result);
    return result;
  };
}
