import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallBudget } from '../../src/aws/call-budget';

function budget(options: { ratePerSecond?: number; burst?: number; readinessReserve?: number } = {}) {
  let clock = 0;
  const value = new CallBudget({
    ratePerSecond: options.ratePerSecond ?? 1,
    burst: options.burst ?? 10,
    readinessReserve: options.readinessReserve ?? 1,
    now: () => clock,
  });
  return { budget: value, advance: (ms: number) => (clock += ms) };
}

const takeAll = (value: CallBudget, priority: 'request' | 'readiness') => {
  let taken = 0;
  while (value.tryTake(priority)) taken++;
  return taken;
};

describe('CallBudget', () => {
  it('allows a burst, then the sustained rate, however many callers ask', () => {
    const { budget: value, advance } = budget({ ratePerSecond: 2, burst: 10, readinessReserve: 1 });
    assert.equal(takeAll(value, 'request'), 9, 'the burst less the readiness reserve');
    let taken = 0;
    for (let second = 0; second < 10; second++) {
      advance(1_000);
      taken += takeAll(value, 'request');
    }
    assert.equal(taken, 20, '2 per second for 10 s');
  });

  it('keeps its reserve for readiness when requests have spent the rest', () => {
    const { budget: value } = budget({ burst: 3, readinessReserve: 1 });
    assert.equal(takeAll(value, 'request'), 2);
    assert.equal(value.tryTake('readiness'), true);
    assert.equal(value.tryTake('readiness'), false);
  });

  it('charges SDK retries as debt, which delays the next calls', () => {
    const { budget: value, advance } = budget({ ratePerSecond: 1, burst: 4, readinessReserve: 1 });
    assert.equal(value.tryTake('request'), true);
    value.charge(2); // the call above took 3 attempts
    assert.equal(value.available(), 1);
    assert.equal(value.tryTake('request'), false);
    value.charge(100);
    assert.equal(value.available(), -4, 'debt is capped at one burst');
    advance(5_000);
    assert.equal(value.tryTake('request'), false);
    advance(1_000);
    assert.equal(value.tryTake('request'), true);
  });

  it('tells how long until a request could be served again', () => {
    const { budget: value, advance } = budget({ ratePerSecond: 0.5, burst: 2, readinessReserve: 1 });
    assert.equal(value.tryTake('request'), true);
    assert.equal(value.retryAfterSeconds(), 2);
    advance(1_500);
    assert.equal(value.retryAfterSeconds(), 1);
    advance(500);
    assert.equal(value.tryTake('request'), true);
  });
});
