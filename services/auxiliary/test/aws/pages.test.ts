import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectPages, MAX_PAGES } from '../../src/aws/pages';

describe('collectPages', () => {
  it('keeps going through empty pages that carry a token', async () => {
    const pages = [
      { items: ['a'], next: 't1' },
      { items: [], next: 't2' },
      { items: [undefined, 'b'], next: '' },
    ];
    const tokens: (string | undefined)[] = [];
    const items = await collectPages(async (token) => {
      tokens.push(token);
      const page = pages[tokens.length - 1];
      assert.ok(page);
      return page;
    });
    assert.deepEqual(items, ['a', 'b']);
    assert.deepEqual(tokens, [undefined, 't1', 't2']);
  });

  it('refuses to loop forever on a token that never ends', async () => {
    let calls = 0;
    await assert.rejects(
      collectPages(async () => {
        calls++;
        return { items: [], next: 'again' };
      }),
      /did not end/,
    );
    assert.equal(calls, MAX_PAGES);
  });
});
