// The route schema's `name` rules (a pattern and lengths, service-kit schemas/parameter-query.ts)
// and parameterNameProblem() state SSM's naming rules twice: once for Fastify's validator and the
// OpenAPI document, once with a reason for each refusal. They must accept exactly the same names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PARAMETER_NAME_PATTERN, parameterQuerySchema } from '@platform/service-kit';
import Ajv from 'ajv';
import fc from 'fast-check';
import { MAX_HIERARCHY_DEPTH, MAX_NAME_LENGTH, parameterNameProblem } from '../src/parameter-name';

// Ajv as Fastify configures it for request validation (@fastify/ajv-compiler's defaults).
const ajv = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false });
const validQuery = ajv.compile(parameterQuerySchema());
const schemaAccepts = (name: string) => validQuery({ name });
const codeAccepts = (name: string) => parameterNameProblem(name) === undefined;

const LEVEL_CHARS = [...'abcXYZ019_.-'];
const level = fc.string({ unit: fc.constantFrom(...LEVEL_CHARS), minLength: 1, maxLength: 8 });
/** Characters SSM refuses, including ones regular expressions treat specially. */
const foreign = fc.constantFrom(
  ' ',
  '\n',
  '\r',
  '\t',
  '\0',
  '$',
  '^',
  '*',
  '+',
  '?',
  '\\',
  ':',
  'é',
  'ß',
  '😀',
  '\u2028',
);
const nearMiss = fc.oneof(
  // Hierarchies around the depth limit, sometimes without the leading slash or with empty levels.
  fc
    .record({
      levels: fc.array(fc.oneof({ weight: 8, arbitrary: level }, { weight: 1, arbitrary: fc.constant('') }), {
        minLength: 1,
        maxLength: MAX_HIERARCHY_DEPTH + 2,
      }),
      lead: fc.constantFrom('/', '/', ''),
      trail: fc.constantFrom('', '', '/', '\n'),
    })
    .map(({ levels, lead, trail }) => `${lead}${levels.join('/')}${trail}`),
  // Lengths around the limit.
  fc
    .integer({ min: MAX_NAME_LENGTH - 3, max: MAX_NAME_LENGTH + 3 })
    .chain((length) =>
      fc.constantFrom(`/${'a'.repeat(length - 1)}`, 'b'.repeat(length), `/x/${'c'.repeat(length - 3)}`),
    ),
  // A valid name with one foreign character put somewhere.
  fc.tuple(fc.array(level, { minLength: 1, maxLength: 4 }), foreign, fc.nat()).map(([levels, bad, at]) => {
    const name = `/${levels.join('/')}`;
    const i = at % (name.length + 1);
    return `${name.slice(0, i)}${bad}${name.slice(i)}`;
  }),
);
const anyString = fc.oneof(
  fc.string({ unit: fc.constantFrom(...LEVEL_CHARS, '/'), maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('the route schema and parameterNameProblem agree on every name', () => {
  it('on edge cases', () => {
    const edges = [
      '',
      '/',
      '//',
      'a',
      '/a',
      'a/',
      'a/b',
      '/a/',
      '/a//b',
      '.',
      '/..',
      '/test/apps/config/env_name',
      '/test/apps/config/env_name\n',
      `/${Array(MAX_HIERARCHY_DEPTH).fill('l').join('/')}`,
      `/${Array(MAX_HIERARCHY_DEPTH + 1)
        .fill('l')
        .join('/')}`,
      `/${'a'.repeat(MAX_NAME_LENGTH - 1)}`,
      `/${'a'.repeat(MAX_NAME_LENGTH)}`,
      'a'.repeat(MAX_NAME_LENGTH),
      'a'.repeat(MAX_NAME_LENGTH + 1),
      '/test/apps/😀',
      '/test/apps/a b',
    ];
    for (const name of edges) {
      assert.equal(schemaAccepts(name), codeAccepts(name), JSON.stringify(name).slice(0, 60));
    }
  });

  it('on generated names, valid, nearly valid and arbitrary', () => {
    fc.assert(
      fc.property(fc.oneof(nearMiss, anyString), (name) => {
        assert.equal(schemaAccepts(name), codeAccepts(name), JSON.stringify(name).slice(0, 80));
        // The bare pattern says the same where the lengths allow (the document shows it alone).
        if (name.length >= 1 && name.length <= MAX_NAME_LENGTH) {
          assert.equal(new RegExp(PARAMETER_NAME_PATTERN, 'u').test(name), codeAccepts(name));
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('accepts only one string: a missing or repeated name fails the schema', () => {
    assert.equal(validQuery({}), false);
    assert.equal(validQuery({ name: ['/a', '/b'] }), false);
    assert.equal(validQuery({ name: '/a' }), true);
  });
});
