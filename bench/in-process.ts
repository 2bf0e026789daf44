// `node --import tsx bench/in-process.ts`: CPU time per request of each service's own pipeline,
// measured in one process with no load generator beside it: auxiliary-service's warm
// `/parameter` (AWS answered by SDK mocks, then the cache) and main-api's `/parameter` (through
// its real upstream client to a bare node:http auxiliary stand-in on loopback), each driven by
// Fastify's `inject`. Access-log lines are serialized at `info` and discarded. Prints the minimum
// and median of ROUNDS rounds: on a shared machine the minimum is the least disturbed figure.
// ONLY=aux|main measures one service; LOG_LEVEL=warn prices the access log.
// It reads only each service's buildApp, so the same file can be run in an older checkout (A/B).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildAuxiliary } from '../services/auxiliary/src/app';
import { loadAuxiliaryConfig } from '../services/auxiliary/src/config';
import { buildApp as buildMainApi } from '../services/main-api/src/app';
import { loadMainConfig } from '../services/main-api/src/config';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const REQUESTS = Number(process.env.REQUESTS ?? 10_000);
const NAME = '/test/apps/config/env_name';
const URL_PATH = `/parameter?name=${encodeURIComponent(NAME)}`;
const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
// Shedding off: the harness itself is the event loop's load.
const common = {
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  VERSION: 'bench',
  LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
};

async function auxiliaryApp(): Promise<FastifyInstance> {
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const ssm = new SSMClient({ region: 'eu-west-1', credentials });
  const ssmMock = mockClient(ssm);
  ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: NAME }] });
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: 'test' } });
  const config = loadAuxiliaryConfig({ ...common, ENVIRONMENT_NAME: 'test', AWS_REGION: 'eu-west-1' });
  const { app } = await buildAuxiliary(config, {
    clients: { ssm, s3: new S3Client({ region: 'eu-west-1', credentials }) },
    logStream: discard(),
  });
  return app;
}

/** What main-api forwards to: a bare server answering a fixed /parameter body. */
async function standIn(): Promise<{ url: string; close(): void }> {
  const body = JSON.stringify({ auxiliary_version: 'bench', name: NAME, value: 'test' });
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** µs of CPU (user + system) per request over REQUESTS requests, 64 in flight. */
async function round(app: FastifyInstance): Promise<number> {
  const started = process.cpuUsage();
  let next = 0;
  const worker = async () => {
    while (next++ < REQUESTS) {
      const response = await app.inject({ method: 'GET', url: URL_PATH });
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / REQUESTS;
}

async function measure(name: string, app: FastifyInstance): Promise<void> {
  await round(app); // warm-up: JIT, cache, connections
  const figures: number[] = [];
  for (let i = 0; i < ROUNDS; i++) figures.push(await round(app));
  figures.sort((a, b) => a - b);
  const median = figures[Math.floor(figures.length / 2)] ?? 0;
  process.stdout.write(
    `${name}: min ${figures[0]?.toFixed(1)} µs, median ${median.toFixed(1)} µs per request (${ROUNDS} × ${REQUESTS})\n`,
  );
}

// ONLY=aux or ONLY=main measures one service.
const only = process.env.ONLY;
if (only !== 'main') {
  const auxiliary = await auxiliaryApp();
  await measure('auxiliary-service /parameter (warm)', auxiliary);
  await auxiliary.close();
}
if (only === 'aux') process.exit(0);
const upstream = await standIn();
const { app: mainApi } = await buildMainApi(loadMainConfig({ ...common, AUXILIARY_URL: upstream.url }), {
  logStream: discard(),
});
await measure('main-api /parameter (with its upstream call)', mainApi);
await mainApi.close();
upstream.close();
