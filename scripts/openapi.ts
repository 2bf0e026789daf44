// Writes the OpenAPI documents the services serve at /openapi.json to docs/openapi/, from both
// apps built in-process (nothing listens, no AWS call is made): `npm run openapi`.
// test/docs/openapi.test.ts fails when a committed copy differs from what a service serves.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENAPI_PATH } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildAuxiliary } from '../services/auxiliary/src/app';
import { loadAuxiliaryConfig } from '../services/auxiliary/src/config';
import { buildApp as buildMainApi } from '../services/main-api/src/app';
import { loadMainConfig } from '../services/main-api/src/config';

export const DOCUMENTS_DIR = fileURLToPath(new URL('../docs/openapi/', import.meta.url));
export const SERVICES = ['auxiliary-service', 'main-api'] as const;
export type ServiceName = (typeof SERVICES)[number];
type Document = Record<string, unknown>;

async function served(app: FastifyInstance): Promise<Document> {
  try {
    const response = await app.inject(OPENAPI_PATH);
    if (response.statusCode !== 200) throw new Error(`${OPENAPI_PATH} answered ${response.statusCode}`);
    return response.json();
  } finally {
    await app.close();
  }
}

/** What each service serves at /openapi.json, built with `version` as its VERSION. */
export async function servedDocuments(version = 'dev'): Promise<Record<ServiceName, Document>> {
  const common = { LOG_LEVEL: 'silent', VERSION: version };
  const auxiliary = await buildAuxiliary(
    loadAuxiliaryConfig({ ...common, AWS_REGION: 'eu-west-1', ENVIRONMENT_NAME: 'test' }),
  );
  const main = await buildMainApi(loadMainConfig({ ...common, AUXILIARY_URL: 'http://127.0.0.1:8001' }));
  return { 'auxiliary-service': await served(auxiliary.app), 'main-api': await served(main.app) };
}

export const documentPath = (service: ServiceName) => resolve(DOCUMENTS_DIR, `${service}.json`);

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const documents = await servedDocuments();
  const paths = SERVICES.map((service) => {
    writeFileSync(documentPath(service), `${JSON.stringify(documents[service], null, 2)}\n`);
    return documentPath(service);
  });
  // Committed files pass `biome check`: let it lay the JSON out its way.
  const biome = spawnSync('npx', ['biome', 'format', '--write', ...paths], { stdio: 'inherit' });
  if (biome.status !== 0) process.exit(biome.status ?? 1);
  for (const path of paths) console.log(`wrote ${path}`);
}
