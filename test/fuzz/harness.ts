/**
 * Run settings and bookkeeping shared by the fuzz tests.
 *
 * The default run is reproducible: a fixed seed and 10,000 cases in all, split between the
 * properties by {@link fuzzParams}. `npm run fuzz` sets FUZZ_RUNS (cases in all) and gets a
 * time-based seed, printed so that `FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx jest test/fuzz` replays it.
 */
import fc from 'fast-check';
import { ClusterInput } from '../../lib/pipeline';
import { compileProblems, expectNoProblems } from './invariants';

const DEFAULT_RUNS = 10_000;
const DEFAULT_SEED = 20_251_121;

const totalRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : DEFAULT_RUNS;
if (!Number.isInteger(totalRuns) || totalRuns < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS ? Date.now() % 2 ** 31 : DEFAULT_SEED;
if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);

/** A run asked for by FUZZ_RUNS or FUZZ_SEED: print the seed and the tallies, check every rendered file. */
const dedicated = process.env.FUZZ_RUNS !== undefined || process.env.FUZZ_SEED !== undefined;

/** Prints the seed of this test file's run (dedicated runs only). */
export function announce(file: string): void {
  if (dedicated) console.log(`${file}: ${totalRuns} cases in all, seed ${seed}; replay with FUZZ_SEED=${seed} FUZZ_RUNS=${totalRuns}`);
}

/** The fast-check parameters for a property that gets `fraction` of all cases. */
export function fuzzParams<T>(fraction: number): fc.Parameters<T> {
  return { seed, numRuns: Math.max(1, Math.round(totalRuns * fraction)), endOnFailure: false };
}

/** Jest timeout for one property: 10 ms a case (of all cases), never less than two minutes. */
export const FUZZ_TIMEOUT = Math.max(120_000, totalRuns * 10);

export interface Tally {
  accepted: number;
  rejected: number;
}

export const newTally = (): Tally => ({ accepted: 0, rejected: 0 });

let acceptedSeen = 0;

/**
 * Compiles one case and fails on any broken invariant. The rendered files of every eighth
 * accepted case are read back (all of them in dedicated runs).
 */
export function checkCase(tally: Tally, input: ClusterInput): void {
  const { result, problems } = compileProblems(input, { checkRenderedFiles: dedicated || acceptedSeen % 8 === 0 });
  expectNoProblems(problems, input.bytes);
  if (result.files) {
    tally.accepted++;
    acceptedSeen++;
  } else tally.rejected++;
}

/** Prints a property's tally (dedicated runs only). */
export function report(what: string, tally: Tally): void {
  if (!dedicated) return;
  console.log(`${what}: ${tally.accepted} accepted (all valid), ${tally.rejected} rejected (all positioned), 0 crashes`);
}
