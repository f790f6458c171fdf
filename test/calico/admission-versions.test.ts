/**
 * The admission check per Calico minor: the rules that differ between v3.30.7, v3.31.7 and
 * v3.32.1, and the line every violation cites at the cluster's own release.
 *
 * test/fixtures/calico/validator-lines.txt holds each cited line as it is at each tag (copied
 * with `git show <tag>:<path> | sed -n <line>p`): an entry of OLDER_LINES that pointed at another
 * statement fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { admit, OLDER_LINES } from '../../lib/calico/admission';
import { CalicoObject } from '../../lib/calico/object';
import { CALICO_MINORS, type CalicoMinor } from '../../lib/calico/versions';
import { felix, gnp, rule, shown, template } from '../support/admission';

const verdicts = (o: CalicoObject): Record<CalicoMinor, string[]> =>
  Object.fromEntries(CALICO_MINORS.map((m) => [m, shown(admit([o], m))])) as Record<CalicoMinor, string[]>;

/** `<tag> <path>:<line>` → the line's text, runs of blanks as one (gofmt realigns struct fields). */
function fixtureLines(): Map<string, string> {
  const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'calico', 'validator-lines.txt'), 'utf8');
  const lines = new Map<string, string>();
  for (const l of text.split('\n').filter((x) => x !== '' && !x.startsWith('#'))) {
    const tab = l.indexOf('\t');
    lines.set(l.slice(0, tab), l.slice(tab + 1).trim().replace(/\s+/g, ' '));
  }
  return lines;
}

describe('admission per Calico minor', () => {
  it('refuses, before v3.32, a named port without a protocol (v3.31.7 validator.go:1302-1330; v3.32.1 accepts it, 1330-1367)', () => {
    const v = verdicts(rule({ destination: { ports: ['metrics'] } }));
    expect(v['v3.32']).toEqual([]);
    expect(v['v3.31']).toEqual(['spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1319 validateRule)']);
    expect(v['v3.30']).toEqual(['spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1284 validateRule)']);
  });

  it('refuses a numeric port without a protocol in every minor, citing each release\'s line', () => {
    const v = verdicts(rule({ destination: { ports: [2379] } }));
    expect(v['v3.32']).toEqual(['spec.ingress[0].destination.ports: rules with numeric port or port range must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1342 validateRule)']);
    expect(v['v3.31']).toEqual(['spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1319 validateRule)']);
    expect(v['v3.30']).toEqual(['spec.ingress[0].destination.ports: rules that specify ports must set protocol to TCP or UDP or SCTP (libcalico-go/lib/validator/v3/validator.go:1284 validateRule)']);
  });

  it('refuses, before v3.32, a policy name too long once stored as default.<name> (names/policy.go:132 TieredPolicyName)', () => {
    const name = `a${'b'.repeat(248)}c`; // 250 characters: fits 253, not 253 - 8
    const v = verdicts(gnp({}, name));
    expect(v['v3.32']).toEqual([]);
    expect(v['v3.31']).toEqual(['metadata.name: name is too long by 5 bytes once stored as default.abbbbbbb… (libcalico-go/lib/names/policy.go:132 TieredPolicyName)']);
    expect(v['v3.30']).toEqual(v['v3.31']);
    expect(verdicts(gnp({}, `a${'b'.repeat(243)}c`))).toEqual({ 'v3.30': [], 'v3.31': [], 'v3.32': [] });
    // A name with a dot already names its tier and is stored as it is: not held to 245.
    const tiered = gnp({}, `tier1.${'b'.repeat(243)}c`);
    expect(verdicts(tiered)['v3.31'].some((v) => v.includes('TieredPolicyName'))).toBe(false);
    expect(verdicts(tiered)['v3.30'].some((v) => v.includes('TieredPolicyName'))).toBe(false);
  });

  it('refuses natOutgoingExclusions for v3.30, whose FelixConfiguration has no such field', () => {
    const v = verdicts(felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' }));
    expect(v['v3.32']).toEqual([]);
    expect(v['v3.31']).toEqual([]);
    expect(v['v3.30']).toEqual(['spec.natOutgoingExclusions: FelixConfigurationSpec of Calico v3.30.7 has no natOutgoingExclusions (api/pkg/apis/projectcalico/v3/felixconfig.go FelixConfigurationSpec (v3.31.7 adds it at line 535))']);
  });

  it('refuses a template interfacePattern for v3.30, whose templates have no such field', () => {
    const v = verdicts(template({ interfacePattern: '^eth[0-9]+$' }));
    expect(v['v3.32']).toEqual([]);
    expect(v['v3.31']).toEqual([]);
    expect(v['v3.30']).toEqual(['spec.controllers.node.hostEndpoint.templates[0].interfacePattern: Template of Calico v3.30.7 has no interfacePattern (api/pkg/apis/projectcalico/v3/kubecontrollersconfig.go Template (v3.31.7 adds it at line 139))']);
  });

  it('cites, for a rule the three releases share, the line of the cluster\'s own release', () => {
    const v = verdicts(rule({ action: 'allow' }));
    expect(v['v3.32']).toEqual(['spec.ingress[0].action: "allow": the action is Allow, Deny, Log or Pass (libcalico-go/lib/validator/v3/validator.go:342 validateAction)']);
    const [v331, v330] = OLDER_LINES.get('libcalico-go/lib/validator/v3/validator.go:342') ?? [];
    expect(v['v3.31']).toEqual([`spec.ingress[0].action: "allow": the action is Allow, Deny, Log or Pass (libcalico-go/lib/validator/v3/validator.go:${v331} validateAction)`]);
    expect(v['v3.30']).toEqual([`spec.ingress[0].action: "allow": the action is Allow, Deny, Log or Pass (libcalico-go/lib/validator/v3/validator.go:${v330} validateAction)`]);
  });

  describe('OLDER_LINES', () => {
    const lines = fixtureLines();
    // Entries whose statement differs on purpose: the rule, not the text, is the same.
    const DIFFERENT: Readonly<Record<string, string>> = {
      // v3.32 words it for numeric ports only (named ones are allowed without a protocol).
      'libcalico-go/lib/validator/v3/validator.go:1342': 'reason(protocolPortsMsg)',
      // Before v3.32 PortFromString checks a port's name; v3.32 moved the check into NamedPort.
      'api/pkg/lib/numorstring/port.go:44': 'msg := fmt.Sprintf("invalid name for named port (%s)", s)',
    };

    it('has a line at every tag for every rule the admission check cites', () => {
      expect(OLDER_LINES.size).toBeGreaterThan(60);
      for (const [cite, [v331, v330]] of OLDER_LINES) {
        const file = cite.slice(0, cite.lastIndexOf(':'));
        expect(lines.has(`v3.32.1 ${cite}`)).toBe(true);
        expect(lines.has(`v3.31.7 ${file}:${v331}`)).toBe(true);
        if (v330 !== undefined) expect(lines.has(`v3.30.7 ${file}:${v330}`)).toBe(true);
      }
    });

    it.each([...OLDER_LINES.entries()])('points %s at the same statement in v3.31.7 and v3.30.7', (cite, [v331, v330]) => {
      const file = cite.slice(0, cite.lastIndexOf(':'));
      const base = lines.get(`v3.32.1 ${cite}`);
      const expected = DIFFERENT[cite];
      if (expected === undefined) {
        expect(lines.get(`v3.31.7 ${file}:${v331}`)).toBe(base);
        if (v330 !== undefined) expect(lines.get(`v3.30.7 ${file}:${v330}`)).toBe(base);
      } else {
        expect(lines.get(`v3.31.7 ${file}:${v331}`)).toContain(expected);
        if (v330 !== undefined) expect(lines.get(`v3.30.7 ${file}:${v330}`)).toContain(expected);
      }
    });

    // Every line the module cites, read from its source: a rule cited without an entry would
    // stop a v3.30 or v3.31 synth with an internal error instead of a violation.
    it('has an entry for every line lib/calico/admission.ts cites', () => {
      const source = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'calico', 'admission.ts'), 'utf8');
      const files = new Map([...source.matchAll(/^const ([A-Z_]+) = '((?:api|libcalico-go)\/[^']+\.go)';$/gm)].map((m) => [m[1] as string, m[2] as string]));
      expect(files.get('V')).toBe('libcalico-go/lib/validator/v3/validator.go');
      const cited = new Set<string>();
      const add = (numbers: string, file = 'V'): void => {
        for (const n of numbers.match(/\d+/g) ?? []) cited.add(`${files.get(file)}:${n}`);
      };
      // at(LINE | cond ? LINE : LINE, 'fn' | `fn`, FILE?)
      for (const m of source.matchAll(/\bat\(([^,]+?), (?:'[^']*'|`[^`]*`|[a-z]+|global \? '[^']*' : '[^']*')(?:, ([A-Z_]+))?\)/g)) if (!/^(line|file)$/.test(m[1] as string)) add(m[1] as string, m[2]);
      for (const m of source.matchAll(/c\.noGlobal\(.*?, '[^']*', ((?:global \? )?\d+(?: : \d+)?), /g)) add(m[1] as string);
      for (const m of source.matchAll(/inRange\('[a-z]+', \d+, (\d+)\)/g)) add(m[1] as string, 'POLICY_COMMON');
      for (const m of source.matchAll(/enabledOrDisabled\('[A-Za-z]+', (\d+), '[^']*'(?:, ([A-Z_]+))?\)/g)) add(m[1] as string, m[2]);
      expect(cited.size).toBeGreaterThan(70);
      expect([...cited].filter((c) => !OLDER_LINES.has(c)).sort()).toEqual([]);
      expect([...OLDER_LINES.keys()].filter((c) => !cited.has(c)).sort()).toEqual([]);
    });

    it('has no v3.30.7 line only for natOutgoingExclusions, which v3.30 does not have', () => {
      expect([...OLDER_LINES].filter(([, [, v330]]) => v330 === undefined).map(([c]) => c)).toEqual(['api/pkg/apis/projectcalico/v3/felixconfig.go:570']);
    });
  });
});
