// `node --import tsx bench/tracing-cost.ts`: what trace context costs a request when no exporter
// is configured (the default), measured piece by piece in tight loops, where this machine's noise
// (tens of percent between load runs) cannot hide a microsecond: the request's logger made by
// service-kit's tracing factory (continue or start a trace, new span id, `trace_id`/`span_id`
// bindings) against Fastify's default factory (request id only), and main-api's `traceparent`
// header for the call to auxiliary-service. Minimum of ROUNDS rounds, ns per operation.
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { tracedChildLogger } from '../packages/service-kit/src/tracing/request-tracing';
import { Tracing } from '../packages/service-kit/src/tracing/tracing';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const OPERATIONS = Number(process.env.OPERATIONS ?? 200_000);
const logger = pino(
  { base: { service: 'bench', version: 'dev' } },
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  }),
);
const tracing = new Tracing({ name: 'bench', version: 'dev' });
const traced = tracedChildLogger(tracing, new Set(['/healthz']));
const request = (headers: Record<string, string>) =>
  ({ method: 'GET', url: '/parameter?name=/test/apps/x', headers }) as unknown as IncomingMessage;
const plain = request({ host: 'localhost' });
const withParent = request({
  host: 'localhost',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});
const requestId = 'c0a8012e-4d1f-4e4b-9d8a-5b8f1c2d3e4f';
let sink: unknown;

function nsPerOperation(operation: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < OPERATIONS; i++) operation();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / OPERATIONS);
  }
  return best;
}

const figures: [string, number][] = [
  [
    'request logger, Fastify default (request id)',
    nsPerOperation(() => {
      sink = logger.child({ requestId }, {});
    }),
  ],
  [
    'request logger + trace context, new trace',
    nsPerOperation(() => {
      sink = traced.call(undefined as never, logger as never, { requestId }, {}, plain);
    }),
  ],
  [
    'request logger + trace context, caller’s traceparent',
    nsPerOperation(() => {
      sink = traced.call(undefined as never, logger as never, { requestId }, {}, withParent);
    }),
  ],
];
const span = tracing.startServerSpan('GET', withParent.headers, false);
figures.push([
  'traceparent header for the upstream call (main-api)',
  nsPerOperation(() => {
    const headers: Record<string, string> = {};
    tracing.inject(span, headers);
    sink = headers;
  }),
]);
for (const [what, ns] of figures) process.stdout.write(`${what}: ${Math.round(ns)} ns\n`);
void sink;
