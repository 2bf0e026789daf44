import { z } from 'zod';

/** GET /parameter?name=…: exactly one `name`. Its SSM naming rules are checked in parameter-name.ts. */
export const parameterQuery = z.object({
  name: z.string({ error: 'query parameter "name" is required, exactly once' }),
});
