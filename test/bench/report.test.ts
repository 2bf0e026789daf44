import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRatios, type Baseline, type CaseResult } from '../../bench/report';

const run = (name: string, baseline: Baseline, reqPerSec: number): CaseResult =>
  ({ name, baseline, reqPerSec, p99Ms: 10, ratio: 0 }) as CaseResult;

describe('bench ratios', () => {
  it('divide by the mean of all the reference’s runs, and (paired) by the run just before', () => {
    const results = [
      run('raw', 'raw', 10_000),
      run('raw_again', 'raw', 6_000),
      run('aux_parameter_warm', 'raw', 3_000),
      run('raw_two_hop', 'raw_two_hop', 4_000),
      run('main_parameter_warm', 'raw_two_hop', 2_000),
      run('raw_again', 'raw', 8_000),
    ];
    const references = applyRatios(results);
    assert.equal(references.raw?.meanReqPerSec, 8_000);
    assert.equal(references.raw?.spread, 0.5);
    const [, , aux, , main] = results;
    assert.equal(aux?.ratio, 3_000 / 8_000);
    assert.equal(aux?.pairedRatio, 3_000 / 6_000);
    assert.equal(main?.ratio, 0.5);
    assert.equal(main?.pairedRatio, 0.5);
    assert.equal(results[0]?.pairedRatio, undefined, 'a reference run has no paired ratio');
  });

  it('leaves the paired ratio out when no reference ran before the case', () => {
    const results = [run('aux_parameter_warm', 'raw', 3_000), run('raw', 'raw', 6_000)];
    applyRatios(results);
    assert.equal(results[0]?.ratio, 0.5);
    assert.equal(results[0]?.pairedRatio, undefined);
  });
});
