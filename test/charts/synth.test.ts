/**
 * chartJson renders a chart's objects one by one, without cdk8s's App-wide dependency graph
 * and validation pass, only when neither could change anything, and each Calico object of
 * plain props through its class's manifest() without cdk8s's resolvers: it must give exactly
 * what `chart.toJson()` gives, and fall back to it otherwise.
 */
import { ApiObject, App, Chart, JsonPatch, Lazy, LazyResolver, ResolutionContext } from 'cdk8s';
import { Construct } from 'constructs';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { buildCharts, chartBuilds, HOST_ENDPOINTS_PER_CHART, HostEndpointsChart } from '../../lib/charts/charts';
import { CALICO_KINDS } from '../../lib/charts/kinds';
import { chartJson, synthesizeCharts, synthesizePlan } from '../../lib/charts/synth';
import { compileCluster } from '../../lib/pipeline';
import { CALICO_MINORS } from '../../lib/calico/versions';
import { GlobalNetworkPolicySpecIngressDestinationPorts } from '../../imports/globalnetworkpolicy-projectcalico.org';
import { planCluster, type ProtectionPlan } from '../../lib/plan/plan';
import { parseClusterSpec } from '../../lib/spec/parse';
import { twoInterfaceSpec } from '../support/fleet-spec';
import { EXAMPLES as EXAMPLES_DIR, readSpec } from '../support/paths';

const EXAMPLES = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort();

function charts(file: string): Chart[] {
  const name = path.basename(file, '.yaml');
  const { spec } = parseClusterSpec(`clusters/${file}`, name, Buffer.from(readSpec(`clusters/${file}`)));
  if (!spec) throw new Error(`${file} does not parse`);
  return buildCharts(planCluster(spec));
}

describe('chartJson', () => {
  it.each(EXAMPLES)('gives what chart.toJson() gives for every chart of clusters/%s', (file) => {
    const direct = charts(file).map((c) => chartJson(c));
    const viaCdk8s = charts(file).map((c) => c.toJson());
    expect(direct).toEqual(viaCdk8s);
    // Not vacuous: every example has objects.
    expect(direct.flat().length).toBeGreaterThan(3);
  });

  /** Two objects, the first added depending on the second: cdk8s writes the second first. */
  function dependentChart(): Chart {
    const chart = new Chart(new App(), 'dependent', { disableResourceNameHashes: true });
    const first = new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    const second = new ApiObject(chart, 'second', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
    first.addDependency(second);
    return chart;
  }

  it('follows the dependency order cdk8s gives when a construct has a dependency', () => {
    const names = (objects: unknown[]): unknown[] => objects.map((o) => (o as { metadata: { name: string } }).metadata.name);
    expect(names(chartJson(dependentChart()))).toEqual(['second', 'first']);
    expect(names(chartJson(dependentChart()))).toEqual(names(dependentChart().toJson()));
  });

  it('fails as chart.toJson() does when a construct does not validate', () => {
    const chart = new Chart(new App(), 'invalid', { disableResourceNameHashes: true });
    const object = new ApiObject(chart, 'object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'object' } });
    object.node.addValidation({ validate: () => ['not valid'] });
    expect(() => chartJson(chart)).toThrow(/not valid/);
  });

  /** ApiObject.prototype.toJson's calls while `run` runs: the objects it rendered. */
  function viaToJson(run: () => unknown): { result: unknown; rendered: string[] } {
    const spy = jest.spyOn(ApiObject.prototype, 'toJson');
    try {
      const result = run();
      return { result, rendered: spy.mock.contexts.map((o) => (o as ApiObject).name) };
    } finally {
      spy.mockRestore();
    }
  }

  it('renders every host endpoint of the examples by its manifest(), not through cdk8s resolvers', () => {
    const hosts = EXAMPLES.flatMap((file) => charts(file).filter((c) => c.node.id === 'host-endpoints'));
    const { result, rendered } = viaToJson(() => hosts.map((c) => chartJson(c)));
    expect(rendered).toEqual([]);
    expect(result).toEqual(hosts.map((c) => c.toJson()));
    expect((result as unknown[][]).flat().length).toBeGreaterThan(10);
  });

  /** One HostEndpoint of `props` (v3.32's class unless told) in a chart of its own. */
  function hostEndpointChart(props: Record<string, unknown>, kind = CALICO_KINDS['v3.32'].HostEndpoint, app = new App()): { chart: Chart; object: ApiObject } {
    const chart = new Chart(app, 'host-endpoints', { disableResourceNameHashes: true });
    const object = new kind(chart, 'host-endpoint-0', props as unknown as ConstructorParameters<typeof kind>[2]);
    return { chart, object };
  }

  it.each(CALICO_MINORS)("renders %s's host endpoints by manifest() as toJson() does", (minor) => {
    const props = { metadata: { name: 'node-1.eth0', labels: { zone: 'b', 'a.example/role': 'x' } }, spec: { node: 'node-1', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] } };
    const { chart, object } = hostEndpointChart(props, CALICO_KINDS[minor].HostEndpoint);
    const { result, rendered } = viaToJson(() => chartJson(chart));
    expect(rendered).toEqual([]);
    expect(result).toEqual([object.toJson()]);
    // Key order too: labels sorted as sanitizeValue sorts them.
    expect(JSON.stringify(result)).toBe(JSON.stringify([object.toJson()]));
  });

  /** Plain JSON-like values with the nulls, undefineds and empty collections sanitizeValue drops or keeps. */
  const plainValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, undefined, '', 'eth0', 'b', 'a', 0, 1.5, true, false),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('b', 'a', 'B', 'value', 'z-1', '10', 'constructor', 'resolve', 'toString', '__proto__'), tie('value'), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).value;
  const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | null> => fc.oneof(a, fc.constant(undefined), fc.constant(null));

  /**
   * chartJson of the chart beside its object's toJson(); undefined when toJson() throws (a key
   * cdk8s cannot render), once chartJson is seen to fail with the same message.
   */
  function renderedBoth(chart: Chart, object: ApiObject): { result: unknown; expected: unknown; rendered: string[] } | undefined {
    let expected: unknown;
    try {
      expected = [object.toJson()];
    } catch (e) {
      expect(() => chartJson(chart)).toThrow((e as Error).message);
      return undefined;
    }
    return { ...viaToJson(() => chartJson(chart)), expected };
  }

  it('renders any plain props by manifest() exactly as toJson() does (property)', () => {
    const props = fc.record({
      metadata: fc.record({
        name: fc.constantFrom('node-1.eth0', 'n'),
        labels: maybe(fc.dictionary(fc.constantFrom('zone', 'a', 'b.example/x', 'Z', 'constructor', 'value'), maybe(fc.constantFrom('', 'v', 'true')), { maxKeys: 4, noNullPrototype: true })),
        annotations: maybe(fc.dictionary(fc.constantFrom('note', 'a'), fc.constantFrom('', 'x'), { maxKeys: 2, noNullPrototype: true })),
        finalizers: maybe(fc.array(fc.constantFrom('f'), { maxLength: 2 })),
        namespace: maybe(fc.constantFrom('kube-system', '')),
        generateName: maybe(plainValue),
        ownerReferences: maybe(fc.array(fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Node'), name: plainValue, uid: fc.constant('u'), controller: maybe(fc.boolean()) }, { noNullPrototype: true }), { maxLength: 2 })),
      }, { requiredKeys: ['name'], noNullPrototype: true }),
      spec: maybe(fc.record({ node: maybe(plainValue), interfaceName: maybe(plainValue), expectedIPs: maybe(fc.array(plainValue, { maxLength: 3 })), profiles: maybe(fc.array(plainValue, { maxLength: 2 })), ports: maybe(fc.array(fc.record({ name: plainValue, port: plainValue, protocol: plainValue }, { requiredKeys: [], noNullPrototype: true }), { maxLength: 2 })), extra: plainValue }, { requiredKeys: [], noNullPrototype: true })),
      // Without metadata, cdk8s still renders one: the name it makes from the construct's path.
    }, { requiredKeys: ['spec'] });
    /** What a chart may do to an object's metadata after constructing it (cdk8s's public API). */
    const change = fc.array(
      fc.oneof(
        fc.record({ label: fc.constantFrom('zone', 'added'), value: fc.constantFrom('', 'v') }).map(({ label, value }) => (o: ApiObject) => o.metadata.addLabel(label, value)),
        fc.constantFrom('note', 'other').map((key) => (o: ApiObject) => o.metadata.addAnnotation(key, 'x')),
        fc.constant((o: ApiObject) => o.metadata.addFinalizers('g')),
        fc.constant((o: ApiObject) => o.metadata.addOwnerReference({ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u' })),
        fc.tuple(fc.constantFrom('resourceVersion', 'name', 'labels'), plainValue).map(([key, value]) => (o: ApiObject) => o.metadata.add(key, value)),
      ),
      { maxLength: 3 },
    );
    let fast = 0;
    fc.assert(
      fc.property(props, change, (p, changes) => {
        const { chart, object } = hostEndpointChart(p);
        for (const c of changes) c(object);
        // A `constructor` key cdk8s cannot render: chartJson fails alike.
        const both = renderedBoth(chart, object);
        if (both === undefined) return;
        const { result, expected, rendered } = both;
        if (rendered.length === 0) fast++;
        expect(result).toStrictEqual(expected);
        expect(JSON.stringify(result)).toBe(JSON.stringify(expected));
      }),
      { seed: 20_261_207, numRuns: 500 },
    );
    // Most cases take the fast path; the keys cdk8s reads specially send the others to toJson().
    expect(fast).toBeGreaterThan(250);
    expect(fast).toBeLessThan(500);
  });

  /** What chartJson gives for one host endpoint of `props`, and whether it went through toJson(). */
  function fallback(props: Record<string, unknown>, change?: (o: ApiObject) => void): { result: unknown; expected: unknown; rendered: string[] } {
    const { chart, object } = hostEndpointChart(props);
    change?.(object);
    const { result, rendered } = viaToJson(() => chartJson(chart));
    return { result, expected: [object.toJson()], rendered };
  }
  const metadata = { name: 'node-1.eth0' };

  it('puts the metadata last, as the spread of toJson() does, when the props hold it but not enumerably (found by review)', () => {
    const { result, expected } = fallback({ metadata, spec: { node: 'node-1' } }, (o) => {
      Object.defineProperty(Reflect.get(o, 'props') as object, 'metadata', { value: { name: 'hidden' }, enumerable: false });
    });
    expect(JSON.stringify(result)).toBe(JSON.stringify(expected));
    expect(JSON.stringify(result)).toContain('"metadata":{"name":"node-1.eth0"}');
  });

  it.each([
    ['constructor', (o: ApiObject) => o.metadata.add('constructor', 'x')],
    // add() cannot make an own __proto__ key (the assignment sets the prototype): the definition's options can.
    ['__proto__', (o: ApiObject) => Object.defineProperty(Reflect.get(o.metadata, '_additionalAttributes') as object, '__proto__', { value: 'x', enumerable: true })],
  ])('goes through toJson() for a metadata attribute %s, which cdk8s reads specially', (_key, change) => {
    const { chart, object } = hostEndpointChart({ metadata, spec: { node: 'node-1' } });
    change(object);
    const both = renderedBoth(chart, object);
    if (both === undefined) return;
    const { result, expected, rendered } = both;
    expect(rendered).toEqual(['node-1.eth0']);
    expect(JSON.stringify(result)).toBe(JSON.stringify(expected));
  });

  it('goes through toJson() for an object with a JSON patch, and applies it', () => {
    const { result, expected, rendered } = fallback({ metadata, spec: { node: 'node-1' } }, (o) => o.addJsonPatch(JsonPatch.add('/spec/interfaceName', 'eth9')));
    expect(rendered).toEqual(['node-1.eth0']);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).toContain('"interfaceName":"eth9"');
  });

  it('goes through toJson() for a Lazy value in the metadata, and resolves it', () => {
    const { result, expected, rendered } = fallback({ metadata: { name: 'n', labels: { zone: Lazy.any({ produce: () => 'late' }) } }, spec: { node: 'node-1' } });
    expect(rendered).toEqual(['n']);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).toContain('"zone":"late"');
  });

  it('goes through toJson() for a Lazy value, and resolves it', () => {
    const { result, expected, rendered } = fallback({ metadata, spec: { node: 'node-1', interfaceName: Lazy.any({ produce: () => 'eth7' }) } });
    expect(rendered).toEqual(['node-1.eth0']);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).toContain('"interfaceName":"eth7"');
  });

  it('goes through toJson() for a value with a resolve() function, and resolves it', () => {
    const { result, expected, rendered } = fallback({ metadata, spec: { node: { resolve: () => 'node-9' } } });
    expect(rendered).toEqual(['node-1.eth0']);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).toContain('"node":"node-9"');
  });

  it('goes through toJson() for an array the resolvers would replace', () => {
    const { result, expected, rendered } = fallback({ metadata, spec: { node: 'node-1', profiles: Object.assign(['eth0'], { resolve: () => ['eth2'] }) } });
    expect(rendered).toEqual(['node-1.eth0']);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).toContain('"profiles":["eth2"]');
    // An array with a string `value` becomes `{value}`, which the generated conversion cannot map.
    const { chart, object } = hostEndpointChart({ metadata, spec: { node: 'node-1', profiles: Object.assign(['eth0'], { value: 'eth1' }) } });
    expect(() => object.toJson()).toThrow(/profiles\?\.map is not a function/);
    expect(() => chartJson(chart)).toThrow(/profiles\?\.map is not a function/);
  });

  it('goes through toJson() for a mapping with its own constructor key, which cdk8s reads as its class', () => {
    // Found by review: {constructor, value} is replaced by {value}; {constructor} alone cannot be rendered.
    const { result, expected, rendered } = fallback({ metadata: { name: 'n', labels: { constructor: 'x', value: 'y', zone: 'z' } }, spec: { node: 'a' } });
    expect(rendered).toEqual(['n']);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).toContain('"labels":{"value":"y"}');
    const alone = hostEndpointChart({ metadata, spec: { node: 'a', profiles: [{ constructor: 'x' }] } });
    expect(() => chartJson(alone.chart)).toThrow(/can't render non-simple object of type 'undefined'/);
    const added = hostEndpointChart({ metadata, spec: { node: 'a' } });
    added.object.metadata.addLabel('constructor', 'x');
    expect(() => chartJson(added.chart)).toThrow(/can't render non-simple object/);
  });

  it('goes through toJson() for a resolve() or constructor that is not enumerable', () => {
    const spec = Object.defineProperty({ node: 'a' }, 'resolve', { value: () => ({ node: 'token' }), enumerable: false });
    const hidden = fallback({ metadata, spec });
    expect(hidden.rendered).toEqual(['node-1.eth0']);
    expect(hidden.result).toEqual(hidden.expected);
    expect(JSON.stringify(hidden.result)).toContain('"node":"token"');
    const klass = fallback({ metadata, spec: Object.defineProperty({ node: 'a', value: 'v' }, 'constructor', { value: 'x', enumerable: false }) });
    expect(klass.rendered).toEqual(['node-1.eth0']);
    expect(klass.result).toEqual(klass.expected);
  });

  it('goes through toJson() for a __proto__ key, which a copy would not keep as a key', () => {
    const { result, expected, rendered } = fallback({ metadata: { name: 'n', labels: JSON.parse('{"__proto__": "x"}') as Record<string, string> }, spec: { node: 'a' } });
    expect(rendered).toEqual(['n']);
    expect(result).toStrictEqual(expected);
    expect(JSON.stringify(result)).not.toContain('labels');
  });

  /** A host endpoint of node "a" in `app`, whose resolvers make "a" "REPLACED": rendered through toJson(), and replaced. */
  function expectResolvedThroughToJson(app: App): void {
    const { chart, object } = hostEndpointChart({ metadata, spec: { node: 'a' } }, undefined, app);
    const { result, rendered } = viaToJson(() => chartJson(chart));
    expect(rendered).toEqual(['node-1.eth0']);
    expect(result).toEqual([object.toJson()]);
    expect(JSON.stringify(result)).toContain('"node":"REPLACED"');
  }

  it("goes through toJson() when the App has resolvers of its own, and they apply", () => {
    expectResolvedThroughToJson(new App({ resolvers: [{ resolve: (c) => (c.value === 'a' ? c.replaceValue('REPLACED') : undefined) }] }));
  });

  it('goes through toJson() when a built-in resolver was replaced or changed (found by review)', () => {
    const replaced = (app: App): void => {
      app.resolvers[0] = new (class extends LazyResolver {
        public override resolve(c: ResolutionContext): void {
          if (c.value === 'a') c.replaceValue('REPLACED');
        }
      })();
    };
    const changed = (app: App): void => {
      Object.assign(app.resolvers[1] as object, { resolve: (c: ResolutionContext) => (c.value === 'a' ? c.replaceValue('REPLACED') : undefined) });
    };
    for (const change of [replaced, changed]) {
      const app = new App();
      change(app);
      expectResolvedThroughToJson(app);
    }
  });

  it("goes through toJson() when an object's toJson, its metadata's, or the metadata's object was replaced (found by review)", () => {
    const own = hostEndpointChart({ metadata, spec: { node: 'a' } });
    Object.assign(own.object, { toJson: () => ({ replaced: true }) });
    expect(chartJson(own.chart)).toEqual([{ replaced: true }]);
    const meta = hostEndpointChart({ metadata, spec: { node: 'a' } });
    Object.assign(meta.object.metadata, { toJson: () => ({ name: 'other' }) });
    expect(JSON.stringify(chartJson(meta.chart))).toContain('"metadata":{"name":"other"}');
    const elsewhere = hostEndpointChart({ metadata, spec: { node: 'a' } });
    const app = new App({ resolvers: [{ resolve: (c: ResolutionContext) => (c.value === 'node-1.eth0' ? c.replaceValue('renamed') : undefined) }] });
    const stranger = new ApiObject(new Chart(app, 'other'), 'x', { apiVersion: 'v1', kind: 'ConfigMap' });
    Reflect.set(elsewhere.object.metadata, 'apiObject', stranger);
    expect(chartJson(elsewhere.chart)).toEqual([elsewhere.object.toJson()]);
    expect(JSON.stringify(chartJson(elsewhere.chart))).toContain('"name":"renamed"');
  });

  it('leaves values nested deeper than toJson() can resolve to toJson() (found by review)', () => {
    const nested = (depth: number): Record<string, unknown> => {
      let deep: Record<string, unknown> = { end: 'x' };
      for (let i = 0; i < depth; i++) deep = { deep };
      return deep;
    };
    // The first depth (in steps of 500) at which toJson() runs out of stack here.
    let depth = 500;
    for (; depth < 100_000; depth += 500) {
      const { object } = hostEndpointChart({ metadata, spec: { node: 'a', extra: nested(depth) } });
      try {
        object.toJson();
      } catch {
        break;
      }
    }
    // Twice as deep: toJson() fails there too, and plainJson, with fewer frames, would not.
    const { chart, object } = hostEndpointChart({ metadata, spec: { node: 'a', extra: nested(depth * 2) } });
    expect(() => object.toJson()).toThrow(/Failed serializing construct/);
    expect(() => chartJson(chart)).toThrow(/Failed serializing construct/);
  });

  it('goes through toJson() when strings have a resolve function (found by review)', () => {
    const { chart, object } = hostEndpointChart({ metadata, spec: { node: 'a' } });
    Object.defineProperty(String.prototype, 'resolve', { value: () => 'POLLUTED', configurable: true });
    try {
      const { rendered } = viaToJson(() => {
        try {
          return chartJson(chart);
        } catch {
          return undefined;
        }
      });
      expect(rendered).toEqual(['node-1.eth0']);
    } finally {
      Reflect.deleteProperty(String.prototype, 'resolve');
    }
    expect(chartJson(chart)).toEqual([object.toJson()]);
  });

  it('follows a dependency that a validation adds, as chart.toJson() does (found by review)', () => {
    const chart = new Chart(new App(), 'dependent', { disableResourceNameHashes: true });
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    b.node.addValidation({
      validate: () => {
        a.node.addDependency(b);
        return [];
      },
    });
    const names = (objects: unknown[]): unknown[] => objects.map((o) => (o as { metadata: { name: string } }).metadata.name);
    expect(names(chartJson(chart))).toEqual(['b', 'a']);
  });

  it('fails as chart.toJson() does for a chart outside an App (found by review)', () => {
    const chart = new Chart(new Construct(undefined as unknown as Construct, 'root'), 'c', { disableResourceNameHashes: true });
    new CALICO_KINDS['v3.32'].HostEndpoint(chart, 'h', { metadata, spec: { node: 'a' } });
    let expected = '';
    try {
      chart.toJson();
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).not.toBe('');
    expect(() => chartJson(chart)).toThrow(expected);
  });

  it('fails with the construct path, as toJson() does, for a getter that throws or a cycle', () => {
    const throwing = hostEndpointChart({ metadata, spec: Object.defineProperty({ node: 'a' }, 'interfaceName', { get: () => { throw new Error('boom'); }, enumerable: true }) });
    expect(() => chartJson(throwing.chart)).toThrow(/Failed serializing construct at path 'host-endpoints\/host-endpoint-0' .*boom/);
    const cyclic: Record<string, unknown> = { node: 'a' };
    cyclic.self = cyclic;
    const cycle = hostEndpointChart({ metadata, spec: cyclic });
    expect(() => chartJson(cycle.chart)).toThrow(/Failed serializing construct at path 'host-endpoints\/host-endpoint-0'/);
  });

  it('goes through toJson() for a number-or-string union value, as the policies write ports', () => {
    const { result, expected, rendered } = fallback({ metadata, spec: { node: 'node-1', profiles: [GlobalNetworkPolicySpecIngressDestinationPorts.fromNumber(9091)] } });
    expect(rendered).toEqual(['node-1.eth0']);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).toContain('"profiles":[{"value":9091}]');
  });

  it('fails as toJson() does for a value cdk8s cannot render', () => {
    const { chart } = hostEndpointChart({ metadata, spec: { node: new Date(0) } });
    expect(() => chartJson(chart)).toThrow(/can't render non-simple object of type 'Date'/);
    const bare = hostEndpointChart({ metadata, spec: { node: 'node-1', profiles: [Object.create(null) as object] } });
    expect(() => chartJson(bare.chart)).toThrow(/Failed serializing construct at path 'host-endpoints\/host-endpoint-0'/);
    const functions = hostEndpointChart({ metadata, spec: { node: 'node-1', profiles: [() => 'x'] } });
    expect(chartJson(functions.chart)).toEqual([functions.object.toJson()]);
  });

  it('renders as toJson() does when CDK8S_DISABLE_SORT is set', () => {
    // metadata.toJson() sorts whatever the variable says, and the generated conversion orders
    // the spec: only the order of the keys sanitizeValue sees first could differ.
    const props = { spec: { node: 'node-1', interfaceName: 'eth0' }, metadata: { name: 'n', labels: { zone: 'b', arch: 'x' } } };
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const { chart, object } = hostEndpointChart(props);
      const { result, rendered } = viaToJson(() => chartJson(chart));
      expect(rendered).toEqual([]);
      expect(JSON.stringify(result)).toBe(JSON.stringify([object.toJson()]));
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });
});

describe('synthesizePlan', () => {
  /** A plan of `nodes` nodes with two interfaces each: twice as many host endpoints. */
  function plan(nodes: number, extra: readonly string[] = []): ProtectionPlan {
    const { spec, findings } = parseClusterSpec('clusters/fleet.yaml', 'fleet', Buffer.from(twoInterfaceSpec(nodes, { extra })));
    if (!spec) throw new Error(JSON.stringify(findings[0]));
    return planCluster(spec);
  }

  it('builds the host endpoints in charts of HOST_ENDPOINTS_PER_CHART, with the ids one chart would give them', () => {
    const p = plan(300);
    expect(p.hostEndpoints).toHaveLength(600);
    const builds = chartBuilds(p).find((c) => c.id === 'host-endpoints')?.builds ?? [];
    expect(builds).toHaveLength(Math.ceil(600 / HOST_ENDPOINTS_PER_CHART));
    // Not vacuous: the 600 are in more than one chart.
    expect(builds.length).toBeGreaterThan(1);
    const paths = builds.flatMap((build) => build().node.findAll().filter((n) => n instanceof ApiObject).map((n) => n.node.path));
    expect(paths).toEqual(p.hostEndpoints.map((_, i) => `host-endpoints/host-endpoint-${i}`));
  });

  it('writes the objects one chart of all host endpoints would, in its order', () => {
    const p = plan(300);
    const written = synthesizePlan(p).find((c) => c.chart === 'host-endpoints')?.objects;
    const whole = new HostEndpointsChart(new App(), 'host-endpoints', { plan: p }).toJson();
    expect(whole).toHaveLength(600);
    // Equal values (toEqual ignores key order, which normalize sets), object for object.
    expect(written).toEqual(whole);
    // And every object of the plan, as the charts gave them when the host endpoints were one.
    const asOneChart = chartBuilds(p).flatMap((c) => (c.id === 'host-endpoints' ? [new HostEndpointsChart(new App(), 'host-endpoints', { plan: p })] : c.builds.map((build) => build())));
    expect(synthesizePlan(p).flatMap((c) => c.objects)).toEqual(asOneChart.flatMap((c) => c.toJson()));
  });

  it.each([
    [125, 'v3.32'],
    [126, 'v3.32'],
    [250, 'v3.31'],
    [251, 'v3.30'],
  ])('writes the objects one chart would at %i nodes of Calico %s, at and past the charts\' bounds', (nodes, minor) => {
    const p = plan(nodes, [`  calicoVersion: ${minor}`]);
    expect(p.hostEndpoints).toHaveLength(2 * nodes);
    const builds = chartBuilds(p).find((c) => c.id === 'host-endpoints')?.builds ?? [];
    expect(builds).toHaveLength(Math.ceil((2 * nodes) / HOST_ENDPOINTS_PER_CHART));
    const whole = new HostEndpointsChart(new App(), 'host-endpoints', { plan: p }).toJson();
    expect(synthesizePlan(p).find((c) => c.chart === 'host-endpoints')?.objects).toEqual(whole);
  });

  it('renders each chart before it builds the next, so that no two live at once', () => {
    const events: string[] = [];
    /** A chart whose one object says when it is rendered. */
    const logged = (name: string) => (): Chart => {
      events.push(`build ${name}`);
      const chart = new Chart(new App(), 'logged', { disableResourceNameHashes: true });
      new (class extends ApiObject {
        public override toJson(): unknown {
          events.push(`render ${name}`);
          return super.toJson();
        }
      })(chart, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
      return chart;
    };
    const written = synthesizeCharts([
      { id: 'a', builds: [logged('a1'), logged('a2')] },
      { id: 'b', builds: [logged('b1')] },
    ]);
    expect(events).toEqual(['build a1', 'render a1', 'build a2', 'render a2', 'build b1', 'render b1']);
    expect(written.map((c) => [c.chart, c.objects.map((o) => o.metadata.name)])).toEqual([
      ['a', ['a1', 'a2']],
      ['b', ['b1']],
    ]);
  });

  it('finds two host endpoints of one name in different charts, as in one', () => {
    // 124 nodes of two interfaces and one of one (249 host endpoints before it), then a node
    // whose interfaces "*" and "all-interfaces" both make <node>.all-interfaces.
    const text = twoInterfaceSpec(124).trimEnd() + '\n' + [
      '    - {name: node-z1, interfaces: [{name: eth0, expectedIPs: [10.9.0.1]}]}',
      '    - {name: node-z2, interfaces: [{name: "*", expectedIPs: [10.9.0.2]}, {name: all-interfaces, expectedIPs: [10.9.0.3]}]}',
      '',
    ].join('\n');
    const bytes = Buffer.from(text);
    const { spec } = parseClusterSpec('clusters/fleet.yaml', 'fleet', bytes);
    if (!spec) throw new Error('the spec does not parse');
    const names = planCluster(spec).hostEndpoints.map((h) => h.name);
    const twice = names.flatMap((n, i) => (names.indexOf(n) !== i ? [names.indexOf(n), i] : []));
    // The two are in different charts of HOST_ENDPOINTS_PER_CHART.
    expect(twice.map((i) => Math.floor(i / HOST_ENDPOINTS_PER_CHART))).toEqual([0, 1]);
    const result = compileCluster({ file: 'clusters/fleet.yaml', name: 'fleet', bytes });
    expect(result.findings.filter((f) => f.code === 'name-collision').map((f) => [f.severity, f.message.includes('node-z2.all-interfaces')])).toEqual([['error', true]]);
  });

  it('writes a plan without host endpoints as before: no host endpoints chart', () => {
    const { spec } = parseClusterSpec('clusters/auto-hep.yaml', 'auto-hep', Buffer.from(readSpec('clusters/auto-hep.yaml')));
    if (!spec) throw new Error('auto-hep.yaml does not parse');
    const p = planCluster(spec);
    expect(p.hostEndpoints).toHaveLength(0);
    expect(synthesizePlan(p).map((c) => c.chart)).not.toContain('host-endpoints');
    expect(chartBuilds(p).find((c) => c.id === 'host-endpoints')?.builds).toHaveLength(1);
  });
});
