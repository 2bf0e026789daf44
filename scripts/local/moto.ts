import { spawnSync } from 'node:child_process';
import { type RunningProcess, spawnProcess, waitForHttp } from './child-process';
import { freePort } from './free-port';

export interface Moto extends RunningProcess {
  endpoint: string;
  port: number;
}

export const MOTO_INSTALL_HINT =
  "moto_server (the local AWS emulator) was not found: install it with pip install 'moto[server]>=5,<6'";

export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

/** Starts moto_server on 127.0.0.1 (a free port unless one is given) and waits until it answers. */
export async function startMoto(
  port?: number,
  onLine?: (line: string) => void,
  env: Record<string, string> = {},
): Promise<Moto> {
  if (!motoAvailable()) throw new Error(MOTO_INSTALL_HINT);
  const chosen = port ?? (await freePort());
  const process = spawnProcess('moto', 'moto_server', ['-H', '127.0.0.1', '-p', String(chosen)], {
    env: { ...globalThis.process.env, PYTHONUNBUFFERED: '1', ...env },
    ...(onLine ? { onLine } : {}),
  });
  const endpoint = `http://127.0.0.1:${chosen}`;
  await waitForHttp(`${endpoint}/moto-api/`, process.child, 30_000);
  return { ...process, endpoint, port: chosen };
}
