import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FakeAuxiliary, json, mainApi } from '../helpers';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

const auxiliary = new FakeAuxiliary();
let auxiliaryUrl: string;
before(async () => {
  auxiliaryUrl = await auxiliary.start();
  auxiliary.respond = (response) => json(response, 200, { auxiliary_version: 'aux-v', value: 'v' });
});
after(() => auxiliary.stop());

function sent() {
  const header = auxiliary.requests.at(-1)?.headers.traceparent;
  const match = TRACEPARENT.exec(String(header));
  assert.ok(match, `auxiliary-service got a valid traceparent, not ${header}`);
  return {
    traceId: match[1],
    parentId: match[2],
    flags: match[3],
    tracestate: auxiliary.requests.at(-1)?.headers.tracestate,
  };
}

describe('trace context to auxiliary-service, spans off', async () => {
  const lines: Record<string, string>[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).trim().split('\n')) lines.push(JSON.parse(line));
      done();
    },
  });
  let app: Awaited<ReturnType<typeof mainApi>>['app'];
  before(async () => {
    ({ app } = await mainApi(auxiliaryUrl, { LOG_LEVEL: 'info' }, { logStream }));
  });
  after(() => app.close());

  it('carries the caller’s trace, main-api’s own span id and the caller’s flags and tracestate', async () => {
    await app.inject({
      url: '/parameter?name=/a/b',
      headers: { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=x', 'x-request-id': 'r-1' },
    });
    const header = sent();
    assert.equal(header.traceId, TRACE);
    assert.equal(header.flags, '01');
    assert.equal(header.tracestate, 'vendor=x');
    const line = lines.find((l) => l.requestId === 'r-1' && l.msg === 'request completed');
    assert.equal(line?.trace_id, TRACE);
    assert.equal(header.parentId, line?.span_id, 'auxiliary-service’s parent is main-api’s span');
    assert.notEqual(header.parentId, PARENT);
  });

  it('starts a trace when the caller sent none, unsampled', async () => {
    await app.inject({ url: '/buckets', headers: { 'x-request-id': 'r-2' } });
    const header = sent();
    assert.equal(header.flags, '00');
    const line = lines.find((l) => l.requestId === 'r-2' && l.msg === 'request completed');
    assert.equal(line?.trace_id, header.traceId);
  });
});

describe('spans on: the call to auxiliary-service is a client span', async () => {
  const exporter = new InMemorySpanExporter();
  let app: Awaited<ReturnType<typeof mainApi>>['app'];
  before(async () => {
    ({ app } = await mainApi(auxiliaryUrl, {}, { spanProcessor: new SimpleSpanProcessor(exporter) }));
  });
  after(() => app.close());

  it('server span → client span → auxiliary-service, one trace', async () => {
    exporter.reset();
    await app.inject({ url: '/parameter?name=/a/b', headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    assert.equal(spans.length, 2);
    assert.equal(server?.name, 'GET /parameter');
    assert.equal(server?.parentSpanContext?.spanId, PARENT);
    assert.equal(client?.name, 'GET /parameter');
    assert.equal(client?.parentSpanContext?.spanId, server?.spanContext().spanId);
    assert.equal(client?.attributes['http.response.status_code'], 200);
    assert.equal(client?.attributes['server.address'], '127.0.0.1');
    const header = sent();
    assert.equal(header.traceId, TRACE);
    assert.equal(header.parentId, client?.spanContext().spanId);
  });

  it('marks an unreachable auxiliary-service on the client span', async () => {
    const { app: cut } = await mainApi(
      'http://127.0.0.1:9',
      {},
      { spanProcessor: new SimpleSpanProcessor(exporter) },
    );
    try {
      exporter.reset();
      const response = await cut.inject({ url: '/buckets' });
      assert.equal(response.statusCode, 502);
      const client = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT);
      assert.equal(client?.status.code, SpanStatusCode.ERROR);
      assert.equal(client?.attributes['error.type'], 'unreachable');
    } finally {
      await cut.close();
    }
  });
});
