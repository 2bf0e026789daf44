export interface Page {
  items: readonly (string | undefined)[];
  next: string | undefined;
}

// A store of 50 000 parameters is 1 000 pages; a token that never ends is a bug upstream.
export const MAX_PAGES = 1_000;

/**
 * Calls `fetchPage` until the continuation token is absent. An empty page may still carry
 * a token, so emptiness never ends the loop; only the token (or MAX_PAGES) does.
 */
export async function collectPages(
  fetchPage: (token: string | undefined) => Promise<Page>,
): Promise<string[]> {
  const items: string[] = [];
  let token: string | undefined;
  for (let count = 0; count < MAX_PAGES; count++) {
    const page = await fetchPage(token);
    for (const item of page.items) if (item) items.push(item);
    token = page.next || undefined;
    if (!token) return items;
  }
  throw new Error(`pagination did not end after ${MAX_PAGES} pages`);
}
