import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryBackoff } from '../../src/aws/clients';

describe('retryBackoff', () => {
  it('keeps all waits of one operation within half its budget', () => {
    for (const [budget, attempts] of [
      [3_000, 3],
      [1_000, 3],
      [3_000, 10],
      [100, 2],
    ] as const) {
      const backoff = retryBackoff({ AWS_TIMEOUT_MS: budget, AWS_MAX_ATTEMPTS: attempts });
      for (let trial = 0; trial < 200; trial++) {
        let total = 0;
        for (let retry = 1; retry < attempts; retry++) total += backoff(retry);
        assert.ok(total <= budget / 2, `budget ${budget}, ${attempts} attempts: waited ${total} ms`);
      }
    }
  });

  it('is jittered, not a fixed delay', () => {
    const backoff = retryBackoff({ AWS_TIMEOUT_MS: 3_000, AWS_MAX_ATTEMPTS: 3 });
    const delays = new Set(Array.from({ length: 50 }, () => backoff(2)));
    assert.ok(delays.size > 10);
  });
});
