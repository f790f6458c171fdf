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

