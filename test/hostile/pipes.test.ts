/**
 * Standard input and special files, through the real binary: a pipe whose producer is slower
 * than calico-shield (kubectl always is), and named pipes or devices where a file belongs,
 * which must be refused, never read (a read would block forever or never end).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fleetCase, fleetSpec } from '../../bench/fleet';
import { CALICO_SHIELD, hasStackTrace, runBinary, runShell } from '../support/binary';
import { removeWorkspaces, workspace } from '../support/cli';
import { ROOT } from '../support/compile';

const NODES = path.join(ROOT, 'test/fixtures/nodes/kubectl-get-nodes.json');

afterAll(removeWorkspaces);

function mkfifo(file: string): void {
  expect(spawnSync('mkfifo', [file]).status).toBe(0);
}

describe('standard input', () => {
  it('can import nodes piped from a producer slower than calico-shield', () => {
    const dir = workspace(['example.yaml']);
    const r = runShell(dir, `(sleep 0.5; cat '${NODES}') | ${CALICO_SHIELD} nodes import --cluster example`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('added    kubeadm-node-1\n');
    expect(fs.readFileSync(path.join(dir, 'clusters/example.yaml'), 'utf8')).toContain('kubeadm-node-2');
  });

  it('can import nodes from --file naming a pipe (--file <(kubectl get nodes -o json))', () => {
    const dir = workspace(['example.yaml']);
    const fifo = path.join(dir, 'nodes.pipe');
    mkfifo(fifo);
    const r = runShell(dir, `(sleep 0.3; cat '${NODES}' > nodes.pipe) & ${CALICO_SHIELD} nodes import --cluster example --file nodes.pipe; wait`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('added    kubeadm-node-1\n');
  });
});

/**
 * `command` (a shell command line, its output sent down a pipe) run with the pipe's reader
 * starting a second late: its exit code and all the reader got.
 */
function readLate(dir: string, command: string): { code: string; text: string } {
  runShell(dir, `{ ${command}; echo $? > code.txt; } | (sleep 1; cat) > late.txt`);
  return { code: fs.readFileSync(path.join(dir, 'code.txt'), 'utf8'), text: fs.readFileSync(path.join(dir, 'late.txt'), 'utf8') };
}

describe('standard output', () => {
  // calico-shield exits as soon as its run is over when everything printed is with the
  // operating system (lib/cli.ts main); output a full pipe still holds must be written first.
  it('writes all of a diff larger than a pipe holds to a reader that starts late', () => {
    const fleet = fleetCase(600, 'deny-list', 'fleet');
    const dir = workspace([], { files: { 'clusters/fleet.yaml': fleetSpec(fleet) } });
    expect(runBinary(dir, ['synth']).code).toBe(0);
    fs.rmSync(path.join(dir, 'dist/fleet/02-host-endpoints'), { recursive: true });
    const direct = runBinary(dir, ['check']);
    expect(direct.code).toBe(1);
    // Pipes hold 64 KiB on Linux: the diff is over four times that.
    expect(direct.stdout.length).toBeGreaterThan(4 * 65536);
    const late = readLate(dir, `${CALICO_SHIELD} check`);
    expect({ code: late.code, length: late.text.length, same: late.text === direct.stdout }).toEqual({ code: '1\n', length: direct.stdout.length, same: true });
  });
});

describe('standard error', () => {
  it('writes all of a report larger than a pipe holds to a reader that starts late', () => {
    // Every IPv4 address of every node is invalid: 100 errors a cluster (then it stops reading), on standard error.
    const files: Record<string, string> = {};
    for (let i = 0; i < 16; i++) {
      const name = `fleet-${String(i).padStart(2, '0')}`;
      files[`clusters/${name}.yaml`] = fleetSpec(fleetCase(60, 'deny-list', name)).replaceAll('expectedIPs: [10.', 'expectedIPs: [300.');
    }
    const dir = workspace([], { files });
    const direct = runBinary(dir, ['synth']);
    expect(direct.code).toBe(1);
    expect(direct.stderr.length).toBeGreaterThan(4 * 65536);
    const late = readLate(dir, `${CALICO_SHIELD} synth 2>&1 >/dev/null`);
    expect({ code: late.code, length: late.text.length, same: late.text === direct.stderr }).toEqual({ code: '1\n', length: direct.stderr.length, same: true });
  });
});

describe('output to a full disk (/dev/full)', () => {
  // The write fails at once, and the stream reports it on the next tick: exit 4, never 0.
  it.each([
    ['--version', '> /dev/full'],
    ['check --format json', '> /dev/full'],
    ['synth --no-such-option', '2> /dev/full'],
  ])('makes `calico-shield %s %s` exit 4', (command, redirect) => {
    const dir = workspace(['example.yaml']);
    expect(runBinary(dir, ['synth']).code).toBe(0);
    expect(runShell(dir, `${CALICO_SHIELD} ${command} ${redirect}; echo "exit $?"`).stdout).toBe('exit 4\n');
  });
});

describe('special files where calico-shield reads files', () => {
  it('fails check on a named pipe in dist/ at once, without reading it', () => {
    const dir = workspace(['example.yaml']);
    expect(runBinary(dir, ['synth']).code).toBe(0);
    mkfifo(path.join(dir, 'dist/example/01-policies/extra.yaml'));
    const r = runBinary(dir, ['check']);
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
      code: 4,
      signal: null,
      stderr: 'error: dist/example/01-policies/extra.yaml: is a named pipe (FIFO), not a regular file\n  hint: calico-shield reads regular files and folders only: remove it\n',
    });
  });

  it.each([
    ['a link to /dev/zero', (file: string) => fs.symlinkSync('/dev/zero', file), 'is a symbolic link'],
    ['a named pipe', mkfifo, 'is a named pipe (FIFO), not a regular file'],
  ])('fails synth on a spec that is %s at once, without reading it, and writes nothing', (_, make, reason) => {
    const dir = workspace(['example.yaml']);
    make(path.join(dir, 'clusters/zero.yaml'));
    const r = runBinary(dir, ['synth']);
    expect({ code: r.code, signal: r.signal, firstLine: r.stderr.split('\n')[0] }).toEqual({ code: 4, signal: null, firstLine: `error: clusters/zero.yaml: ${reason}${reason.startsWith('is a sym') ? '; calico-shield follows no links in clusters/, dist/ and deploy/' : ''}` });
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});
