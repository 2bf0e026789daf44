import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withDeadline } from '../src/deadline';

describe('withDeadline', () => {
  it('passes the result through and leaves the signal unaborted', async () => {
    let seen: AbortSignal | undefined;
    const result = await withDeadline(1_000, async (signal) => {
      seen = signal;
      return 42;
    });
    assert.equal(result, 42);
    assert.equal(seen?.aborted, false);
  });

  it('aborts the signal with a TimeoutError once the deadline passes', async () => {
    const keepAlive = setTimeout(() => {}, 5_000); // the deadline's own timer is unref'd
    const started = Date.now();
    const reason = await withDeadline(
      50,
      (signal) =>
        new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason))),
    );
    clearTimeout(keepAlive);
    assert.ok(reason instanceof DOMException && reason.name === 'TimeoutError');
    assert.ok(Date.now() - started >= 45);
  });

  it('disarms the timer when the work fails', async () => {
    let seen: AbortSignal | undefined;
    await assert.rejects(
      withDeadline(30, async (signal) => {
        seen = signal;
        throw new Error('boom');
      }),
      /boom/,
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(seen?.aborted, false, 'no abort after the call settled');
  });
});
