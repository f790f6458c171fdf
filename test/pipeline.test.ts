/**
 * compileCluster's one hook for the CLI's garbage collection: called once, after the charts
 * (the stage that leaves the most garbage), and not at all when the spec does not parse.
 */
import * as fs from 'fs';
import * as synth from '../lib/charts/synth';
import * as parse from '../lib/spec/parse';
import { compileCluster } from '../lib/pipeline';
import { EXAMPLES } from './support/paths';

describe('compileCluster betweenStages', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is called once, right after the charts are rendered', () => {
    const events: string[] = [];
    const parseSpec = parse.parseClusterSpec;
    const synthesize = synth.synthesizePlan;
    jest.spyOn(parse, 'parseClusterSpec').mockImplementation((...args) => (events.push('parse'), parseSpec(...args)));
    jest.spyOn(synth, 'synthesizePlan').mockImplementation((...args) => (events.push('charts'), synthesize(...args)));
    const bytes = fs.readFileSync(`${EXAMPLES}/example.yaml`);
    const result = compileCluster({ file: 'clusters/example.yaml', name: 'example', bytes }, { betweenStages: () => events.push('collect') });
    expect(result.files?.length).toBeGreaterThan(0);
    expect(events).toEqual(['parse', 'charts', 'collect']);
  });

  it('is not called for a spec that does not parse', () => {
    const betweenStages = jest.fn();
    const result = compileCluster({ file: 'clusters/bad.yaml', name: 'bad', bytes: Buffer.from('spec: [') }, { betweenStages });
    expect(result.findings.length).toBeGreaterThan(0);
    expect(betweenStages).not.toHaveBeenCalled();
  });
});
