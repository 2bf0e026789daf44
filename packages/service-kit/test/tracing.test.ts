import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { baseConfigShape, ConfigError, createService, loadConfig } from '../src/index';
import { spanExportFrom } from '../src/tracing/config';

const schema = z.object(baseConfigShape(8000));
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

async function service(spanProcessor?: SimpleSpanProcessor) {
  const lines: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).trim().split('\n')) lines.push(JSON.parse(line));
      done();
    },
  });
  const { app } = await createService({
    name: 'kit',
    config: loadConfig(schema, { VERSION: 'kit-v', LOG_LEVEL: 'info' }),
    versionFields: { kit_version: 'kit-v' },
    openapi: { title: 'kit', version: '1.0.0', description: 'test service' },
    logStream,
    ...(spanProcessor ? { spanProcessor } : {}),
  });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('internal');
  });
  const completed = (requestId: string) => {
    const line = lines.find((l) => l.requestId === requestId && l.msg === 'request completed');
    assert.ok(line, `an access-log line for ${requestId}`);
    return line as { trace_id: string; span_id: string };
  };
  return { app, completed };
}

describe('trace context without an exporter', async () => {
  const { app, completed } = await service();
  after(() => app.close());

  it('continues the caller’s trace: same trace id, a span id of its own, on the log line', async () => {
    const response = await app.inject({
      url: '/ok',
      headers: { traceparent: `00-${TRACE}-${PARENT}-01`, 'x-request-id': 'r-continue' },
    });
    assert.equal(response.statusCode, 200);
    const line = completed('r-continue');
    assert.equal(line.trace_id, TRACE);
    assert.match(line.span_id, HEX16);
    assert.notEqual(line.span_id, PARENT);
  });

  it('starts a new trace when there is no traceparent, or an invalid one', async () => {
    await app.inject({ url: '/ok', headers: { 'x-request-id': 'r-new-1' } });
    await app.inject({ url: '/ok', headers: { 'x-request-id': 'r-new-2' } });
    await app.inject({
      url: '/ok',
      headers: { 'x-request-id': 'r-invalid', traceparent: `00-${'0'.repeat(32)}-${PARENT}-01` },
    });
    const [first, second, invalid] = ['r-new-1', 'r-new-2', 'r-invalid'].map(completed);
    for (const line of [first, second, invalid]) {
      assert.match(line?.trace_id ?? '', HEX32);
      assert.notEqual(line?.trace_id, '0'.repeat(32));
    }
    assert.notEqual(first?.trace_id, second?.trace_id);
  });

  it('puts trace ids on error lines too', async () => {
    await app.inject({
      url: '/boom',
      headers: { 'x-request-id': 'r-boom', traceparent: `00-${TRACE}-${PARENT}-00` },
    });
    assert.equal(completed('r-boom').trace_id, TRACE);
  });
});

describe('spans, when recorded', async () => {
  const exporter = new InMemorySpanExporter();
  const { app, completed } = await service(new SimpleSpanProcessor(exporter));
  after(() => app.close());

  it('records the request as a server span, child of the caller’s, named by route', async () => {
    exporter.reset();
    await app.inject({
      url: '/ok?name=/secret/input',
      headers: { traceparent: `00-${TRACE}-${PARENT}-01`, 'x-request-id': 'r-span' },
    });
    const [span, ...others] = exporter.getFinishedSpans();
    assert.equal(others.length, 0);
    assert.equal(span?.name, 'GET /ok');
    assert.equal(span?.kind, SpanKind.SERVER);
    assert.equal(span?.spanContext().traceId, TRACE);
    assert.equal(span?.parentSpanContext?.spanId, PARENT);
    assert.equal(span?.spanContext().spanId, completed('r-span').span_id);
    assert.deepEqual(span?.attributes, {
      'http.request.method': 'GET',
      'url.path': '/ok',
      'http.route': '/ok',
      'http.response.status_code': 200,
    });
    assert.equal(span?.resource.attributes['service.name'], 'kit');
    assert.equal(span?.resource.attributes['service.version'], 'kit-v');
  });

  it('marks a 5xx as an error', async () => {
    exporter.reset();
    await app.inject({ url: '/boom' });
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes['http.response.status_code'], 500);
  });

  it('does not record probes, scrapes or unknown paths as named routes', async () => {
    exporter.reset();
    await app.inject({ url: '/healthz' });
    await app.inject({ url: '/metrics' });
    assert.equal(exporter.getFinishedSpans().length, 0);
    await app.inject({ url: '/nowhere' });
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.name, 'GET');
    assert.equal(span?.attributes['http.response.status_code'], 404);
  });
});

describe('OTEL_* settings', () => {
  const parse = (env: Record<string, string>) => spanExportFrom(loadConfig(schema, env));

  it('exports nothing unless an endpoint is set, the SDK is on and the exporter is otlp', () => {
    assert.equal(parse({}), undefined);
    assert.equal(
      parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }),
      undefined,
    );
    assert.equal(
      parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }),
      undefined,
    );
  });

  it('follows the specification’s endpoint and protocol rules', () => {
    assert.deepEqual(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }), {
      url: 'http://c:4318/v1/traces',
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
    const specific = parse({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t:443/custom',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    assert.equal(specific?.url, 'https://t:443/custom');
    assert.equal(specific?.protocol, 'http/json');
    assert.equal(specific?.samplerRatio, 0.25);
  });

  it('rejects what it cannot honour, naming the variable', () => {
    for (const [name, value] of [
      ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
      ['OTEL_TRACES_SAMPLER_ARG', '2'],
      ['OTEL_TRACES_SAMPLER', 'jaeger_remote'],
    ] as const) {
      assert.throws(
        () => loadConfig(schema, { [name]: value }),
        (error: Error) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, new RegExp(`^invalid configuration: ${name} `));
          return true;
        },
      );
    }
  });
});
