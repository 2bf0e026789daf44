// The Node.js options a service's container image sets (`ENV NODE_OPTIONS=…` in its Dockerfile),
// read from the Dockerfile itself so that the benchmark runs the bundles as the images do.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DOCKERFILES = {
  auxiliary: fileURLToPath(new URL('../services/auxiliary/Dockerfile', import.meta.url)),
  main: fileURLToPath(new URL('../services/main-api/Dockerfile', import.meta.url)),
} as const;

/** `{ NODE_OPTIONS }` as the service's image sets it, or nothing if the image sets none. */
export function imageNodeOptions(service: keyof typeof DOCKERFILES): Record<string, string> {
  const dockerfile = readFileSync(DOCKERFILES[service], 'utf8');
  const value = /^ENV NODE_OPTIONS=("[^"]*"|\S+)/m.exec(dockerfile)?.[1]?.replace(/^"|"$/g, '');
  return value ? { NODE_OPTIONS: value } : {};
}
