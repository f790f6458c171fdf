/**
 * IP addresses and CIDRs as Calico reads them: parsed, checked, printed canonically, compared.
 *
 * Calico parses addresses with Go's net.ParseIP / net.ParseCIDR (libcalico-go lib/net), so the
 * syntax accepted here is Go's: dotted-quad IPv4 without leading zeros (Go ≥ 1.17,
 * golang/go#30999), RFC 4291 IPv6 text without zone, and no brackets or spaces. Like Calico
 * (cnet.IP.Version uses net.IP.To4), an IPv4-mapped IPv6 address such as ::ffff:192.0.2.1 is
 * the IPv4 address 192.0.2.1. Bad input comes back as a {@link Problem}, never thrown.
 */

import { memoize } from './strings';
import { describeChar, Problem, quote } from './validate';

export type IpFamily = 4 | 6;

export interface ParsedIp {
  readonly family: IpFamily;
  /** Canonical text: IPv4 dotted quad without leading zeros; IPv6 RFC 5952 (lower case, longest zero run as "::"). */
  readonly text: string;
  /** 4 bytes (IPv4) or 16 (IPv6), network order. Do not modify. */
  readonly bytes: Uint8Array;
}

export interface ParsedCidr {
  readonly family: IpFamily;
  /** The network address (host bits all zero). */
  readonly address: ParsedIp;
  readonly prefixLength: number;
  /** Canonical text: `<address.text>/<prefixLength>`. */
  readonly text: string;
}

/** Why a text is not an address: follows "it …"; `fixed` is the address the user most likely meant. */
interface Flaw {
  readonly reason: string;
  readonly hint?: string;
  readonly fixed?: string;
}

type Raw = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly flaw: Flaw };

const fail = (reason: string, extra: { hint?: string; fixed?: string } = {}): Raw => ({ ok: false, flaw: { reason, ...extra } });

// ---------------------------------------------------------------------------------------------
// Parsing

const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';
const isHexDigit = (ch: string): boolean => isDigit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');

/** The first character of `text` that `ok` refuses, as a flaw, or undefined. */
function badCharacter(text: string, ok: (ch: string) => boolean): Flaw | undefined {
  let index = 0;
  for (const ch of text) {
    index += 1;
    if (!ok(ch)) return { reason: `contains ${describeChar(ch)} at character ${index}` };
  }
  return undefined;
}

/** Dotted-quad IPv4 as Go's net.ParseIP accepts it: four decimal parts 0–255, no leading zeros. */
function parseV4(text: string): Raw {
  const bad = badCharacter(text, (ch) => isDigit(ch) || ch === '.');
  if (bad) {
    // "db.example.com" is a host name, which Calico rules cannot match (they take IPs and CIDRs);
    // top-level domains are never all digits, which tells "0x7f.0.0.1" apart.
    if (/^[A-Za-z0-9.-]+$/.test(text) && /[A-Za-z]/.test(text.slice(text.lastIndexOf('.') + 1))) {
      return fail('is a host name, not an IP address', { hint: 'write the IP address the name resolves to; Calico policy matches addresses, not names' });
    }
    return fail(bad.reason);
  }
  const parts = text.split('.');
  if (parts.length !== 4) {
    return fail(`has ${parts.length} part${parts.length === 1 ? '' : 's'}; an IPv4 address has 4, as in "192.0.2.1"`);
  }
  const bytes = new Uint8Array(4);
  let leadingZero: string | undefined;
  for (const [i, part] of parts.entries()) {
    if (part === '') return fail('has an empty part between dots');
    const value = Number(part);
    if (value > 255) return fail(`has the part ${quote(part)}, which is greater than 255`);
    if (part.length > 1 && part[0] === '0') leadingZero ??= part;
    bytes[i] = value;
  }
  if (leadingZero !== undefined) {
    const decimal = Array.from(bytes).join('.');
    return fail(`has a leading zero in ${quote(leadingZero)}; some tools read such parts as octal, so the address is ambiguous`, {
      fixed: decimal,
    });
  }
  return { ok: true, bytes };
}

/** IPv6 text (RFC 4291 §2.2) as Go's net.ParseIP accepts it, an IPv4 dotted quad allowed last. */
function parseV6(text: string): Raw {
  const bad = badCharacter(text, (ch) => isHexDigit(ch) || ch === ':' || ch === '.');
  if (bad) return fail(bad.reason);
  const ellipsis = text.indexOf('::');
  if (ellipsis !== text.lastIndexOf('::')) return fail('uses "::" more than once; it may stand for one run of zero groups only');
  const halves = ellipsis < 0 ? [text] : [text.slice(0, ellipsis), text.slice(ellipsis + 2)];
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const words: number[][] = [];
  for (const [h, half] of groups.entries()) {
    const out: number[] = [];
    for (const [g, group] of half.entries()) {
      if (group.includes('.')) {
        const isLast = h === groups.length - 1 && g === half.length - 1;
        if (!isLast) return fail('has an embedded IPv4 address that is not at the end');
        const v4 = parseV4(group);
        if (!v4.ok) return fail(`has the embedded IPv4 address ${quote(group)}, which ${v4.flaw.reason}`);
        out.push((v4.bytes[0] << 8) | v4.bytes[1], (v4.bytes[2] << 8) | v4.bytes[3]);
      } else if (group === '') {
        return fail('has an empty group (a lone ":" at the start or end, or "::" written with three colons)');
      } else if (group.length > 4) {
        return fail(`has the group ${quote(group)}, which has more than 4 hex digits`);
      } else {
        out.push(parseInt(group, 16));
      }
    }
    words.push(out);
  }
  const count = words[0].length + (words[1]?.length ?? 0);
  if (ellipsis < 0 && count !== 8) {
    return fail(`has ${count} group${count === 1 ? '' : 's'} of 16 bits; an IPv6 address has 8, or fewer with "::"`);
  }
  // Go's parser: "::" must stand for at least one zero group.
  if (ellipsis >= 0 && count > 7) return fail('has 8 groups as well as "::", which must stand for at least one zero group');
  const zeros: number[] = new Array<number>(8 - count).fill(0);
  const full = ellipsis < 0 ? words[0] : [...words[0], ...zeros, ...words[1]];
  const bytes = new Uint8Array(16);
  for (const [i, word] of full.entries()) {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return { ok: true, bytes };
}

/** Bytes as written (4 or 16, not yet normalised), or why the text is no address. */
function parseRaw(text: string): Raw {
  if (text === '') return fail('is empty');
  const trimmed = text.trim();
  if (trimmed === '') return fail('is blank');
  if (trimmed !== text) return fail('has spaces around it', parseRaw(trimmed).ok ? { fixed: trimmed } : {});
  // "192.0.2.1:443" and "[2001:db8::1]:443": an address with a port, as URLs write it.
  const withPort = /^([0-9.]+):([0-9]+)$/.exec(text) ?? /^\[([^\]]*)\]:([0-9]+)$/.exec(text);
  if (withPort) {
    const address = withPort[1];
    return fail(`has the port ${JSON.stringify(`:${withPort[2]}`)} after the address`, {
      hint: 'write the address alone; ports belong in the port fields',
      ...(parseRaw(address).ok ? { fixed: address } : {}),
    });
  }
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1);
    return fail('is wrapped in brackets', parseRaw(inner).ok ? { fixed: inner } : {});
  }
  const zone = text.indexOf('%');
  if (zone >= 0) {
    const address = text.slice(0, zone);
    // Go's net.ParseIP refuses zones, and a zone means nothing to a host-wide firewall rule.
    return fail(`has the zone index ${quote(text.slice(zone))}, which Calico does not accept`, parseRaw(address).ok ? { fixed: address } : {});
  }
  return text.includes(':') ? parseV6(text) : parseV4(text);
}

/** Whether 16 bytes are an IPv4-mapped IPv6 address (::ffff:a.b.c.d), Go's To4 test. */
function isV4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16 || bytes[10] !== 0xff || bytes[11] !== 0xff) return false;
  // A loop, not subarray().every(): a view per address shows in a profile of 10,000 nodes.
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Printing

function formatV6(bytes: Uint8Array): string {
  const word = (i: number): number => (bytes[2 * i] << 8) | bytes[2 * i + 1];
  // RFC 5952 §4.2: "::" replaces the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && word(j) === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
    } else text += text === '' || text.endsWith(':') ? word(i).toString(16) : `:${word(i).toString(16)}`;
  }
  return text;
}

/**
 * The canonical address for raw bytes (4 or 16, network order; kept, not copied);
 * IPv4-mapped IPv6 becomes IPv4, as Calico treats it.
 */
export function ipFromBytes(raw: Uint8Array): ParsedIp {
  const bytes = isV4Mapped(raw) ? raw.slice(12) : raw;
  return bytes.length === 4 ? { family: 4, text: Array.from(bytes).join('.'), bytes } : { family: 6, text: formatV6(bytes), bytes };
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * The bytes of a plain dotted quad, four decimal parts of at most 255 without leading zeros
 * (the canonical text, the common case), read without the general path; undefined for anything
 * else, which the general path (parseV4) reads or explains. test/calico/net.test.ts compares it
 * with the pattern it replaced and with the general path on random text.
 */
export function simpleV4(text: string): Uint8Array | undefined {
  const n = text.length;
  if (n < 7 || n > 15) return undefined;
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part === 3) return undefined;
      bytes[part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    // A digit, and no digit after a leading 0.
    if (c < 0x30 || c > 0x39 || (digits === 1 && value === 0)) return undefined;
    value = value * 10 + (c - 0x30);
    digits++;
    if (value > 255) return undefined;
  }
  if (part !== 3 || digits === 0) return undefined;
  bytes[3] = value;
  return bytes;
}

/**
 * The bytes of IPv6 text written as hex groups of at most four digits (lowercase or
 * uppercase) with at most one "::" and nothing else, the common case; undefined for anything
 * else, which the general path (parseV6) reads or explains. test/calico/net.test.ts checks
 * random addresses in every common form against the URL standard's canonical text.
 */
function simpleV6(text: string): Uint8Array | undefined {
  const n = text.length;
  if (n < 2 || n > 39) return undefined;
  const words = new Uint16Array(8);
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let word = 0;
    let digits = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (digit < 0) break;
      word = (word << 4) | digit;
      digits++;
    }
    if (digits === 0 || digits > 4 || count === 8) return undefined;
    words[count++] = word;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x3a || i + 1 === n) return undefined;
    i++;
    if (text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  const bytes = new Uint8Array(16);
  for (let w = 0; w < count; w++) {
    const at = gap >= 0 && w >= gap ? w + 8 - count : w;
    bytes[2 * at] = words[w] >> 8;
    bytes[2 * at + 1] = words[w] & 0xff;
  }
  return bytes;
}

/**
 * Parses one IP address (IPv4 or IPv6) to its canonical form.
 *
 * Refuses what Calico would refuse or read differently: leading zeros in IPv4 parts, zone
 * indexes, brackets, spaces, and networks (a CIDR belongs in nets).
 */
export function parseIp(text: string): IpResult {
  return parseIpOnce(text);
}

type IpResult = { ok: true; ip: ParsedIp } | { ok: false; problem: Problem };

/**
 * The spec, the admission check and the evaluator each read the same addresses: a cluster of
 * 10,000 nodes has some 30,000, parsed once here. Results are never modified (ParsedIp.bytes:
 * "Do not modify").
 */
const parseIpOnce = memoize((text: string) => parseIpUncached(text), 1 << 17);

function parseIpUncached(text: string): IpResult {
  // A plain dotted quad is its own canonical text.
  const v4 = simpleV4(text);
  if (v4 !== undefined) return { ok: true, ip: { family: 4, text, bytes: v4 } };
  const v6 = simpleV6(text);
  if (v6 !== undefined) return { ok: true, ip: ipFromBytes(v6) };
  const what = (): string => `${quote(text)} is not a valid IP address`;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    // "/32" or "/128" is one address in network clothing: say which address to write.
    const address = parseRaw(text.slice(0, slash));
    const single =
      address.ok && text.slice(slash + 1) === String(address.bytes.length * 8)
        ? `; for the single address write ${JSON.stringify(ipFromBytes(address.bytes).text)}`
        : '';
    return {
      ok: false,
      problem: { message: `${what()}: it is a network (CIDR), not a single address`, hint: `use nets for networks${single}` },
    };
  }
  const raw = parseRaw(text);
  if (!raw.ok) return { ok: false, problem: ipProblem(what(), raw.flaw) };
  return { ok: true, ip: ipFromBytes(raw.bytes) };
}

function ipProblem(what: string, flaw: Flaw): Problem {
  const hint = flaw.fixed !== undefined ? `did you mean ${JSON.stringify(flaw.fixed)}?` : flaw.hint;
  const message = `${what}: it ${flaw.reason}`;
  return hint === undefined ? { message } : { message, hint };
}

/**
 * Parses a network in CIDR notation (address/prefix length) to its canonical form.
 *
 * The address must be the network's first (host bits zero): Calico silently masks host bits in
 * rule nets (cnet.ParseCIDR), so "10.0.0.1/24" would quietly mean all of 10.0.0.0/24. A bare
 * address is refused with a hint, or, with `allowBareIp`, taken as /32 or /128 as Calico's
 * ParseCIDROrIP does.
 */
export function parseCidr(
  text: string,
  options: { allowBareIp?: boolean } = {},
): { ok: true; cidr: ParsedCidr } | { ok: false; problem: Problem } {
  // Built only on failure: parsing is on the hot path of a 10,000-node cluster.
  const what = (): string => `${quote(text)} is not a valid CIDR`;
  const failWith = (flaw: Flaw): { ok: false; problem: Problem } => ({ ok: false, problem: ipProblem(what(), flaw) });
  const parts = text.split('/');
  if (parts.length > 2) return failWith({ reason: 'has more than one "/"' });
  const raw = parseRaw(parts[0]);
  if (!raw.ok) {
    const { fixed } = raw.flaw;
    const suffix = parts.length === 2 ? `/${parts[1]}` : '';
    return failWith(fixed === undefined ? raw.flaw : { ...raw.flaw, fixed: fixed + suffix });
  }
  const bits = raw.bytes.length * 8;
  if (parts.length === 1) {
    if (options.allowBareIp) return { ok: true, cidr: makeCidr(raw.bytes, bits) };
    const single = ipFromBytes(raw.bytes);
    return failWith({ reason: 'has no prefix length', fixed: `${single.text}/${single.bytes.length * 8}` });
  }
  const prefixText = parts[1];
  if (!/^[0-9]+$/.test(prefixText)) {
    return failWith({ reason: `has the prefix length ${quote(prefixText)}, which is not a whole number`, hint: `write a prefix length from 0 to ${bits}` });
  }
  const prefixLength = Number(prefixText);
  if (prefixText.length > 1 && prefixText[0] === '0' && prefixLength <= bits) {
    return failWith({ reason: `has a leading zero in the prefix length ${quote(prefixText)}`, fixed: `${parts[0]}/${prefixLength}` });
  }
  if (prefixLength > bits) {
    return failWith({
      reason: `has the prefix length ${quote(prefixText)}, but an IPv${bits === 32 ? 4 : 6} prefix length is at most ${bits}`,
      hint: `write a prefix length from 0 to ${bits}`,
    });
  }
  const network = mask(raw.bytes, prefixLength);
  if (!network.every((b, i) => b === raw.bytes[i])) {
    const corrected = makeCidr(network, prefixLength);
    const single = ipFromBytes(raw.bytes);
    return {
      ok: false,
      problem: {
        message: `${what()}: it has host bits set (${single.text} is not the first address of its /${prefixLength} network)`,
        hint: `did you mean ${JSON.stringify(corrected.text)}? For the single address write ${JSON.stringify(`${single.text}/${single.bytes.length * 8}`)}.`,
      },
    };
  }
  return { ok: true, cidr: makeCidr(network, prefixLength) };
}

/** A masked network in canonical form; IPv4-mapped IPv6 networks (/96 and longer) become IPv4. */
function makeCidr(network: Uint8Array, prefixLength: number): ParsedCidr {
  const address = ipFromBytes(network);
  const length = address.bytes.length === network.length ? prefixLength : prefixLength - 96;
  return { family: address.family, address, prefixLength: length, text: `${address.text}/${length}` };
}

/** `bytes` with every bit after the first `prefixLength` cleared. */
function mask(bytes: Uint8Array, prefixLength: number): Uint8Array {
  return bytes.map((b, i) => {
    const kept = Math.min(Math.max(prefixLength - 8 * i, 0), 8);
    return b & ((0xff << (8 - kept)) & 0xff);
  });
}

/** Whether the first `bits` bits of `a` and `b` are equal. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const full = Math.floor(bits / 8);
  for (let i = 0; i < full; i += 1) if (a[i] !== b[i]) return false;
  const rest = bits % 8;
  if (rest === 0) return true;
  const m = (0xff << (8 - rest)) & 0xff;
  return (a[full] & m) === (b[full] & m);
}

/** Whether `ip` lies in `cidr` (never across families). */
export function cidrContains(cidr: ParsedCidr, ip: ParsedIp): boolean {
  return cidr.family === ip.family && samePrefix(cidr.address.bytes, ip.bytes, cidr.prefixLength);
}

/** Total order for deterministic output: IPv4 before IPv6, then by address bytes. */
export function compareIps(a: ParsedIp, b: ParsedIp): number {
  if (a.family !== b.family) return a.family - b.family;
  for (let i = 0; i < a.bytes.length; i += 1) {
    if (a.bytes[i] !== b.bytes[i]) return a.bytes[i] - b.bytes[i];
  }
  return 0;
}

/** Total order for deterministic output: by network address, then shorter prefix (wider network) first. */
export function compareCidrs(a: ParsedCidr, b: ParsedCidr): number {
  return compareIps(a.address, b.address) || a.prefixLength - b.prefixLength;
}

/** Whether two networks share at least one address (one then contains the other). */
export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  return a.family === b.family && samePrefix(a.address.bytes, b.address.bytes, Math.min(a.prefixLength, b.prefixLength));
}
