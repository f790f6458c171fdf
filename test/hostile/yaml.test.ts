/**
 * YAML pitfalls: each one is a clear, positioned error, or read in a documented way that this
 * file pins down. Specs are read as YAML 1.2 with the core schema: `yes`, `no`, `on` and `off`
 * are strings, `0755` is not a decimal port, and `true` is a boolean where a string is wanted.
 */
import { CalicoObject } from '../../lib/calico/object';
import { Finding, hasErrors } from '../../lib/spec/errors';
import { calicoCrds, clusterInput, compileProblems } from '../fuzz/invariants';

/** A valid spec whose lines the cases below change; the numbers are 1-based line numbers. */
const BASE: readonly string[] = [
  'apiVersion: calico-shield/v1alpha1', // 1
  'kind: Cluster', // 2
  'metadata:', // 3
  '  name: yaml', // 4
  'spec:', // 5
  '  approach: deny-list', // 6
  '  nodes:', // 7
  '    - name: node-1', // 8
  '      interfaces:', // 9
  '        - name: eth0', // 10
  '          expectedIPs: [10.0.0.1]', // 11
  '  metrics:', // 12
  '    calicoNode: {port: 9091}', // 13
  '  protectedServers:', // 14
  '    - name: etcd', // 15
  '      port: 2379', // 16
  '      runsOn: {nodes: [node-1]}', // 17
  '      allowedClients:', // 18
  '        workloads: [{namespace: backup, labels: {app: etcd}}]', // 19
];
/** Line 19 with another label value, written as is. */
const labelLine = (value: string): string => `        workloads: [{namespace: backup, labels: {app: ${value}}}]`;
const text = (lines: readonly string[]): string => `${lines.join('\n')}\n`;
const BASE_TEXT = text(BASE);

/** BASE with line `n` replaced (or removed, for `undefined`); several lines for an array. */
function withLine(n: number, replacement: string | readonly string[] | undefined): string {
  const lines = [...BASE];
  lines.splice(n - 1, 1, ...(replacement === undefined ? [] : typeof replacement === 'string' ? [replacement] : replacement));
  return text(lines);
}

/** Position of `token` on line `n` of `source`. */
function at(source: string, n: number, token: string): { line: number; col: number } {
  const col = source.split('\n')[n - 1].indexOf(token) + 1;
  if (col === 0) throw new Error(`${JSON.stringify(token)} is not on line ${n}`);
  return { line: n, col };
}

interface Compiled {
  readonly findings: readonly Finding[];
  readonly objects?: readonly CalicoObject[];
  readonly accepted: boolean;
}

/** Compiles through the whole pipeline; every invariant of test/fuzz/invariants.ts must hold. */
function compile(source: string | Uint8Array): Compiled {
  const { result, problems } = compileProblems(clusterInput('yaml', source));
  expect(problems).toEqual([]);
  return { findings: result.findings, objects: result.objects, accepted: !hasErrors(result.findings) };
}

/** The error with this code, else the first error (findings are sorted by position). */
function errorOf(c: Compiled, code?: string): Finding {
  const errors = c.findings.filter((x) => x.severity === 'error');
  const f = errors.find((x) => x.code === code) ?? errors[0];
  if (!f) throw new Error('expected an error, the spec was accepted');
  return f;
}

const errorsOf = (c: Compiled): readonly Finding[] => c.findings.filter((f) => f.severity === 'error');


const baseObjects = (): readonly CalicoObject[] | undefined => compile(BASE_TEXT).objects;

beforeAll(() => {
  calicoCrds();
});

describe('YAML pitfalls', () => {
  it('can compile the base spec', () => {
    expect(errorsOf(compile(BASE_TEXT))).toEqual([]);
  });

  describe('rejected with a positioned error', () => {
    interface Case {
      readonly source: string | Uint8Array;
      readonly code: string;
      readonly line: number;
      readonly col: number;
      readonly message?: RegExp;
      readonly hint?: RegExp;
    }
    const cases: Readonly<Record<string, () => Case>> = {
      'a duplicate key': () => {
        const s = withLine(6, ['  approach: deny-list', '  approach: allow-list']);
        return { source: s, code: 'yaml-duplicate-key', ...at(s, 7, 'approach'), hint: /each key may appear once/ };
      },
      'a merge key (<<), which YAML 1.2 does not have': () => {
        const s = withLine(12, ['  metrics: &m', '    <<: {calicoNode: {}}']);
        return { source: s, code: 'unknown-field', ...at(s, 13, '<<'), message: /unknown field "<<"/ };
      },
      'two documents': () => {
        const s = `${BASE_TEXT}---\n${BASE_TEXT}`;
        return { source: s, code: 'multiple-documents', line: BASE.length + 1, col: 1, hint: /one cluster per file/ };
      },
      'an empty second document': () => ({ source: `${BASE_TEXT}---\n`, code: 'multiple-documents', line: BASE.length + 1, col: 1 }),
      'a tab as indentation': () => {
        const s = withLine(10, '\t- name: eth0');
        return { source: s, code: 'yaml-tab-as-indent', line: 10, col: 1, hint: /indent with spaces/ };
      },
      'tabs and spaces mixed in indentation': () => {
        const s = withLine(16, '    \t  port: 2379');
        return { source: s, code: 'yaml-bad-indent', line: 16, col: 1 };
      },
      'a port written 0755 (octal in YAML 1.1)': () => {
        const s = withLine(13, '    calicoNode: {port: 0755}');
        return { source: s, code: 'wrong-type', ...at(s, 13, '0755'), message: /found 0755$/, hint: /decimal without leading zeros/ };
      },
      'a port written 0o755': () => {
        const s = withLine(13, '    calicoNode: {port: 0o755}');
        return { source: s, code: 'wrong-type', ...at(s, 13, '0o755'), message: /0o755/ };
      },
      'a port written 0x1F': () => {
        const s = withLine(16, '      port: 0x1F');
        return { source: s, code: 'wrong-type', ...at(s, 16, '0x1F'), message: /0x1F/ };
      },
      'a port written 1e3': () => {
        const s = withLine(16, '      port: 1e3');
        return { source: s, code: 'wrong-type', ...at(s, 16, '1e3') };
      },
      'a port written 2379.0': () => {
        const s = withLine(16, '      port: 2379.0');
        return { source: s, code: 'wrong-type', ...at(s, 16, '2379.0') };
      },
      'a port written +2379': () => {
        const s = withLine(16, '      port: +2379');
        return { source: s, code: 'wrong-type', ...at(s, 16, '+2379') };
      },
      'a port written .inf': () => {
        const s = withLine(16, '      port: .inf');
        return { source: s, code: 'wrong-type', ...at(s, 16, '.inf') };
      },
      'a quoted port': () => {
        const s = withLine(16, '      port: "2379"');
        return { source: s, code: 'wrong-type', ...at(s, 16, '"2379"'), hint: /remove the quotes/ };
      },
      'a port written 1_000 (a string in YAML 1.2)': () => {
        const s = withLine(16, '      port: 1_000');
        return { source: s, code: 'wrong-type', ...at(s, 16, '1_000') };
      },
      'an unquoted true as a label value': () => {
        const s = withLine(19, labelLine('true'));
        return { source: s, code: 'wrong-type', ...at(s, 19, 'true'), message: /found the boolean true/, hint: /quote it: "true"/ };
      },
      'an unquoted True as a label value (a boolean in the core schema too)': () => {
        const s = withLine(19, labelLine('True'));
        return { source: s, code: 'wrong-type', ...at(s, 19, 'True'), hint: /quote it: "True"/ };
      },
      'a number as a label value': () => {
        const s = withLine(19, labelLine('3'));
        return { source: s, code: 'wrong-type', ...at(s, 19, '3'), hint: /quote it: "3"/ };
      },
      '~ as a label value': () => {
        const s = withLine(19, labelLine('~'));
        return { source: s, code: 'wrong-type', ...at(s, 19, '~'), message: /found null/ };
      },
      '~ as a required value': () => {
        const s = withLine(6, '  approach: ~');
        return { source: s, code: 'missing-value', ...at(s, 6, 'approach'), message: /"approach" has no value/ };
      },
      'null as a node name': () => {
        const s = withLine(8, '    - name: null');
        return { source: s, code: 'missing-value', ...at(s, 8, 'name') };
      },
      'a number as a key': () => {
        const s = withLine(19, [BASE[18], '  80: http']);
        return { source: s, code: 'wrong-type', ...at(s, 20, '80'), message: /keys must be strings/ };
      },
      'a list as a key': () => {
        const s = withLine(19, [BASE[18], '  ? [a, b]', '  : c']);
        return { source: s, code: 'wrong-type', ...at(s, 20, '[a, b]'), message: /keys must be strings, found a list/ };
      },
      'an unknown tag': () => {
        const s = withLine(8, '    - name: !Ref node-1');
        return { source: s, code: 'yaml-tag-resolve-failed', ...at(s, 8, '!Ref') };
      },
      'bytes that are not UTF-8 (Latin-1 é in a comment)': () => {
        const bytes = Buffer.concat([Buffer.from(text(BASE.slice(0, 4))), Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${text(BASE.slice(4))}`)]);
        return { source: new Uint8Array(bytes), code: 'not-utf8', line: 5, col: 6, message: /not valid UTF-8 \(byte \d+\)/, hint: /save the file as UTF-8/ };
      },
      'a truncated UTF-8 sequence at the end': () => ({
        source: new Uint8Array(Buffer.concat([Buffer.from(BASE_TEXT), Buffer.from([0xe2, 0x82])])),
        code: 'not-utf8',
        line: BASE.length + 1,
        col: 1,
      }),
      'an overlong UTF-8 encoding of "/"': () => ({ source: new Uint8Array(Buffer.concat([Buffer.from('a: '), Buffer.from([0xc0, 0xaf])])), code: 'not-utf8', line: 1, col: 4 }),
      'a UTF-16 file': () => ({ source: new Uint8Array(Buffer.from(`\ufeff${BASE_TEXT}`, 'utf16le')), code: 'not-utf8', line: 1, col: 1 }),
      'an empty file': () => ({ source: '', code: 'empty', line: 1, col: 1, hint: /clusters\/example\.yaml/ }),
      'a file of blanks and line breaks': () => ({ source: ' \n\t\n  \r\n', code: 'empty', line: 1, col: 1 }),
      'a file of comments only': () => ({ source: '# nothing here\n# yet\n', code: 'empty', line: 1, col: 1 }),
      'a lone document marker': () => ({ source: '---\n', code: 'empty', line: 1, col: 1 }),
      'a lone byte-order mark': () => ({ source: '\ufeff', code: 'empty', line: 1, col: 1 }),
      'a list at the top': () => ({ source: '- a\n- b\n', code: 'wrong-type', line: 1, col: 1, message: /expected a mapping, found a list/ }),
      'a scalar at the top': () => ({ source: 'hello\n', code: 'wrong-type', line: 1, col: 1 }),
      'a flow indicator after a flow list': () => {
        const s = withLine(11, '          expectedIPs: [10.0.0.1]]');
        return { source: s, code: 'yaml-unexpected-token', line: 11, col: s.split('\n')[10].lastIndexOf(']') + 1 };
      },
      'an unclosed flow list: reported where the next key shows it': () => {
        const s = withLine(11, '          expectedIPs: [10.0.0.1');
        return { source: s, code: 'yaml-bad-indent', line: 12, col: 3 };
      },
      'an unterminated quoted string: reported at the end of the file, where the quote is missing': () => {
        const s = withLine(8, '    - name: "node-1');
        return { source: s, code: 'yaml-missing-char', line: BASE.length + 1, col: 1, message: /Missing closing "quote/ };
      },
    };

    it.each(Object.keys(cases))('%s', (name) => {
      const c = cases[name]();
      const result = compile(c.source);
      expect(result.accepted).toBe(false);
      const f = errorOf(result, c.code);
      expect({ code: f.code, line: f.line, col: f.col }).toEqual({ code: c.code, line: c.line, col: c.col });
      if (c.message) expect(f.message).toMatch(c.message);
      if (c.hint) expect(f.hint).toMatch(c.hint);
    });
  });

  describe('read in a documented way', () => {
    it('can read a byte-order mark as nothing: the same objects, the same positions', () => {
      expect(compile(`\ufeff${BASE_TEXT}`).objects).toEqual(baseObjects());
      const broken = withLine(6, '  approach: sideways');
      const plain = errorOf(compile(broken));
      const withBom = errorOf(compile(`\ufeff${broken}`));
      expect({ line: withBom.line, col: withBom.col }).toEqual({ line: plain.line, col: plain.col });
    });

    it('can read CRLF line ends as LF: the same objects, the same positions', () => {
      expect(compile(BASE_TEXT.replace(/\n/g, '\r\n')).objects).toEqual(baseObjects());
      const broken = withLine(16, '      port: 0');
      const f = errorOf(compile(broken.replace(/\n/g, '\r\n')));
      expect({ code: f.code, line: f.line, col: f.col }).toEqual({ code: 'bad-port', ...at(broken, 16, '0') });
    });

    it('fails on CR-only line ends (classic Mac OS): YAML 1.2 reads one long line', () => {
      const result = compile(BASE_TEXT.replace(/\n/g, '\r'));
      expect(result.accepted).toBe(false);
      expect(errorOf(result).line).toBe(1);
    });

    it('can follow anchors and aliases: an aliased list reads as its copy', () => {
      const aliased = text([
        ...BASE.slice(0, 7),
        '    - name: node-1',
        '      interfaces: &ifs [{name: eth0}, {name: eth1}]',
        '    - name: node-2',
        '      interfaces: *ifs',
        ...BASE.slice(11),
      ]);
      const expanded = text([
        ...BASE.slice(0, 7),
        '    - name: node-1',
        '      interfaces: [{name: eth0}, {name: eth1}]',
        '    - name: node-2',
        '      interfaces: [{name: eth0}, {name: eth1}]',
        ...BASE.slice(11),
      ]);
      const result = compile(aliased);
      expect(errorsOf(result)).toEqual([]);
      expect(result.objects).toEqual(compile(expanded).objects);
    });

    it('can read yes, no, on, off, y and n as strings (YAML 1.2, not 1.1)', () => {
      const s = text([
        ...BASE.slice(0, 11),
        '    - name: "no"',
        '      interfaces: [{name: eth0}]',
        '    - name: yes',
        '      interfaces: [{name: on}, {name: off}]',
        ...BASE.slice(11, 18),
        '        workloads: [{namespace: "off", labels: {app: y, tier: n}}]',
      ]);
      const result = compile(s);
      expect(errorsOf(result)).toEqual([]);
      const heps = (result.objects ?? []).filter((o) => o.kind === 'HostEndpoint').map((o) => [o.spec?.node, o.spec?.interfaceName]);
      expect(heps).toEqual(expect.arrayContaining([['no', 'eth0'], ['yes', 'on'], ['yes', 'off']]));
      const server = (result.objects ?? []).find((o) => o.metadata.name === 'protected-etcd-server');
      const rule = (server?.spec?.ingress as readonly { source?: { notSelector?: string } }[] | undefined)?.[0];
      expect(rule?.source?.notSelector).toContain('projectcalico.org/namespace == "off" && app == "y" && tier == "n"');
    });

    it('can ignore a %YAML 1.1 directive: the spec is still read with YAML 1.2 types', () => {
      const result = compile(`%YAML 1.1\n---\n${withLine(11, [BASE[10], '    - name: yes', '      interfaces: [{name: eth0}]'])}`);
      expect(errorsOf(result)).toEqual([]);
      expect((result.objects ?? []).some((o) => o.kind === 'HostEndpoint' && o.spec?.node === 'yes')).toBe(true);
    });

    it('can read a document start and end marker around the one document', () => {
      expect(compile(`---\n${BASE_TEXT}...\n`).objects).toEqual(baseObjects());
    });

    it('can read a tab after a colon: tabs are refused only as indentation', () => {
      expect(compile(withLine(16, '      port:\t2379')).objects).toEqual(baseObjects());
    });
  });

  describe('pathological sizes: never a crash (their cost is measured by npm run bench, not here)', () => {
    it('fails on a 40 MB file as too large, without parsing it', () => {
      const result = compile(new Uint8Array(40 * 1024 * 1024).fill(0x20));
      const f = errorOf(result);
      expect({ code: f.code, line: f.line, col: f.col }).toEqual({ code: 'too-large', line: 1, col: 1 });
      expect(f.message).toMatch(/41943040 bytes, more than the \d+ calico-shield reads/);
    });

    it('fails on a 40 MB file even when it is not UTF-8', () => {
      expect(errorOf(compile(new Uint8Array(40 * 1024 * 1024).fill(0xff))).code).toBe('too-large');
    });

    it('fails on a line of 1 MB with a short message', () => {
      const s = withLine(15, `    - name: ${'a'.repeat(1_000_000)}`);
      const result = compile(s);
      const f = errorOf(result, 'bad-server-name');
      expect({ code: f.code, line: f.line, col: f.col }).toEqual({ code: 'bad-server-name', ...at(s, 15, 'aaa') });
      expect(f.message).toMatch(/… \(1000000 characters\)/);
    });

    it('fails on a key of 1 MB', () => {
      const result = compile(withLine(16, `      ${'p'.repeat(1_000_000)}: 1`));
      expect(errorOf(result).code).toBe('yaml-key-over-1024-chars');
    });

    /** BASE with its list of nodes replaced by `nodes`. */
    const withNodes = (nodes: string): string => text([...BASE.slice(0, 6), `  nodes: ${nodes}`, ...BASE.slice(11)]);

    it.each([100, 1000, 10_000, 100_000])('fails on flow lists nested %i deep', (depth) => {
      const result = compile(withNodes(`${'['.repeat(depth)}${']'.repeat(depth)}`));
      expect(errorOf(result).line).toBe(7);
    });

    it.each([100, 1000, 10_000])('fails on flow mappings nested %i deep', (depth) => {
      const result = compile(withNodes(`${'{a: '.repeat(depth)}b${'}'.repeat(depth)}`));
      expect(errorOf(result).line).toBe(7);
    });

    it('fails on block lists nested 2000 deep', () => {
      const nested = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(4 + i)}-`);
      const result = compile(text([...BASE.slice(0, 7), ...nested, ...BASE.slice(11)]));
      expect(result.accepted).toBe(false);
    });

    describe('billion laughs', () => {
      /** `&a0` is a list of ten strings, each `&aN` a list of ten `*a(N-1)`: 10^levels strings once expanded. */
      const laughs = (levels: number): string =>
        Array.from({ length: levels }, (_, i) => (i === 0 ? `&a0 [${Array(10).fill('lol').join(', ')}]` : `&a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`)).join(', ');

      it.each<[string, () => string, string]>([
        ['under an unknown field, where nothing reads them', () => text([...BASE, `x-laughs: [${laughs(9)}]`]), 'unknown-field'],
        ['where the list of nodes belongs', () => text([...BASE.slice(0, 6), `  nodes: [${laughs(9)}]`, ...BASE.slice(11)]), 'wrong-type'],
        ['as expected IPs', () => withLine(11, `          expectedIPs: [${laughs(9)}]`), 'wrong-type'],
        ['as label values', () => withLine(19, `        workloads: [{labels: {${laughs(9).replace(/&a(\d+) /g, 'l$1: &a$1 ')}}}]`), 'wrong-type'],
        ['as the failsafe list', () => text([...BASE, '  failsafe:', `    inbound: [${laughs(9)}]`]), 'wrong-type'],
      ])('fails fast on them %s', (_where, source, code) => {
        const result = compile(source());
        expect(errorOf(result, code).code).toBe(code);
      });

      it('fails fast on an alias cycle', () => {
        const result = compile(withLine(12, '  metrics: &m {calicoNode: *m}'));
        expect(result.accepted).toBe(false);
      });
    });
  });
});
