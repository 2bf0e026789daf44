import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CacheEvent, ExpiringCache } from '../../src/cache/expiring-cache';

class Clock {
  now = 1_000;
  read = () => this.now;
}

const transient = () => true;
const permanent = () => false;

function setup(options: { ttlMs?: number; maxEntries?: number; maxStaleMs?: number } = {}) {
  const clock = new Clock();
  const events: CacheEvent[] = [];
  const cache = new ExpiringCache<string>(
    { ttlMs: 5_000, maxEntries: 10, maxStaleMs: 60_000, ...options, now: clock.read },
    (event) => events.push(event),
  );
  return { clock, events, cache };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ExpiringCache', () => {
  it('serves a fresh entry without loading, and reloads after the TTL', async () => {
    const { clock, cache, events } = setup();
    let loads = 0;
    const load = async () => `v${++loads}`;

    assert.deepEqual(await cache.get('k', load, transient), { value: 'v1', stale: false });
    clock.now += 4_999;
    assert.deepEqual(await cache.get('k', load, transient), { value: 'v1', stale: false });
    clock.now += 1;
    assert.deepEqual(await cache.get('k', load, transient), { value: 'v2', stale: false });
    assert.equal(loads, 2);
    assert.deepEqual(events, ['miss', 'hit', 'miss']);
  });

  it('coalesces concurrent misses into one load and shares its result', async () => {
    const { cache, events } = setup();
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return pending.promise;
    };
    const lookups = Array.from({ length: 50 }, () => cache.get('k', load, transient));
    pending.resolve('value');
    const results = await Promise.all(lookups);
    assert.equal(loads, 1);
    assert.ok(results.every((result) => result.value === 'value'));
    assert.equal(events.filter((event) => event === 'coalesced').length, 49);
  });

  it('shares a failure with every waiter and does not cache it', async () => {
    const { cache } = setup();
    const pending = deferred<string>();
    const lookups = [
      cache.get('k', () => pending.promise, permanent),
      cache.get('k', () => pending.promise, permanent),
    ];
    pending.reject(new Error('down'));
    for (const lookup of lookups) await assert.rejects(lookup, /down/);

    let loads = 0;
    assert.equal((await cache.get('k', async () => `v${++loads}`, permanent)).value, 'v1');
    assert.equal(cache.size, 1);
  });

  it('serves an expired entry, marked stale, when the reload fails transiently', async () => {
    const { clock, cache, events } = setup({ maxStaleMs: 10_000 });
    await cache.get('k', async () => 'old', transient);
    clock.now += 5_000 + 10_000; // expired exactly maxStaleMs ago
    const failing = async (): Promise<string> => {
      throw new Error('throttled');
    };
    assert.deepEqual(await cache.get('k', failing, transient), { value: 'old', stale: true });
    assert.equal(events.at(-1), 'stale');

    clock.now += 1; // now beyond the allowed staleness
    await assert.rejects(cache.get('k', failing, transient), /throttled/);
  });

  it('does not serve stale values for errors that are not transient', async () => {
    const { clock, cache } = setup();
    await cache.get('k', async () => 'old', transient);
    clock.now += 6_000;
    await assert.rejects(
      cache.get(
        'k',
        async () => {
          throw new Error('not found');
        },
        permanent,
      ),
      /not found/,
    );
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const { cache } = setup({ maxEntries: 2 });
    const loads: string[] = [];
    const load = (key: string) => async () => {
      loads.push(key);
      return key;
    };
    await cache.get('a', load('a'), transient);
    await cache.get('b', load('b'), transient);
    await cache.get('a', load('a'), transient); // a is now the most recent
    await cache.get('c', load('c'), transient); // evicts b
    assert.equal(cache.size, 2);
    await cache.get('a', load('a'), transient);
    await cache.get('b', load('b'), transient);
    assert.deepEqual(loads, ['a', 'b', 'c', 'b']);
  });

  it('with a TTL of 0 loads every time and keeps nothing', async () => {
    const { cache } = setup({ ttlMs: 0 });
    let loads = 0;
    const load = async () => `v${++loads}`;
    await Promise.all([cache.get('k', load, transient), cache.get('k', load, transient)]);
    await cache.get('k', load, transient);
    assert.equal(loads, 3);
    assert.equal(cache.size, 0);
  });
});
