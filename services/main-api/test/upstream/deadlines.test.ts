import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadlines } from '../../src/upstream/deadlines';

describe('Deadlines', () => {
  it('expires calls that outlive the budget, in start order, within one tick', async () => {
    const deadlines = new Deadlines(100);
    const expired: string[] = [];
    const started = performance.now();
    const at: number[] = [];
    deadlines.add(() => {
      expired.push('a');
      at.push(performance.now() - started);
    });
    await sleep(20);
    deadlines.add(() => {
      expired.push('b');
      at.push(performance.now() - started);
    });
    await sleep(200);
    assert.deepEqual(expired, ['a', 'b']);
    assert.ok((at[0] ?? 0) >= 100 && (at[0] ?? 0) < 160, `first expired after ${at[0]} ms`);
    assert.ok((at[1] ?? 0) >= 120, `second expired after ${at[1]} ms, not with the first`);
    deadlines.stop();
  });

  it('never expires a call removed in time', async () => {
    const deadlines = new Deadlines(50);
    let fired = false;
    const deadline = deadlines.add(() => {
      fired = true;
    });
    await sleep(10);
    deadlines.remove(deadline);
    await sleep(100);
    assert.equal(fired, false);
    deadlines.stop();
  });

  it('stops its timer when idle and starts it again for the next call', async () => {
    const deadlines = new Deadlines(20);
    let expired = 0;
    deadlines.add(() => expired++);
    await sleep(80);
    assert.equal(expired, 1);
    await sleep(50); // idle: the sweep found nothing in flight and stopped
    deadlines.add(() => expired++);
    await sleep(80);
    assert.equal(expired, 2, 'the second call expired too');
    deadlines.stop();
  });
});
