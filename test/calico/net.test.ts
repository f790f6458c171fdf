import fc from 'fast-check';
import {
  cidrContains,
  cidrsOverlap,
  compareCidrs,
  compareIps,
  IpFamily,
  ParsedCidr,
  ParsedIp,
  parseCidr,
  parseIp,
  simpleV4,
} from '../../lib/calico/net';

const CYRILLIC_A = '\u0430'; // "а", looks like the Latin "a"

/** An expected problem: exact message, and exact hint (undefined = no hint). */
type Expected = readonly [message: string, hint: string | undefined];

const problemOf = ([message, hint]: Expected): { message: string; hint?: string } => (hint === undefined ? { message } : { message, hint });

function ip(text: string): ParsedIp {
  const parsed = parseIp(text);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.ip;
}

function cidr(text: string): ParsedCidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.cidr;
}

describe('parseIp', () => {
  it.each<readonly [string, IpFamily, string, number[]]>([
    ['192.0.2.1', 4, '192.0.2.1', [192, 0, 2, 1]],
    ['0.0.0.0', 4, '0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', 4, '255.255.255.255', [255, 255, 255, 255]],
    ['::', 6, '::', new Array<number>(16).fill(0)],
    ['::1', 6, '::1', [...new Array<number>(15).fill(0), 1]],
    ['1::', 6, '1::', [0, 1, ...new Array<number>(14).fill(0)]],
    ['2001:db8::1', 6, '2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]],
    // RFC 5952 §4.2.3: the first of two equally long zero runs becomes "::".
    ['2001:db8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]],
    // RFC 5952 §4.2.3: the longest run wins, wherever it is.
    ['2001:0:0:1:0:0:0:1', 6, '2001:0:0:1::1', [0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]],
    // RFC 5952 §4.2.2: a single zero group is not shortened.
    ['2001:db8:0:1:1:1:1:1', 6, '2001:db8:0:1:1:1:1:1', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]],
    ['1:2:3:4:5:6:7::', 6, '1:2:3:4:5:6:7:0', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]],
    ['FE80::ABCD', 6, 'fe80::abcd', [0xfe, 0x80, ...new Array<number>(12).fill(0), 0xab, 0xcd]],
    // IPv4-mapped IPv6 is the IPv4 address, as Calico (Go's net.IP.To4) reads it.
    ['::ffff:192.0.2.1', 4, '192.0.2.1', [192, 0, 2, 1]],
    ['::FFFF:c000:0201', 4, '192.0.2.1', [192, 0, 2, 1]],
    // Other embedded IPv4 forms stay IPv6.
    ['::192.0.2.1', 6, '::c000:201', [...new Array<number>(12).fill(0), 192, 0, 2, 1]],
    ['64:ff9b::192.0.2.1', 6, '64:ff9b::c000:201', [0, 0x64, 0xff, 0x9b, ...new Array<number>(8).fill(0), 192, 0, 2, 1]],
  ])('can parse %s', (text, family, canonical, bytes) => {
    const parsed = ip(text);
    expect(parsed.family).toBe(family);
    expect(parsed.text).toBe(canonical);
    expect(Array.from(parsed.bytes)).toEqual(bytes);
  });

  it.each<readonly [string, Expected]>([
    [
      '010.0.0.1',
      ['"010.0.0.1" is not a valid IP address: it has a leading zero in "010"; some tools read such parts as octal, so the address is ambiguous', 'did you mean "10.0.0.1"?'],
    ],
    ['10.0.0.0/24', ['"10.0.0.0/24" is not a valid IP address: it is a network (CIDR), not a single address', 'use nets for networks']],
    [
      '10.0.0.1/32',
      ['"10.0.0.1/32" is not a valid IP address: it is a network (CIDR), not a single address', 'use nets for networks; for the single address write "10.0.0.1"'],
    ],
    [
      '2001:db8::1/128',
      ['"2001:db8::1/128" is not a valid IP address: it is a network (CIDR), not a single address', 'use nets for networks; for the single address write "2001:db8::1"'],
    ],
    ['fe80::1%eth0', ['"fe80::1%eth0" is not a valid IP address: it has the zone index "%eth0", which Calico does not accept', 'did you mean "fe80::1"?']],
    ['', ['"" is not a valid IP address: it is empty', undefined]],
    ['  ', ['"  " is not a valid IP address: it is blank', undefined]],
    [' 192.0.2.1', ['" 192.0.2.1" is not a valid IP address: it has spaces around it', 'did you mean "192.0.2.1"?']],
    ['192.0.2.1\n', ['"192.0.2.1\\n" is not a valid IP address: it has spaces around it', 'did you mean "192.0.2.1"?']],
    ['192.0.2.1:443', ['"192.0.2.1:443" is not a valid IP address: it has the port ":443" after the address', 'did you mean "192.0.2.1"?']],
    ['[2001:db8::1]:443', ['"[2001:db8::1]:443" is not a valid IP address: it has the port ":443" after the address', 'did you mean "2001:db8::1"?']],
    ['[::1]', ['"[::1]" is not a valid IP address: it is wrapped in brackets', 'did you mean "::1"?']],
    [
      'db.example.com',
      ['"db.example.com" is not a valid IP address: it is a host name, not an IP address', 'write the IP address the name resolves to; Calico policy matches addresses, not names'],
    ],
    ['192.0.2', ['"192.0.2" is not a valid IP address: it has 3 parts; an IPv4 address has 4, as in "192.0.2.1"', undefined]],
    ['192.0.2.1.5', ['"192.0.2.1.5" is not a valid IP address: it has 5 parts; an IPv4 address has 4, as in "192.0.2.1"', undefined]],
    ['192.0.2.256', ['"192.0.2.256" is not a valid IP address: it has the part "256", which is greater than 255', undefined]],
    ['192..2.1', ['"192..2.1" is not a valid IP address: it has an empty part between dots', undefined]],
    ['0x7f.0.0.1', ['"0x7f.0.0.1" is not a valid IP address: it contains "x" at character 2', undefined]],
    ['localhost', ['"localhost" is not a valid IP address: it is a host name, not an IP address', 'write the IP address the name resolves to; Calico policy matches addresses, not names']],
    ['1::2::3', ['"1::2::3" is not a valid IP address: it uses "::" more than once; it may stand for one run of zero groups only', undefined]],
    ['12345::', ['"12345::" is not a valid IP address: it has the group "12345", which has more than 4 hex digits', undefined]],
    ['1:2:3:4:5:6:7', ['"1:2:3:4:5:6:7" is not a valid IP address: it has 7 groups of 16 bits; an IPv6 address has 8, or fewer with "::"', undefined]],
    ['1:2:3:4:5:6:7:8:9', ['"1:2:3:4:5:6:7:8:9" is not a valid IP address: it has 9 groups of 16 bits; an IPv6 address has 8, or fewer with "::"', undefined]],
    [
      '1:2:3:4:5:6:7:8::',
      ['"1:2:3:4:5:6:7:8::" is not a valid IP address: it has 8 groups as well as "::", which must stand for at least one zero group', undefined],
    ],
    [
      ':1:2:3:4:5:6:7',
      ['":1:2:3:4:5:6:7" is not a valid IP address: it has an empty group (a lone ":" at the start or end, or "::" written with three colons)', undefined],
    ],
    ['192.0.2.1::', ['"192.0.2.1::" is not a valid IP address: it has an embedded IPv4 address that is not at the end', undefined]],
    [
      '::ffff:01.2.3.4',
      [
        '"::ffff:01.2.3.4" is not a valid IP address: it has the embedded IPv4 address "01.2.3.4", which has a leading zero in "01"; some tools read such parts as octal, so the address is ambiguous',
        undefined,
      ],
    ],
    ['gggg::1', ['"gggg::1" is not a valid IP address: it contains "g" at character 1', undefined]],
    [`192.0.2.${CYRILLIC_A}`, [`"192.0.2.${CYRILLIC_A}" is not a valid IP address: it contains "${CYRILLIC_A}" (U+0430) at character 9`, undefined]],
    ['1.2.3.4||5.6.7.8', ['"1.2.3.4||5.6.7.8" is not a valid IP address: it contains "|" at character 8', undefined]],
    ['1.2.3.4)', ['"1.2.3.4)" is not a valid IP address: it contains ")" at character 8', undefined]],
    ['"1.2.3.4"', ['"\\"1.2.3.4\\"" is not a valid IP address: it contains "\\"" at character 1', undefined]],
  ])('fails on %j', (text, expected) => {
    expect(parseIp(text)).toEqual({ ok: false, problem: problemOf(expected) });
  });

  it('fails on a 10 kB string with a message cut to about 60 characters of it', () => {
    const huge = '1'.repeat(10 * 1024);
    const parsed = parseIp(huge);
    expect(parsed).toEqual({
      ok: false,
      problem: { message: `"${'1'.repeat(60)}"… (10240 characters) is not a valid IP address: it has 1 part; an IPv4 address has 4, as in "192.0.2.1"` },
    });
  });

  it.each([
    ['IPv4 part', `192.0.2.${'1'.repeat(10 * 1024)}`],
    ['IPv6 group', `${'a'.repeat(10 * 1024)}::1`],
    ['zone index', `fe80::1%${'e'.repeat(10 * 1024)}`],
    ['embedded IPv4 address', `::ffff:1.2.3.${'4'.repeat(10 * 1024)}`],
  ])('fails on a 10 kB %s with a short message', (_label, text) => {
    const parsed = parseIp(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? 0 : parsed.problem.message.length).toBeLessThan(400);
  });
});

describe('parseCidr', () => {
  it.each<readonly [string, IpFamily, string, string, number]>([
    ['10.0.0.0/24', 4, '10.0.0.0/24', '10.0.0.0', 24],
    ['0.0.0.0/0', 4, '0.0.0.0/0', '0.0.0.0', 0],
    ['192.0.2.1/32', 4, '192.0.2.1/32', '192.0.2.1', 32],
    ['192.0.2.128/25', 4, '192.0.2.128/25', '192.0.2.128', 25],
    ['2001:DB8::/32', 6, '2001:db8::/32', '2001:db8::', 32],
    ['::/0', 6, '::/0', '::', 0],
    ['::1/128', 6, '::1/128', '::1', 128],
    ['fe80::/10', 6, 'fe80::/10', 'fe80::', 10],
    // An IPv4-mapped network of /96 or longer is the IPv4 network, as Calico reads it.
    ['::ffff:10.0.0.0/104', 4, '10.0.0.0/8', '10.0.0.0', 8],
    ['::ffff:192.0.2.1/128', 4, '192.0.2.1/32', '192.0.2.1', 32],
  ])('can parse %s', (text, family, canonical, address, prefixLength) => {
    const parsed = cidr(text);
    expect(parsed.family).toBe(family);
    expect(parsed.text).toBe(canonical);
    expect(parsed.address.text).toBe(address);
    expect(parsed.address.family).toBe(family);
    expect(parsed.prefixLength).toBe(prefixLength);
  });

  it.each<readonly [string, Expected]>([
    [
      '10.0.0.1/24',
      [
        '"10.0.0.1/24" is not a valid CIDR: it has host bits set (10.0.0.1 is not the first address of its /24 network)',
        'did you mean "10.0.0.0/24"? For the single address write "10.0.0.1/32".',
      ],
    ],
    [
      '192.0.2.130/25',
      [
        '"192.0.2.130/25" is not a valid CIDR: it has host bits set (192.0.2.130 is not the first address of its /25 network)',
        'did you mean "192.0.2.128/25"? For the single address write "192.0.2.130/32".',
      ],
    ],
    [
      '2001:db8::1/32',
      [
        '"2001:db8::1/32" is not a valid CIDR: it has host bits set (2001:db8::1 is not the first address of its /32 network)',
        'did you mean "2001:db8::/32"? For the single address write "2001:db8::1/128".',
      ],
    ],
    ['1.2.3.4', ['"1.2.3.4" is not a valid CIDR: it has no prefix length', 'did you mean "1.2.3.4/32"?']],
    ['2001:DB8::1', ['"2001:DB8::1" is not a valid CIDR: it has no prefix length', 'did you mean "2001:db8::1/128"?']],
    ['10.0.0.0/33', ['"10.0.0.0/33" is not a valid CIDR: it has the prefix length "33", but an IPv4 prefix length is at most 32', 'write a prefix length from 0 to 32']],
    ['::/129', ['"::/129" is not a valid CIDR: it has the prefix length "129", but an IPv6 prefix length is at most 128', 'write a prefix length from 0 to 128']],
    ['10.0.0.0/024', ['"10.0.0.0/024" is not a valid CIDR: it has a leading zero in the prefix length "024"', 'did you mean "10.0.0.0/24"?']],
    ['10.0.0.0/-8', ['"10.0.0.0/-8" is not a valid CIDR: it has the prefix length "-8", which is not a whole number', 'write a prefix length from 0 to 32']],
    ['10.0.0.0/', ['"10.0.0.0/" is not a valid CIDR: it has the prefix length "", which is not a whole number', 'write a prefix length from 0 to 32']],
    ['10.0.0.0/ 8', ['"10.0.0.0/ 8" is not a valid CIDR: it has the prefix length " 8", which is not a whole number', 'write a prefix length from 0 to 32']],
    ['10.0.0.0/8/16', ['"10.0.0.0/8/16" is not a valid CIDR: it has more than one "/"', undefined]],
    [
      '010.0.0.0/8',
      ['"010.0.0.0/8" is not a valid CIDR: it has a leading zero in "010"; some tools read such parts as octal, so the address is ambiguous', 'did you mean "10.0.0.0/8"?'],
    ],
    ['10.0.0.0 /8', ['"10.0.0.0 /8" is not a valid CIDR: it has spaces around it', 'did you mean "10.0.0.0/8"?']],
    ['', ['"" is not a valid CIDR: it is empty', undefined]],
    [`10.0.0.0/2${CYRILLIC_A}`, [`"10.0.0.0/2${CYRILLIC_A}" is not a valid CIDR: it has the prefix length "2${CYRILLIC_A}", which is not a whole number`, 'write a prefix length from 0 to 32']],
    ['10.0.0.0/8||0.0.0.0/0', ['"10.0.0.0/8||0.0.0.0/0" is not a valid CIDR: it has more than one "/"', undefined]],
  ])('fails on %j', (text, expected) => {
    expect(parseCidr(text)).toEqual({ ok: false, problem: problemOf(expected) });
  });

  it.each([
    ['192.0.2.1', '192.0.2.1/32'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['::ffff:192.0.2.1', '192.0.2.1/32'],
  ])('can take the bare address %s as %s when bare addresses are allowed', (text, canonical) => {
    const parsed = parseCidr(text, { allowBareIp: true });
    expect(parsed.ok && parsed.cidr.text).toBe(canonical);
  });

  it('fails on host bits even when bare addresses are allowed', () => {
    const parsed = parseCidr('10.0.0.1/24', { allowBareIp: true });
    expect(parsed.ok).toBe(false);
  });

  it('fails on a 10 kB string with a message cut to about 60 characters of it', () => {
    const huge = `10.0.0.0/${'8'.repeat(10 * 1024)}`;
    const parsed = parseCidr(huge);
    expect(parsed.ok ? undefined : parsed.problem.message.startsWith(`"10.0.0.0/${'8'.repeat(51)}"… (10249 characters) is not a valid CIDR: `)).toBe(true);
    expect(parsed.ok ? 0 : parsed.problem.message.length).toBeLessThan(300);
  });
});

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/24', '10.0.0.0', true],
    ['10.0.0.0/24', '10.0.0.255', true],
    ['10.0.0.0/24', '10.0.1.0', false],
    ['10.0.0.0/24', '9.255.255.255', false],
    ['10.0.0.0/25', '10.0.0.128', false],
    ['10.0.0.128/25', '10.0.0.128', true],
    ['192.0.2.1/32', '192.0.2.1', true],
    ['192.0.2.1/32', '192.0.2.2', false],
    ['0.0.0.0/0', '255.255.255.255', true],
    ['0.0.0.0/0', '::1', false],
    ['::/0', '192.0.2.1', false],
    ['::/0', '2001:db8::1', true],
    ['2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db8::/32', '2001:db9::', false],
    ['2001:db8::/33', '2001:db8:8000::', false],
    ['10.0.0.0/24', '::ffff:10.0.0.7', true],
  ])('can tell whether %s contains %s: %s', (network, address, expected) => {
    expect(cidrContains(cidr(network), ip(address))).toBe(expected);
  });
});

describe('cidrsOverlap', () => {
  it.each([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.1.0.0/16', '10.0.0.0/8', true],
    ['192.0.2.0/24', '192.0.2.0/24', true],
    ['10.0.0.0/24', '10.0.1.0/24', false],
    ['192.0.2.0/25', '192.0.2.128/25', false],
    ['0.0.0.0/0', '192.0.2.1/32', true],
    ['0.0.0.0/0', '::/0', false],
    ['2001:db8::/32', '2001:db8:1::/48', true],
    ['2001:db8::/32', '2001:db9::/32', false],
  ])('can tell whether %s and %s overlap: %s', (one, two, expected) => {
    expect(cidrsOverlap(cidr(one), cidr(two))).toBe(expected);
  });
});

describe('compareIps', () => {
  it('can sort IPv4 before IPv6, each by address bytes rather than text', () => {
    const texts = ['2001:db8::1', '10.0.0.1', '::1', '255.255.255.255', '9.9.9.9', '::', '1.2.3.4', 'fe80::1'];
    expect(texts.map(ip).sort(compareIps).map((p) => p.text)).toEqual([
      '1.2.3.4',
      '9.9.9.9',
      '10.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '2001:db8::1',
      'fe80::1',
    ]);
  });

  it.each([
    ['192.0.2.1', '192.0.2.1', 0],
    ['::ffff:192.0.2.1', '192.0.2.1', 0],
    ['2001:DB8::1', '2001:db8:0::1', 0],
    ['192.0.2.1', '192.0.2.2', -1],
    ['255.255.255.255', '::', -1],
    ['::1', '0.0.0.0', 1],
  ])('can compare %s with %s: %i', (one, two, sign) => {
    expect(Math.sign(compareIps(ip(one), ip(two)))).toBe(sign);
    expect(Math.sign(compareIps(ip(two), ip(one)))).toBe(-sign || 0);
  });
});

describe('compareCidrs', () => {
  it('can sort by network address, then wider network first', () => {
    const texts = ['::/0', '10.0.0.0/24', '10.0.0.0/8', '9.0.0.0/8', '10.0.0.0/16', '2001:db8::/32', '10.128.0.0/9'];
    expect(texts.map(cidr).sort(compareCidrs).map((c) => c.text)).toEqual([
      '9.0.0.0/8',
      '10.0.0.0/8',
      '10.0.0.0/16',
      '10.0.0.0/24',
      '10.128.0.0/9',
      '::/0',
      '2001:db8::/32',
    ]);
  });

  it('can tell equal networks written differently', () => {
    expect(compareCidrs(cidr('2001:DB8:0::/32'), cidr('2001:db8::/32'))).toBe(0);
  });
});

describe('parseIp on IPv6 text in every common form', () => {
  /** 8 words, often with runs of zeros (where "::" and the canonical form differ most). */
  const words = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
  const hex = (w: number, pad: boolean, upper: boolean): string => {
    const digits = pad ? w.toString(16).padStart(4, '0') : w.toString(16);
    return upper ? digits.toUpperCase() : digits;
  };
  /** Text for the words: every group written, or one run of zero groups (two or more, or one) as "::". */
  const text = fc.record({ words, pad: fc.boolean(), upper: fc.boolean(), run: fc.nat(8), length: fc.integer({ min: 1, max: 8 }) }).map(({ words: ws, pad, upper, run, length }) => {
    const groups = ws.map((w) => hex(w, pad, upper));
    const end = Math.min(8, run + length);
    if (run >= 8 || !ws.slice(run, end).every((w) => w === 0)) return { ws, text: groups.join(':') };
    return { ws, text: `${groups.slice(0, run).join(':')}::${groups.slice(end).join(':')}` };
  });
  /** RFC 5952 as the URL standard prints an IPv6 host: lowercase, no leading zeros, the first longest run of zeros as "::". */
  const canonical = (t: string): string => new URL(`http://[${t}]/`).hostname.slice(1, -1);
  const v4Mapped = (ws: readonly number[]): boolean => ws.slice(0, 5).every((w) => w === 0) && ws[5] === 0xffff;

  it('reads it as the URL standard does, IPv4-mapped addresses as IPv4', () => {
    fc.assert(
      fc.property(text, ({ ws, text: t }) => {
        const parsed = parseIp(t);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const expected = v4Mapped(ws) ? `${ws[6] >> 8}.${ws[6] & 0xff}.${ws[7] >> 8}.${ws[7] & 0xff}` : canonical(t);
        expect(parsed.ip.text).toBe(expected);
        expect(Array.from(parsed.ip.bytes)).toEqual(v4Mapped(ws) ? expected.split('.').map(Number) : ws.flatMap((w) => [w >> 8, w & 0xff]));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['1:2:3:4:5:6:7:8:9', 'has 9 groups of 16 bits; an IPv6 address has 8, or fewer with "::"'],
    ['1:2:3:4::5:6:7:8', 'has 8 groups as well as "::", which must stand for at least one zero group'],
    ['1::2::3', 'uses "::" more than once; it may stand for one run of zero groups only'],
    ['12345::1', 'has the group "12345", which has more than 4 hex digits'],
    [':1::2', 'has an empty group (a lone ":" at the start or end, or "::" written with three colons)'],
    ['1::2:', 'has an empty group (a lone ":" at the start or end, or "::" written with three colons)'],
    ['1:::2', 'uses "::" more than once; it may stand for one run of zero groups only'],
  ])('still explains %s', (t, reason) => {
    const parsed = parseIp(t);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.message).toBe(`"${t}" is not a valid IP address: it ${reason}`);
  });
});

describe('simpleV4, the dotted quad read without the general path', () => {
  /** The common case as the pattern it replaced: four parts of at most 255, no leading zeros. */
  const canonicalQuad = (t: string): number[] | undefined => {
    const m = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/.exec(t);
    const parts = m?.slice(1).map(Number);
    return parts?.every((p) => p <= 255) ? parts : undefined;
  };
  /**
   * The general path's reading of the text as an IPv4 address: embedded in an IPv4-mapped IPv6
   * address, which simpleV4 never sees; the bytes when it reads back as the same text.
   */
  const generalPath = (t: string): number[] | undefined => {
    const parsed = parseIp(`::ffff:${t}`);
    return parsed.ok && parsed.ip.family === 4 && parsed.ip.text === t ? Array.from(parsed.ip.bytes) : undefined;
  };
  /** Text near dotted quads: digits and dots, often a quad, sometimes with a leading zero, a large part or a stray character. */
  const text = fc.oneof(
    fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((p) => p.join('.')),
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(3)).map(([a, b, c, d, z]) => `${'0'.repeat(z)}${a}.${b}.${c}.${d}`),
    // size 'max': lengths up to 17, past the 15 characters of the longest quad.
    fc.array(fc.constantFrom('0', '1', '2', '5', '9', '.', '.', ' ', 'a', ':', '/'), { maxLength: 17, size: 'max' }).map((cs) => cs.join('')),
  );

  it('reads exactly the canonical quads, to the bytes the general path reads, and leaves the rest to it', () => {
    fc.assert(
      fc.property(text, (t) => {
        const expected = canonicalQuad(t);
        const bytes = simpleV4(t);
        expect(bytes === undefined ? undefined : Array.from(bytes)).toEqual(expected);
        expect(generalPath(t)).toEqual(expected);
        const parsed = parseIp(t);
        if (expected !== undefined) expect(parsed.ok && parsed.ip.family === 4 && parsed.ip.text === t && Array.from(parsed.ip.bytes)).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['10.0.0.1', [10, 0, 0, 1]],
  ])('reads %s', (t, bytes) => {
    expect(Array.from(simpleV4(t) ?? [])).toEqual(bytes);
  });

  it.each(['256.0.0.1', '01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '10.20.30.', '10.20.30.40.', '.10.20.30', '1.2.3.4 ', '1.2.3.-4', '1000.2.3.4', ''])(
    'leaves %j to the general path',
    (t) => {
      expect(simpleV4(t)).toBeUndefined();
    },
  );
});
