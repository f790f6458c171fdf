/**
 * objectMetadata: the annotations of a stage are made once and shared by every object of it
 * (10,000 host endpoints), which is safe only because cdk8s copies them into each object's own
 * metadata (cdk8s 2.70.106 lib/metadata.js:52).
 */
import { App, Chart } from 'cdk8s';
import { HostEndpoint } from '../../imports/hostendpoint-projectcalico.org';
import {
  COMPARE_OPTIONS_ANNOTATION,
  FLUX_PRUNE_ANNOTATION,
  FLUX_SSA_ANNOTATION,
  GENERATOR_ANNOTATION,
  MANAGED_BY_LABEL,
  objectMetadata,
  SYNC_OPTIONS_ANNOTATION,
  SYNC_WAVE_ANNOTATION,
} from '../../lib/charts/metadata';
import { GENERATOR_NAME } from '../../lib/version';

describe('objectMetadata', () => {
  test('each stage has its wave, and shared objects their sync and prune options', () => {
    expect(objectMetadata({ name: 'a', stage: 'policies' }).annotations).toEqual({ [GENERATOR_ANNOTATION]: GENERATOR_NAME, [SYNC_WAVE_ANNOTATION]: '1' });
    expect(objectMetadata({ name: 'a', stage: 'host-endpoints' }).annotations).toEqual({ [GENERATOR_ANNOTATION]: GENERATOR_NAME, [SYNC_WAVE_ANNOTATION]: '2' });
    expect(objectMetadata({ name: 'default', stage: 'configuration', sharedObject: true }).annotations).toEqual({
      [GENERATOR_ANNOTATION]: GENERATOR_NAME,
      [SYNC_WAVE_ANNOTATION]: '3',
      [SYNC_OPTIONS_ANNOTATION]: 'ServerSideApply=true,Prune=false,Delete=false',
      [COMPARE_OPTIONS_ANNOTATION]: 'IgnoreExtraneous',
      [FLUX_PRUNE_ANNOTATION]: 'disabled',
      [FLUX_SSA_ANNOTATION]: 'Merge',
    });
    // Same stage, shared or not: not the same annotations.
    expect(objectMetadata({ name: 'default', stage: 'host-endpoints', sharedObject: true }).annotations).toHaveProperty([FLUX_PRUNE_ANNOTATION], 'disabled');
    expect(objectMetadata({ name: 'a', stage: 'host-endpoints' }).annotations).not.toHaveProperty([FLUX_PRUNE_ANNOTATION]);
  });

  test("a stage's annotations are one frozen object; an object's own annotations come first and lose to the stage's", () => {
    const a = objectMetadata({ name: 'a', stage: 'host-endpoints', labels: { x: '1' } });
    const b = objectMetadata({ name: 'b', stage: 'host-endpoints', labels: { y: '2' } });
    expect(a.annotations).toBe(b.annotations);
    expect(Object.isFrozen(a.annotations)).toBe(true);
    const own = objectMetadata({ name: 'c', stage: 'policies', annotations: { 'calico-shield/note': 'n', [SYNC_WAVE_ANNOTATION]: '9' } });
    expect(Object.entries(own.annotations ?? {})).toEqual([
      ['calico-shield/note', 'n'],
      [SYNC_WAVE_ANNOTATION, '1'],
      [GENERATOR_ANNOTATION, GENERATOR_NAME],
    ]);
    // Labels stay each object's own.
    expect(a.labels).toEqual({ x: '1', [MANAGED_BY_LABEL]: GENERATOR_NAME });
    expect(b.labels).toEqual({ y: '2', [MANAGED_BY_LABEL]: GENERATOR_NAME });
    expect(a.labels).not.toBe(b.labels);
  });

  test('an annotation added to one object reaches neither the others nor the next object', () => {
    const chart = new Chart(new App(), 'c');
    const first = new HostEndpoint(chart, 'first', { metadata: objectMetadata({ name: 'first', stage: 'host-endpoints' }), spec: { node: 'n1', interfaceName: 'eth0' } });
    const second = new HostEndpoint(chart, 'second', { metadata: objectMetadata({ name: 'second', stage: 'host-endpoints' }), spec: { node: 'n2', interfaceName: 'eth0' } });
    first.metadata.addAnnotation('calico-shield/only-first', 'yes');
    const third = new HostEndpoint(chart, 'third', { metadata: objectMetadata({ name: 'third', stage: 'host-endpoints' }), spec: { node: 'n3', interfaceName: 'eth0' } });
    expect(first.toJson().metadata.annotations).toHaveProperty(['calico-shield/only-first'], 'yes');
    for (const o of [second, third]) {
      expect(o.toJson().metadata.annotations).toEqual({ [GENERATOR_ANNOTATION]: GENERATOR_NAME, [SYNC_WAVE_ANNOTATION]: '2' });
    }
    expect(objectMetadata({ name: 'fourth', stage: 'host-endpoints' }).annotations).not.toHaveProperty(['calico-shield/only-first']);
  });
});
