import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { emitYaml, OPTIONS } from '../../lib/gitops/emit';
import { compileOk, ROOT } from '../support/compile';

const specs = [
  ...fs.readdirSync(path.join(ROOT, 'clusters')).map((f) => `clusters/${f}`),
  ...fs.readdirSync(path.join(ROOT, 'test/fixtures/clusters')).map((f) => `test/fixtures/clusters/${f}`),
].filter((f) => f.endsWith('.yaml'));

/** Characters of selectors, names, addresses and the YAML indicators that change quoting. */
const tricky = fc.string({
  unit: fc.constantFrom(...'aZ09_-./:@=,()|&!"\' {}[]#?*%`>~+<\t\\é'.split(''), 'true', 'null', '0x1', '1e5', '.5', ': ', ' #'),
  maxLength: 12,
});
/** Names as Calico objects have them, so the fast path is exercised as well as the fallback. */
const name = fc.stringMatching(/^[a-z][a-z0-9./-]{0,10}$/);
const scalarArb = fc.oneof(tricky, name, fc.integer({ min: -1000, max: 100000 }));
const objectArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalarArb, tie('map'), fc.array(tie('value'), { maxLength: 3 })),
  map: fc.dictionary(fc.oneof({ weight: 9, arbitrary: name }, { weight: 1, arbitrary: tricky }), tie('value'), { maxKeys: 4 }),
}));

describe('emitYaml', () => {
  it.each(specs)('can write every object compiled from %s exactly as yaml does', (spec) => {
    const { objects } = compileOk(spec);
    // The loop below must check something.
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      const fast = emitYaml(o as unknown as Record<string, unknown>);
      expect(fast).toBeDefined();
      expect(fast).toBe(stringify(o, OPTIONS));
    }
  });

  it('can write random objects exactly as yaml does, or leave them to yaml', () => {
    let fastCount = 0;
    fc.assert(
      fc.property(objectArb.map, (o) => {
        const fast = emitYaml(o as Record<string, unknown>);
        if (fast !== undefined) {
          fastCount++;
          expect(fast).toBe(stringify(o, OPTIONS));
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
    // The fast path must actually be exercised, not always fall back.
    expect(fastCount).toBeGreaterThan(300);
  });

  it.each([
    ['a plain selector', { selector: 'running-calico == "true"' }, 'selector: running-calico == "true"\n'],
    ['a quoted label value', { labels: { a: 'true' } }, 'labels:\n  a: "true"\n'],
    ['a list of maps', { ingress: [{ action: 'Allow', ports: [9091] }] }, 'ingress:\n  - action: Allow\n    ports:\n      - 9091\n'],
    ['an empty list', { nets: [] }, 'nets: []\n'],
  ])('can write %s', (_name, o, expected) => {
    expect(emitYaml(o)).toBe(expected);
  });

  it.each([
    ['a value with a newline', { a: 'x\ny' }],
    ['a boolean', { a: true }],
    ['a nested list', { a: [[1]] }],
    ['a fraction', { a: 1.5 }],
    ['an empty object', {}],
  ])('fails over to yaml for %s', (_name, o) => {
    expect(emitYaml(o)).toBeUndefined();
  });
});
