import { badRequest, forbidden, MAX_HIERARCHY_DEPTH, MAX_NAME_LENGTH } from '@platform/service-kit';

// SSM's naming rules (PutParameter "Naming Constraints"), the limits shared with the route
// schema's `pattern` (service-kit schemas/parameter-query.ts), here with a reason for each.
export { MAX_HIERARCHY_DEPTH, MAX_NAME_LENGTH };

const ALLOWED_CHARACTERS = /^[A-Za-z0-9_.\-/]+$/;

/** Why `name` is not a valid SSM parameter name, or undefined if it is one. */
export function parameterNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  if (!ALLOWED_CHARACTERS.test(name)) return 'may contain only letters, digits, _ . - and /';
  if (!name.includes('/')) return undefined;
  if (!name.startsWith('/')) return 'a hierarchical name must start with /';
  const levels = name.slice(1).split('/');
  if (levels.some((level) => level.length === 0)) return 'must not contain empty levels (// or a trailing /)';
  if (levels.length > MAX_HIERARCHY_DEPTH) return `must have at most ${MAX_HIERARCHY_DEPTH} levels`;
  return undefined;
}

/** The 400 for a name SSM would reject, saying why. */
export const invalidName = (reason: string) => badRequest(`invalid parameter name: ${reason}`);

/**
 * Checks a requested parameter name before any AWS call: 400 if SSM would reject it,
 * 403 if it lies outside the one path this service may read (defence in depth behind IAM).
 */
export function assertReadableParameter(name: string, allowedPrefix: string): void {
  const problem = parameterNameProblem(name);
  if (problem) throw invalidName(problem);
  if (!name.startsWith(allowedPrefix) || name.length === allowedPrefix.length) {
    throw forbidden(`parameters outside ${allowedPrefix} are not readable by this service`);
  }
}
