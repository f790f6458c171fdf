/**
 * The benchmark's dense fleet (bench/fleet.ts denseFleetSpec): servers on every node, every
 * node their client. The benchmark times it at 1,000 and 10,000 nodes to catch a cost
 * quadratic in the nodes; here, at a size a test affords, it must compile as it says.
 */
import { DENSE_SERVER_COUNT, denseFleetSpec } from '../../bench/fleet';
import { compileCluster } from '../../lib/pipeline';
import { formatFinding } from '../../lib/spec/errors';

describe('the dense fleet of the benchmark', () => {
  const nodes = 60;
  const result = compileCluster({ file: 'clusters/dense-60.yaml', name: 'dense-60', bytes: new TextEncoder().encode(denseFleetSpec(nodes, 'dense-60')) });

  it('compiles without errors', () => {
    expect(result.findings.filter((f) => f.severity === 'error').map(formatFinding)).toEqual([]);
    expect(result.files?.length).toBeGreaterThan(0);
  });

  it('runs each protected server on every node, two host endpoints a node', () => {
    const agents = (result.plan?.servers ?? []).filter((s) => s.id.startsWith('agent-'));
    expect(agents).toHaveLength(DENSE_SERVER_COUNT);
    for (const s of agents) expect(s.hostNodes).toHaveLength(nodes);
    expect(result.plan?.hostEndpoints).toHaveLength(2 * nodes);
  });

  it('makes every host endpoint a server and an allowed client of every protected server', () => {
    const agents = Array.from({ length: DENSE_SERVER_COUNT }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}`);
    const roles = agents.flatMap((a) => [`protected-${a}-server`, `allowed-${a}-client`]);
    const hostEndpoints = result.plan?.hostEndpoints ?? [];
    expect(hostEndpoints.filter((h) => roles.every((label) => h.labels[label] === 'true'))).toHaveLength(2 * nodes);
  });
});
