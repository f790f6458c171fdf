/**
 * Regression: findings point at the right line and column.
 *
 * Lines are counted from the spec's text (yaml's LineCounter skips the line breaks of tokens it
 * rejects), and the column of a byte that is not UTF-8 is counted in characters of its line.
 */
import { compileCluster } from '../../lib/pipeline';
import { clusterInput } from '../fuzz/invariants';

describe('positions of findings', () => {
  it.each([
    ['after a rejected two-line scalar', '  a: 1\nb: c\n  d: e\n'],
    ['after a rejected three-line scalar', ' a: 1\nb: 2\n c: 3\n d: 4\n'],
    ['in a spec whose first line is indented', '    typha: {}\nkind: Cluster\napiVersion: calico-shield/v1alpha1\n    kubeControllers: {}\n  protectedServers: []\n'],
  ])('points each unexpected YAML token at that token %s', (_what, text) => {
    const lines = text.split('\n');
    const result = compileCluster(clusterInput('positions', text));
    const tokens = result.findings.flatMap((f) => {
      const token = /YAML stream: "(.*)"$/.exec(f.message)?.[1];
      return token === undefined ? [] : [{ token: JSON.parse(`"${token}"`).split('\n')[0] as string, at: (lines[(f.line ?? 0) - 1] ?? '').slice((f.col ?? 0) - 1) }];
    });
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) expect(t.at.startsWith(t.token) ? t.token : t).toEqual(t.token);
  });

  it('counts the column of a byte that is not UTF-8 in characters of its own line', () => {
    // Line 1 holds "é" (2 bytes, 1 character); line 2 is "xy" followed by the bad byte.
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('name: café\nxy'), Buffer.from([0xff]), Buffer.from('\n')]));
    const f = compileCluster(clusterInput('positions', bytes)).findings[0];
    expect({ code: f?.code, line: f?.line, col: f?.col }).toEqual({ code: 'not-utf8', line: 2, col: 3 });
  });
});
