/**
 * Runs at the same time, and runs killed part-way, through the real binary: one run holds an
 * output folder at a time and the others fail at once naming it; a killed run is undone by the
 * next; and four synths racing over changing specs always leave dist/ and deploy/ exactly as
 * one run wrote them. STRESS_ROUNDS sets the rounds of the race (npm run fuzz runs many).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hasStackTrace, runBinary, startBinary, synthesisedTemplate } from '../support/binary';
import { copyWorkspace, readOutputs, runCli, workspace } from '../support/cli';
import { ROOT, readSpec } from '../support/paths';

const ROUNDS = Number(process.env.STRESS_ROUNDS ?? 5);
const RACERS = 4;

/** A repository synthesised once; tests start from copies. */
const template = synthesisedTemplate(['example.yaml', 'allow-list-etcd.yaml']);

/** Entries of dist/ that are not cluster folders: leftovers of a run, or its lock. */
const hiddenIn = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.startsWith('.'));

/** The process id of a process that has ended. */
function goneProcess(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  return child.pid;
}

describe('runs at the same time', () => {
  it('fails synth and check at once, naming the synth that holds dist/', async () => {
    const dir = copyWorkspace(template());
    const holder = startBinary(dir, ['synth'], { stopAt: 'locked' });
    await holder.stopped;
    try {
      for (const command of ['synth', 'check']) {
        const r = runBinary(dir, [command]);
        expect({ command, code: r.code, stdout: r.stdout }).toEqual({ command, code: 5, stdout: '' });
        expect(r.stderr).toMatch(new RegExp(`^error: dist/: another calico-shield run holds it: synth, pid ${holder.child.pid} on ${os.hostname()}, since \\d{4}-`));
        expect(r.stderr).toContain('hint: wait for that run to end and run again; if no such process runs, delete dist/.calico-shield-run.lock\n');
      }
    } finally {
      holder.child.kill('SIGCONT');
    }
    const done = await holder.done;
    expect(done.code).toBe(0);
    expect(hiddenIn(path.join(dir, 'dist'))).toEqual([]);
  });

  it('fails nodes import at once while another nodes import holds clusters/', async () => {
    const dir = workspace(['example.yaml']);
    const nodes = fs.readFileSync(path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json'), 'utf8');
    const holder = startBinary(dir, ['nodes', 'import', '--cluster', 'example'], { stopAt: 'locked', input: nodes });
    await holder.stopped;
    try {
      const r = runBinary(dir, ['nodes', 'import', '--cluster', 'example'], { input: nodes });
      expect(r.code).toBe(5);
      expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^error: clusters/: another calico-shield run holds it: nodes import, pid ${holder.child.pid} on `));
    } finally {
      holder.child.kill('SIGCONT');
    }
    expect((await holder.done).code).toBe(0);
  });

  it('can take over the lock of a run that was killed', async () => {
    const dir = copyWorkspace(template());
    const killed = startBinary(dir, ['synth'], { stopAt: 'locked' });
    await killed.stopped;
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    expect(hiddenIn(path.join(dir, 'dist'))).toEqual(['.calico-shield-run.lock']);
    const r = runBinary(dir, ['synth']);
    expect(r.code).toBe(0);
    expect(hiddenIn(path.join(dir, 'dist'))).toEqual([]);
  });

  it('can remove what a gone run staged, and leave alone what a running one staged', () => {
    const dir = copyWorkspace(template());
    const running = `.example.tmp-${process.pid}-0123456789ab`;
    const gone = `.example.tmp-${goneProcess()}-0123456789ab`;
    for (const name of [running, gone]) fs.cpSync(path.join(dir, 'dist/example'), path.join(dir, 'dist', name), { recursive: true });
    const r = runBinary(dir, ['synth']);
    expect(r.code).toBe(0);
    expect(hiddenIn(path.join(dir, 'dist'))).toEqual([running]);
  });
});

describe('a run killed part-way', () => {
  /** A synthesised repository, then with both specs changed. */
  function changedWorkspace(): { readonly dir: string; readonly before: Map<string, string>; readonly restore: () => void } {
    const dir = copyWorkspace(template());
    const before = readOutputs(dir);
    const specs = ['example.yaml', 'allow-list-etcd.yaml'].map((f) => path.join(dir, 'clusters', f));
    const texts = specs.map((f) => fs.readFileSync(f, 'utf8'));
    specs.forEach((f, i) => fs.writeFileSync(f, `# changed\n${texts[i]}`));
    return { dir, before, restore: () => specs.forEach((f, i) => fs.writeFileSync(f, texts[i] ?? '')) };
  }

  it.each(['stage 1', 'swap 1'])('is undone by the next run when killed at %s: dist/ is as it was', async (step) => {
    const { dir, before, restore } = changedWorkspace();
    const killed = startBinary(dir, ['synth'], { stopAt: step });
    await killed.stopped;
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    if (step.startsWith('swap')) expect(readOutputs(dir)).not.toEqual(before);
    restore();
    const r = runBinary(dir, ['synth']);
    // A folder the killed run swapped in holds another spec's lock, so that cluster is compiled;
    // the others are taken as they are (the note after "same" says which): all end as they were.
    expect({ code: r.code, stdout: r.stdout.split('\n').map((l) => l.split(' (')[0]) }).toEqual({ code: 0, stdout: ['same    dist/allow-list-etcd/', 'same    dist/example/', ''] });
    expect(readOutputs(dir)).toEqual(before);
    expect(hiddenIn(path.join(dir, 'dist'))).toEqual([]);
  });
});

describe(`${RACERS} synths racing over changing specs, ${ROUNDS} rounds`, () => {
  const SPEC = readSpec('clusters/example.yaml');
  const EXTRA = readSpec('clusters/allow-list-etcd.yaml').replace('name: allow-list-etcd', 'name: extra');
  const variant = (n: number): string => {
    const text = SPEC.replace('- 172.101.0.0/24', `- 172.101.${n + 1}.0/24`);
    expect(text).not.toBe(SPEC);
    return text;
  };

  /** What one run writes for these specs: a synth of its own in a fresh repository. */
  function reference(files: Readonly<Record<string, string>>): Map<string, string> {
    const dir = workspace([], { deploy: true, files });
    expect(runCli(dir, ['synth']).code).toBe(0);
    const tree = readOutputs(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    return tree;
  }

  /** Replaces a file by rename, as an editor saves it: a run reads the old or the new text, never half of one. */
  function save(file: string, text: string): void {
    fs.writeFileSync(`${file}.saving`, text);
    fs.renameSync(`${file}.saving`, file);
  }

  it('can always leave dist/ and deploy/ exactly as one run wrote them', async () => {
    const dir = workspace(['example.yaml'], { deploy: true });
    const spec = path.join(dir, 'clusters/example.yaml');
    const extra = path.join(dir, 'clusters/extra.yaml');
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // The cluster set changes between rounds, example.yaml during them.
      if (round % 2 === 1) save(extra, EXTRA);
      else fs.rmSync(extra, { force: true });
      const first = variant(2 * round);
      const second = variant(2 * round + 1);
      const withExtra: Record<string, string> = round % 2 === 1 ? { 'clusters/extra.yaml': EXTRA } : {};
      const candidates = [reference({ 'clusters/example.yaml': first, ...withExtra }), reference({ 'clusters/example.yaml': second, ...withExtra })];
      save(spec, first);
      const racers = Array.from({ length: RACERS }, () => startBinary(dir, ['synth']));
      save(spec, second);
      const results = await Promise.all(racers.map((r) => r.done));
      const codes = results.map((r) => r.code).sort();
      const tree = readOutputs(dir);
      const matches = candidates.findIndex((c) => JSON.stringify([...c]) === JSON.stringify([...tree]));
      outcomes.push(`round ${round}: exit codes ${codes.join(',')}, output of ${matches === -1 ? 'no run' : `specs ${matches + 1}`}`);
      expect({ round, codes: codes.filter((c) => c !== 0 && c !== 5), stacks: results.filter((r) => hasStackTrace(r.stderr)).map((r) => r.stderr) }).toEqual({ round, codes: [], stacks: [] });
      expect({ round, succeeded: codes.includes(0) }).toEqual({ round, succeeded: true });
      expect({ round, matches: matches >= 0, leftovers: hiddenIn(path.join(dir, 'dist')) }).toEqual({ round, matches: true, leftovers: [] });
    }
    expect(outcomes).toHaveLength(ROUNDS);
  }, 60_000 + ROUNDS * 15_000);
});
