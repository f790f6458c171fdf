/**
 * Property-based tests through the whole pipeline: random specs, the example clusters mutated
 * (fields deleted, list items duplicated, scalars replaced by random strings, numbers, booleans,
 * huge or look-alike text, keys renamed, indentation changed, YAML syntax injected) and raw
 * bytes. For every case either the spec is rejected with positioned findings and no files, or
 * every emitted object passes the CRD schema and calico-shield's own rules and every selector
 * re-parses. No case may throw.
 *
 * Seeds and run counts: see harness.ts. Cases are split by cost, so that the default 10,000
 * run in about 20 s: a spec that parses goes on through the charts and lib/verify (about 10 ms
 * under jest), a rejected one costs 1–2 ms. Random specs (most of them parse) get 10% of the
 * cases, data-mutated examples (a fifth of them compile) 20%, text-mutated examples (mostly
 * broken YAML) 30% and raw bytes 40%. A failure found here becomes a fixed case in test/hostile/regressions.test.ts.
 */
import fc from 'fast-check';
import { MutatedSeed, mutatedSeed, randomSpecText, seeds, textMutatedSeed } from '../support/arbitraries';
import { announce, checkCase, FUZZ_TIMEOUT, fuzzParams, newTally, report } from './harness';
import { calicoCrds, clusterInput, compileProblems } from './invariants';

announce('test/fuzz/specs.test.ts');

beforeAll(() => {
  calicoCrds();
});

describe('fuzzed specs', () => {
  it('can compile every seed without findings', () => {
    for (const s of seeds()) {
      const { result, problems } = compileProblems(clusterInput(s.name, s.text));
      expect(problems).toEqual([]);
      expect(result.findings).toEqual([]);
    }
  });

  it(
    'random specs: rejected with positioned findings, or compiled to valid objects',
    () => {
      const tally = newTally();
      const params = fuzzParams<[string]>(0.1);
      fc.assert(
        fc.property(randomSpecText('random'), (text) => checkCase(tally, clusterInput('random', text))),
        params,
      );
      report('random specs', tally);
      // Both outcomes must be common, or the property says little about one of them.
      expect(tally.accepted).toBeGreaterThan((params.numRuns ?? 0) / 5);
      expect(tally.rejected).toBeGreaterThan((params.numRuns ?? 0) / 5);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'mutated example clusters: rejected with positioned findings, or compiled to valid objects',
    () => {
      const tally = newTally();
      const params = fuzzParams<[MutatedSeed]>(0.2);
      fc.assert(
        fc.property(mutatedSeed(seeds()), (m) => checkCase(tally, clusterInput(m.name, m.text))),
        params,
      );
      report('mutated seeds', tally);
      expect(tally.accepted).toBeGreaterThan((params.numRuns ?? 0) / 20);
      expect(tally.rejected).toBeGreaterThan((params.numRuns ?? 0) / 5);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'text-mutated example clusters: rejected with positioned findings, or compiled to valid objects',
    () => {
      const tally = newTally();
      const params = fuzzParams<[MutatedSeed]>(0.3);
      fc.assert(
        fc.property(textMutatedSeed(seeds()), (m) => checkCase(tally, clusterInput(m.name, m.text))),
        params,
      );
      report('text-mutated seeds', tally);
      expect(tally.rejected).toBeGreaterThan((params.numRuns ?? 0) / 2);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'raw bytes and text: rejected with positioned findings, never a crash',
    () => {
      const tally = newTally();
      const header = 'apiVersion: calico-shield/v1alpha1\nkind: Cluster\nspec:\n  approach: deny-list\n';
      const input = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 100 }).map((b) => new Uint8Array(Buffer.concat([Buffer.from(header), b]))),
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => new TextEncoder().encode(header + s)),
        fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      );
      fc.assert(
        fc.property(input, (bytes) => checkCase(tally, clusterInput('raw', bytes))),
        fuzzParams<[Uint8Array]>(0.4),
      );
      report('raw bytes', tally);
    },
    FUZZ_TIMEOUT,
  );
});
