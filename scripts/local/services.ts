import { fileURLToPath } from 'node:url';
import { type RunningProcess, spawnProcess, waitForHttp } from './child-process';
import { freePort } from './free-port';

export const AUXILIARY_BUNDLE = fileURLToPath(
  new URL('../../services/auxiliary/dist/server.mjs', import.meta.url),
);
export const MAIN_API_BUNDLE = fileURLToPath(
  new URL('../../services/main-api/dist/server.mjs', import.meta.url),
);

export interface ServiceProcess extends RunningProcess {
  url: string;
  port: number;
}

interface CommonOptions {
  /** 0 or absent: a free port. */
  port?: number;
  env?: Record<string, string>;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

// Only what a service needs from the parent environment: no stray AWS_* settings leak in.
const BASE_ENV = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', SHUTDOWN_DELAY_MS: '0' };

async function startBundle(
  name: string,
  bundle: string,
  options: CommonOptions,
  env: Record<string, string>,
) {
  const port = options.port || (await freePort());
  const child = spawnProcess(name, process.execPath, [bundle], {
    env: { ...BASE_ENV, HOST: '127.0.0.1', PORT: String(port), ...env, ...options.env },
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, child.child);
  } catch (error) {
    await child.stop(0);
    throw error;
  }
  return { ...child, url, port };
}

export interface AuxiliaryOptions extends CommonOptions {
  awsEndpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  environment?: string;
}

export function startAuxiliary(options: AuxiliaryOptions): Promise<ServiceProcess> {
  return startBundle('auxiliary-service', AUXILIARY_BUNDLE, options, {
    AWS_ENDPOINT_URL: options.awsEndpoint,
    AWS_REGION: options.region,
    AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
    ENVIRONMENT_NAME: options.environment ?? 'test',
  });
}

export interface MainApiOptions extends CommonOptions {
  auxiliaryUrl: string;
}

export function startMainApi(options: MainApiOptions): Promise<ServiceProcess> {
  return startBundle('main-api', MAIN_API_BUNDLE, options, { AUXILIARY_URL: options.auxiliaryUrl });
}
