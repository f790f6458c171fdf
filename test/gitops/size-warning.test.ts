/**
 * Above MANY_HOST_ENDPOINTS static host endpoints, synth suggests automatic ones with a
 * warning at spec.nodes (docs/host-endpoints.md#when-to-use-auto); spec.acknowledge takes it.
 */
import { compileCluster, MANY_HOST_ENDPOINTS } from '../../lib/pipeline';
import { withTestEnvironment } from '../support/environment';
import { twoInterfaceSpec } from '../support/fleet-spec';

function spec(nodes: number, extra: readonly string[] = []): Uint8Array {
  return new TextEncoder().encode(withTestEnvironment(twoInterfaceSpec(nodes, { extra })));
}

function sizeWarnings(bytes: Uint8Array): { readonly code: string; readonly field?: string; readonly line?: number; readonly message: string }[] {
  const result = compileCluster({ file: 'clusters/big.yaml', name: 'big', bytes });
  expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
  return (result.warnings ?? []).filter((w) => w.code === 'many-host-endpoints');
}

describe('warning[many-host-endpoints]', () => {
  it('stays silent at the limit: 1,000 nodes with two interfaces', () => {
    expect(MANY_HOST_ENDPOINTS).toBe(2000);
    expect(sizeWarnings(spec(1000))).toEqual([]);
  });

  it('says how many static host endpoints and shards go into git, at spec.nodes, one node above it', () => {
    const bytes = spec(1001);
    const [warning, ...more] = sizeWarnings(bytes);
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ code: 'many-host-endpoints', field: 'spec.nodes' });
    expect(warning.message).toMatch(/^2,002 static host endpoints go into git \(8 shards\)/);
    const nodesLine = new TextDecoder().decode(bytes).split('\n').findIndex((l) => l === '  nodes:') + 1;
    expect(warning.line).toBe(nodesLine + 1);
  });

  it('can be acknowledged', () => {
    expect(sizeWarnings(spec(1001, ['  acknowledge:', '    - {code: many-host-endpoints, reason: a fixed fleet whose nodes are reviewed one by one}']))).toEqual([]);
  });
});
