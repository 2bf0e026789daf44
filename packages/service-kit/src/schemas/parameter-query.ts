// GET /parameter?name=N, as both services document it: auxiliary-service validates with it,
// main-api forwards the query unchanged and only documents it.

// SSM's naming rules (PutParameter "Naming Constraints"): letters, digits, `_ . -`, and `/`
// between hierarchy levels; a hierarchical name starts with `/`; at most 15 levels; at most
// 1011 characters for a name a user can create.
export const MAX_NAME_LENGTH = 1011;
export const MAX_HIERARCHY_DEPTH = 15;

const LEVEL = '[A-Za-z0-9_.-]+';
/**
 * The same rules as one regular expression: a flat name, or 1–15 `/level`s. auxiliary-service's
 * parameterNameProblem() says in words why a name fails; a property test keeps the two in step.
 */
export const PARAMETER_NAME_PATTERN = `^(?:${LEVEL}|(?:/${LEVEL}){1,${MAX_HIERARCHY_DEPTH}})$`;

export function parameterQuerySchema() {
  return {
    type: 'object',
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        maxLength: MAX_NAME_LENGTH,
        pattern: PARAMETER_NAME_PATTERN,
        description:
          'The SSM parameter to read, given exactly once: letters, digits, `_ . -` and `/`; a ' +
          `hierarchical name starts with \`/\` and has at most ${MAX_HIERARCHY_DEPTH} non-empty levels. ` +
          'Only names under `/<environment>/apps/` are readable (403 otherwise).',
        examples: ['/test/apps/config/env_name'],
      },
    },
  } as const;
}
