/**
 * Felix's built-in failsafe ports, pinned per Calico tag: test/fixtures/felix/failsafe-defaults.txt
 * holds the two lines of felix/config/config_params.go that define them at each tag, copied from
 * the Calico repository. calico-shield prunes protected ports from these lists, so a release that
 * changed them must be noticed here rather than assumed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAILSAFE_DEFAULTS, FailsafeEntry } from '../../lib/calico/felix';
import { CALICO_MINORS, CALICO_RELEASES } from '../../lib/calico/versions';

const LINE = /^(v\d+\.\d+\.\d+) ([0-9a-f]{40}) (\d+):\s+Failsafe(Inbound|Outbound)HostPorts\s+\[\]ProtoPort `config:"port-list;([^;]+);die-on-fail"`$/;

/** The lists at each tag, as written in config_params.go (`tcp:22,udp:68,…`). */
function defaultsByTag(): Map<string, { inbound?: FailsafeEntry[]; outbound?: FailsafeEntry[] }> {
  const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'felix', 'failsafe-defaults.txt'), 'utf8');
  const byTag = new Map<string, { inbound?: FailsafeEntry[]; outbound?: FailsafeEntry[] }>();
  for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a failsafe line of config_params.go: ${line}`);
    const entries = m[5].split(',').map((p): FailsafeEntry => {
      const [protocol, port] = p.split(':');
      return { protocol: protocol.toUpperCase() === 'TCP' ? 'TCP' : 'UDP', port: Number(port) };
    });
    const tag = byTag.get(m[1]) ?? {};
    if (m[4] === 'Inbound') tag.inbound = entries;
    else tag.outbound = entries;
    byTag.set(m[1], tag);
  }
  return byTag;
}

describe("Felix's failsafe defaults", () => {
  it('are pinned for v3.29.7 and every release calico-shield compiles for', () => {
    expect([...defaultsByTag().keys()]).toEqual(['v3.29.7', ...CALICO_MINORS.map((m) => CALICO_RELEASES[m].release)]);
  });

  it.each(CALICO_MINORS)("are, for Calico %s, exactly the lists of its pinned release's config_params.go", (minor) => {
    const { release, commit } = CALICO_RELEASES[minor];
    const lists = defaultsByTag().get(release);
    expect(lists?.inbound).toEqual(FAILSAFE_DEFAULTS[minor].inbound);
    expect(lists?.outbound).toEqual(FAILSAFE_DEFAULTS[minor].outbound);
    // The fixture's lines come from the commit the version table names.
    const text = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'felix', 'failsafe-defaults.txt'), 'utf8');
    expect(text).toContain(`${release} ${commit} `);
  });

  it('have not changed between v3.29.7 and v3.32.1 (a later release that changes them fails here)', () => {
    const lists = [...defaultsByTag().values()];
    for (const l of lists) expect(l).toEqual(lists[0]);
  });
});
