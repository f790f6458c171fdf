/**
 * What the spec's fast readers (lib/spec/simple-yaml.ts, lib/spec/fast-yaml.ts) make of a
 * plain scalar: the positioned reader resolves plain scalars by the YAML 1.2 core schema (as
 * lib/spec/parse.ts reads), so the tests are taken from the yaml library's own core schema and
 * all three readers agree on which scalars are strings.
 */
import { Schema } from 'yaml';

const CORE_TAGS = new Schema({ schema: 'core' }).tags.flatMap((t) => ('test' in t && t.test instanceof RegExp ? [{ tag: t.tag, test: t.test }] : []));

/** The core schema's tests of every plain scalar that is not a string. */
export const NON_STRING: readonly RegExp[] = CORE_TAGS.map((t) => t.test);

const coreTest = (tag: string): RegExp => {
  const found = CORE_TAGS.find((t) => t.tag === tag);
  if (!found) throw new Error(`the yaml library's core schema has no ${tag}`);
  return found.test;
};
const NULL = coreTest('tag:yaml.org,2002:null');
const BOOLEAN = coreTest('tag:yaml.org,2002:bool');
/** The only numbers the spec accepts (SpecReader.integer): anything else is a finding, so it takes the positioned path. */
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * The null, boolean or decimal integer a plain scalar of the core schema's non-strings stands
 * for; undefined for any other number (octal, hexadecimal, signed, float), which the fast
 * readers leave to the positioned reader.
 */
export function plainValue(source: string): null | boolean | number | undefined {
  if (NULL.test(source)) return null;
  if (BOOLEAN.test(source)) return source.toLowerCase() === 'true';
  if (DECIMAL.test(source)) return Number(source);
  return undefined;
}
