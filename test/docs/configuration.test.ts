// The README's configuration tables and the services' configuration schemas name the same
// variables with the same defaults: a variable added, renamed or re-defaulted in one place only
// fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configSchema as auxSchema, loadAuxiliaryConfig } from '../../services/auxiliary/src/config';
import { loadMainConfig, configSchema as mainSchema } from '../../services/main-api/src/config';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## The local run'));
const rows = new Map(
  [...section.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+) \|/gm)].map((match) => [
    match[1] ?? '',
    (match[2] ?? '').trim(),
  ]),
);

const aux = loadAuxiliaryConfig({ ENVIRONMENT_NAME: 'test', AWS_REGION: 'eu-west-1' });
const main = loadMainConfig({ AUXILIARY_URL: 'http://127.0.0.1:1' });

/** The backticked defaults of a cell: `8001` / `8000` gives two, `0` (none) one, required none. */
const documentedDefaults = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((match) => match[1]);

describe('README configuration tables', () => {
  it('document every variable each service reads, and nothing else', () => {
    // The schemas' keys: optional variables without a default are absent from a parsed config.
    const read = new Set([
      ...Object.keys(auxSchema.shape),
      ...Object.keys(mainSchema.shape),
      ...Object.keys(aux),
    ]);
    assert.deepEqual(
      [...read].filter((name) => !rows.has(name)),
      [],
      'read but not documented',
    );
    assert.deepEqual(
      [...rows.keys()].filter((name) => !read.has(name)),
      [],
      'documented but not read',
    );
  });

  it('give the defaults the schemas apply', () => {
    for (const [name, cell] of rows) {
      const values = [aux, main]
        .filter((config) => name in config)
        .map((config) => config[name as keyof typeof config] as unknown);
      const documented = documentedDefaults(cell);
      // Derived (`/<ENVIRONMENT_NAME>/apps/`), list-valued or required: described in words.
      if (documented.length === 0 || values.some((value) => typeof value === 'object') || cell.includes('<'))
        continue;
      const expected = [...new Set(values.map(String))];
      assert.deepEqual(documented, expected, `${name}: README says ${cell}`);
    }
  });
});
