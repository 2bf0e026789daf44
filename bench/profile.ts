// `node --import tsx bench/profile.ts <main|aux|raw_two_hop> [path]`: runs one process under
// `node --cpu-prof` with the benchmark's load (50 connections, 10 s) on it, then prints where its
// CPU time went: self time by function and by package, read through the bundle's source map.
// The emulator and the processes behind the profiled one run as in the benchmark, unprofiled.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningProcess, spawnProcess, waitForHttp } from '../scripts/local/child-process';
import { freePort } from '../scripts/local/free-port';
import { startMoto } from '../scripts/local/moto';
import { seedEnvironment } from '../scripts/local/seed';
import { AUXILIARY_BUNDLE, MAIN_API_BUNDLE, startAuxiliary } from '../scripts/local/services';
import { LOCAL_REGION } from '../scripts/local/stack';
import { generateLoad } from './generate-load';
import { imageNodeOptions } from './image-node-options';

const target = process.argv[2] ?? 'main';
const TWO_HOP_SCRIPT = fileURLToPath(new URL('./raw-two-hop-server.ts', import.meta.url));
const RAW_SCRIPT = fileURLToPath(new URL('./raw-server.ts', import.meta.url));
const TOP = Number(process.env.PROFILE_TOP ?? 30);
// PROFILE_ENV='NAME=value,…' adds settings to the profiled process (e.g. an OTLP endpoint).
const EXTRA_ENV = Object.fromEntries(
  (process.env.PROFILE_ENV ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const running: RunningProcess[] = [];

/** Starts `args` under --cpu-prof (written to `dir` when the process exits) and waits for `readyPath`. */
async function profiled(dir: string, args: string[], env: Record<string, string>, readyPath: string) {
  const port = await freePort();
  const child = spawnProcess(target, process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
      ...EXTRA_ENV,
    },
  });
  running.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}${readyPath}`, child.child);
  return { url, child };
}

/** Self time (ms) per function and per package, attributed through the bundle's source map. */
function summarize(profile: CpuProfile, maps: Map<string, SourceMap | undefined>) {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let where = url ? url.replace(/^file:\/\//, '') : '';
    if (url && !maps.has(url)) {
      const path = `${url.replace(/^file:\/\//, '')}.map`;
      let map: SourceMap | undefined;
      try {
        map = new SourceMap(JSON.parse(readFileSync(path, 'utf8')));
      } catch {
        map = undefined;
      }
      maps.set(url, map);
    }
    const entry = maps.get(url)?.findEntry(lineNumber, columnNumber) as
      | { originalSource?: string; originalLine?: number }
      | undefined;
    if (entry?.originalSource) where = `${entry.originalSource}:${(entry.originalLine ?? 0) + 1}`;
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
      (where.startsWith('node:') || where === ''
        ? `(node ${functionName.startsWith('(') ? functionName : 'internals'})`
        : where.includes('/src/')
          ? '(our code)'
          : where);
    const name = `${functionName || '(anonymous)'} ${where.replace(/^.*node_modules\//, '').replace(/^.*\/(packages|services)\//, '$1/')}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const top = (table: Map<string, number>, count: number) =>
    [...table.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(
        ([name, us]) =>
          `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
      );
  return { totalMs: total / 1000, functions: top(byFunction, TOP), packages: top(byPackage, 15) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cpu-prof-'));
  let url: string;
  let path = process.argv[3];
  let child: RunningProcess;
  if (target === 'raw_two_hop') {
    const backendPort = await freePort();
    const backend = spawnProcess('raw', process.execPath, ['--import', 'tsx', RAW_SCRIPT], {
      env: { PATH: process.env.PATH ?? '', PORT: String(backendPort) },
    });
    running.push(backend);
    await waitForHttp(`http://127.0.0.1:${backendPort}/`, backend.child);
    ({ url, child } = await profiled(
      dir,
      ['--import', 'tsx', TWO_HOP_SCRIPT],
      { BACKEND_URL: `http://127.0.0.1:${backendPort}` },
      '/',
    ));
  } else {
    const moto = await startMoto();
    running.push(moto);
    const seeded = await seedEnvironment({ endpoint: moto.endpoint, region: LOCAL_REGION });
    const awsEnv = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: seeded.serviceUserCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: seeded.serviceUserCredentials.secretAccessKey,
      ENVIRONMENT_NAME: seeded.environment,
    };
    if (target === 'aux') {
      ({ url, child } = await profiled(
        dir,
        [AUXILIARY_BUNDLE],
        { ...awsEnv, ...imageNodeOptions('auxiliary') },
        '/readyz',
      ));
    } else {
      const auxiliary = await startAuxiliary({
        awsEndpoint: moto.endpoint,
        region: LOCAL_REGION,
        credentials: seeded.serviceUserCredentials,
        environment: seeded.environment,
      });
      running.push(auxiliary);
      ({ url, child } = await profiled(
        dir,
        [MAIN_API_BUNDLE],
        { AUXILIARY_URL: auxiliary.url, ...imageNodeOptions('main') },
        '/readyz',
      ));
    }
  }
  path ??= `/parameter?name=${encodeURIComponent('/test/apps/config/env_name')}`;
  const load = await generateLoad({
    url: `${url}${path}`,
    connections: 50,
    warmupSeconds: 2,
    durationSeconds: 10,
  });
  process.stdout.write(
    `${target} ${path}: ${Math.round(load.reqPerSec)} req/s, p99 ${load.p99Ms} ms, ${load.non2xx + load.socketErrors} errors\n`,
  );
  await child.stop(10_000);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const { totalMs, functions, packages } = summarize(
    JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile,
    new Map(),
  );
  process.stdout.write(
    `profile ${join(dir, file)}: ${Math.round(totalMs)} ms of samples (warm-up included)\n\nself time by package:\n${packages.join('\n')}\n\nself time by function:\n${functions.join('\n')}\n`,
  );
}

try {
  await main();
} finally {
  for (const process of running.reverse()) await process.stop(2_000);
}
