import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KnownParameterNames, type RefreshReason } from '../src/known-names';

function knownNames(listing: () => Promise<string[]>, refreshIntervalMs = 5_000) {
  let clock = 0;
  const refreshes: { reason: RefreshReason; outcome: string }[] = [];
  const checks = { known: 0, unknown: 0 };
  let lists = 0;
  const names = new KnownParameterNames(
    () => {
      lists++;
      return listing();
    },
    { refreshIntervalMs, now: () => clock },
    {
      checked: (known) => checks[known ? 'known' : 'unknown']++,
      refreshed: (reason, outcome) => refreshes.push({ reason, outcome }),
    },
  );
  return { names, refreshes, checks, lists: () => lists, advance: (ms: number) => (clock += ms) };
}

describe('KnownParameterNames', () => {
  it('answers any number of distinct unknown names with at most one listing per interval', async () => {
    const { names, lists, advance, refreshes, checks } = knownNames(async () => ['/test/apps/a']);
    const first = await Promise.all(Array.from({ length: 500 }, (_, i) => names.has(`/test/apps/x${i}`)));
    assert.ok(first.every((known) => !known));
    assert.equal(lists(), 1, 'concurrent first lookups share one listing');

    for (let step = 0; step < 100; step++) {
      advance(100); // 10 s in 100 ms steps, 20 unknown names per step
      await Promise.all(Array.from({ length: 20 }, (_, i) => names.has(`/test/apps/y${step}-${i}`)));
    }
    assert.equal(lists(), 3, 'one listing at start, then one per 5 s interval');
    assert.deepEqual(
      refreshes.map((refresh) => refresh.reason),
      ['first_lookup', 'unknown_name', 'unknown_name'],
    );
    assert.equal(checks.unknown, 2_500);
    assert.equal(await names.has('/test/apps/a'), true);
    assert.equal(lists(), 3, 'a known name costs no listing');
  });

  it('makes a parameter created after the listing readable within the interval', async () => {
    const existing = ['/test/apps/a'];
    const { names, advance } = knownNames(async () => [...existing], 2_000);
    assert.equal(await names.has('/test/apps/new'), false);
    existing.push('/test/apps/new');
    advance(1_999);
    assert.equal(await names.has('/test/apps/new'), false, 'not before the interval');
    advance(1);
    assert.equal(await names.has('/test/apps/new'), true);
  });

  it('keeps the previous listing when a refresh fails', async () => {
    let fail = false;
    const { names, advance, refreshes } = knownNames(async () => {
      if (fail) throw new Error('SSM down');
      return ['/test/apps/a'];
    });
    assert.equal(await names.has('/test/apps/a'), true);
    fail = true;
    advance(5_000);
    assert.equal(await names.has('/test/apps/b'), false);
    assert.equal(await names.has('/test/apps/a'), true);
    assert.deepEqual(refreshes.at(-1), { reason: 'unknown_name', outcome: 'failure' });
  });

  it('without any listing, fails with the listing error and retries once a second', async () => {
    let fail = true;
    const { names, lists, advance } = knownNames(async () => {
      if (fail) throw new Error('denied');
      return ['/test/apps/a'];
    });
    for (let i = 0; i < 50; i++) await assert.rejects(names.has(`/test/apps/${i}`), /denied/);
    assert.equal(lists(), 1);
    advance(999);
    await assert.rejects(names.has('/test/apps/z'), /denied/);
    assert.equal(lists(), 1);
    advance(1);
    fail = false;
    assert.equal(await names.has('/test/apps/a'), true, 'recovers a second after the failure');
    assert.equal(lists(), 2);
    advance(1_000);
    assert.equal(await names.has('/test/apps/b'), false);
    assert.equal(lists(), 2, 'after a success, the full interval again');
  });

  it('forgets a name that no longer exists until the next listing', async () => {
    const { names, lists } = knownNames(async () => ['/test/apps/a']);
    assert.equal(await names.has('/test/apps/a'), true);
    names.forget('/test/apps/a');
    assert.equal(await names.has('/test/apps/a'), false);
    assert.equal(lists(), 1, 'within the interval: no new listing');
  });
});
